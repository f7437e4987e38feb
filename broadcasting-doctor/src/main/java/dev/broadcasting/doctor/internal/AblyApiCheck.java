package dev.broadcasting.doctor.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.ably.internal.AblyHosts;
import dev.broadcasting.doctor.Check;
import dev.broadcasting.doctor.Finding;
import dev.broadcasting.internal.DriverRegistry;
import dev.broadcasting.spi.DriverSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Sends an authenticated {@code GET /channels/{probe}} to Ably's REST API with the application's
 * key (Basic auth). {@code GET /time} would prove nothing: it needs no key.
 */
public final class AblyApiCheck implements Check {
  static final String PROBE_CHANNEL = "broadcasting-doctor";

  private final DriverSettings settings;
  private final HttpClient http;
  private final Duration timeout;

  public AblyApiCheck(DriverSettings settings, HttpClient http, Duration timeout) {
    this.settings = settings;
    this.http = http;
    this.timeout = timeout;
  }

  @Override
  public Finding run() {
    String host = settings.get("ABLY_HOST") != null ? settings.get("ABLY_HOST")
        : settings.get("ABLY_ENDPOINT") != null ? AblyHosts.endpoint(settings.get("ABLY_ENDPOINT")).primary()
        : AblyHosts.defaults().primary();
    boolean tls = settings.getBoolean("ABLY_TLS", true);
    int port = settings.getInt("ABLY_PORT", tls ? 443 : 80);
    URI uri = URI.create((tls ? "https" : "http") + "://" + host + ":" + port + "/channels/" + PROBE_CHANNEL);
    Endpoint endpoint = Endpoint.of("Ably REST API", uri, "ABLY_ENDPOINT or ABLY_HOST/ABLY_PORT");
    String name = "driver ably " + endpoint.address() + " (authenticated GET /channels/" + PROBE_CHANNEL + ")";
    try {
      DriverRegistry.create("ably", settings).close();
    } catch (BroadcastException e) {
      return Finding.fail(name, e.getMessage(), "correct the setting named");
    }
    String key = settings.get("ABLY_KEY");
    String keyName = key.substring(0, Math.max(0, key.indexOf(':')));
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET()
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)))
        .header("Accept", "application/json").build();
    HttpExchange<String> sent = HttpExchange.send(http, request, HttpResponse.BodyHandlers.ofString(), name,
        endpoint, timeout);
    if (sent.failure() != null) {
      return sent.failure();
    }
    HttpResponse<String> response = sent.response();
    if (response.statusCode() == 200) {
      return Finding.ok(name, "200, key " + keyName + " accepted");
    }
    JsonNode error = error(response.body());
    int code = error.path("code").asInt(0);
    String saw = response.statusCode() + " " + code + " " + error.path("message").asText("(no message)");
    if (code == 40160) {
      return Finding.ok(name, "key " + keyName + " accepted; it lacks the channel-metadata capability, which "
          + "publishing does not need (" + saw + ")");
    }
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      return Finding.fail(name, saw, "set ABLY_KEY to a key of the app, appId.keyId:keySecret as the Ably "
          + "dashboard's API Keys tab shows it, with the publish capability");
    }
    return Finding.fail(name, saw, "Ably failed; check status.ably.com, or ABLY_ENDPOINT/ABLY_HOST");
  }

  private static JsonNode error(String body) {
    try {
      return new ObjectMapper().readTree(body).path("error");
    } catch (Exception e) {
      return new ObjectMapper().createObjectNode();
    }
  }
}
