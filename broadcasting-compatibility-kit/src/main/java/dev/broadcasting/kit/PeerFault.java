package dev.broadcasting.kit;

import java.time.Duration;
import java.util.Objects;

/**
 * A fault a driver's test arranged in its real peer for one contract of the
 * {@link DriverCompatibilityKit}, or the reason that peer can never show it.
 *
 * <pre>{@code
 * protected PeerFault failOnce(int afterRequests) {
 *   peer.answerOkThen(afterRequests, 503);
 *   return PeerFault.arranged(peer::forgetAnswers);
 * }
 * }</pre>
 */
public final class PeerFault {
  /** An action on the peer, such as opening a proxy again. */
  @FunctionalInterface
  public interface Action {
    void run() throws Exception;
  }

  /** Whether the peer saw a request abandoned by its client within {@code timeout}. */
  @FunctionalInterface
  public interface Abandonment {
    boolean seen(Duration timeout) throws Exception;
  }

  private final String impossibleBecause;
  private final Action heal;
  private final Abandonment abandonment;

  private PeerFault(String impossibleBecause, Action heal, Abandonment abandonment) {
    this.impossibleBecause = impossibleBecause;
    this.heal = heal;
    this.abandonment = abandonment;
  }

  /** The fault is set; {@code heal} makes the peer work again and disarms a fault not yet used. */
  public static PeerFault arranged(Action heal) {
    return new PeerFault(null, Objects.requireNonNull(heal, "heal"), null);
  }

  /**
   * The peer holds the next request without answering; {@code abandonment} tells whether it saw the
   * client give the request up (its connection closed).
   */
  public static PeerFault held(Abandonment abandonment, Action heal) {
    return new PeerFault(null, Objects.requireNonNull(heal, "heal"),
        Objects.requireNonNull(abandonment, "abandonment"));
  }

  /** This peer can never show the fault, for the reason given (which the kit asserts is stated). */
  public static PeerFault impossible(String reason) {
    return new PeerFault(reason == null ? "" : reason, () -> { }, null);
  }

  boolean isPossible() {
    return impossibleBecause == null;
  }

  String impossibleBecause() {
    return impossibleBecause;
  }

  void heal() throws Exception {
    heal.run();
  }

  boolean abandonmentSeen(Duration timeout) throws Exception {
    return abandonment.seen(timeout);
  }
}
