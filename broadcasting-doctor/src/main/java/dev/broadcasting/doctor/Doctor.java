package dev.broadcasting.doctor;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.doctor.internal.CheckList;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Examines an application's broadcasting set-up item by item, from the same settings the
 * {@link Broadcaster} reads ({@code BROADCAST_CONNECTION}, {@code PUSHER_*}, {@code REDIS_*},
 * {@code ABLY_*}) plus what the page uses ({@code VITE_PUSHER_*} or {@code BROADCAST_DOCTOR_WS_URL},
 * {@code BROADCAST_DOCTOR_AUTH_URL}, {@code BROADCAST_DOCTOR_AUTH_HEADER},
 * {@code BROADCAST_DOCTOR_CSRF_HEADER}, {@code BROADCAST_DOCTOR_AUTH_CHANNEL}, {@code BROADCAST_DOCTOR_PAGE_ORIGIN}): the ports answer,
 * the driver accepts the credentials, the WebSocket URL speaks the Pusher protocol for the key with
 * the right TLS, CORS lets the page through, the auth endpoint signs for a user and refuses
 * strangers, and a probe event comes back through the queue.
 *
 * <pre>{@code
 * Doctor doctor = Doctor.builder().settings(System.getenv()).broadcaster(broadcaster).build();
 * Diagnosis diagnosis = doctor.run();   // e.g. behind GET /health/broadcasting
 * }</pre>
 *
 * <p>Checks run one after another, each bounded by the timeout, on the calling thread.
 */
public final class Doctor {
  private final Map<String, String> settings;
  private final Broadcaster broadcaster;
  private final Duration timeout;
  private final HttpClient http;

  private Doctor(Builder builder) {
    this.settings = builder.settings;
    this.broadcaster = builder.broadcaster;
    this.timeout = builder.timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The checks, in the order they run. */
  public List<Check> checks() {
    return CheckList.of(settings, broadcaster, http, timeout);
  }

  /** Runs every check. */
  public Diagnosis run() {
    return run(finding -> {});
  }

  /** Runs every check, handing each finding to {@code each} as soon as it is known. */
  public Diagnosis run(Consumer<Finding> each) {
    List<Finding> findings = new ArrayList<>();
    for (Check check : checks()) {
      Finding finding = check.run();
      findings.add(finding);
      each.accept(finding);
    }
    return new Diagnosis(findings);
  }

  /** Configures a {@link Doctor}; each setter checks its value at once. */
  public static final class Builder {
    private Map<String, String> settings;
    private Broadcaster broadcaster;
    private Duration timeout = Duration.ofSeconds(5);

    private Builder() {}

    /** The application's settings: {@code System.getenv()}, or the map its broadcaster was built from. */
    public Builder settings(Map<String, String> settings) {
      Objects.requireNonNull(settings, "settings");
      if (this.settings != null) {
        throw new IllegalStateException("settings were already set; pass one map with every setting");
      }
      this.settings = new LinkedHashMap<>(settings);
      return this;
    }

    /**
     * The application's own broadcaster: the probe event then goes through its queue, so a stalled
     * queue shows. Without one, the doctor builds a broadcaster from the settings.
     */
    public Builder broadcaster(Broadcaster broadcaster) {
      this.broadcaster = Objects.requireNonNull(broadcaster, "broadcaster");
      return this;
    }

    /** How long each network step may take; 5 s by default, room for a cold JVM on a busy machine. */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive but was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /** @throws BroadcastException when a setting cannot be read, naming it */
    public Doctor build() {
      if (settings == null) {
        throw new IllegalStateException("No settings: call settings(System.getenv()) or pass the application's map");
      }
      Doctor doctor = new Doctor(this);
      doctor.checks();
      return doctor;
    }
  }
}
