package dev.broadcasting.doctor;

import java.util.Objects;

/**
 * What one {@link Check} saw: its outcome, the check's name, what it saw and, when something is
 * wrong, the fix. {@link #line()} is the doctor's one line per check.
 *
 * <pre>{@code
 * Finding f = Finding.fail("port 127.0.0.1:6001", "connection refused", "start the WebSocket server");
 * f.line(); // FAIL port 127.0.0.1:6001 | saw: connection refused | fix: start the WebSocket server
 * }</pre>
 */
public record Finding(Outcome outcome, String check, String saw, String fix) {

  /** How a check came out. */
  public enum Outcome {
    /** Works as the page needs it. */
    OK,
    /** Works, but not as a browser needs it, or could not be fully verified. */
    WARN,
    /** Broken: this is what the user sees fail. */
    FAIL,
    /** Not run: a setting it needs is missing, or an earlier failure makes it meaningless. */
    SKIP
  }

  public Finding {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(saw, "saw");
    fix = fix == null ? "" : fix;
  }

  public static Finding ok(String check, String saw) {
    return new Finding(Outcome.OK, check, saw, "");
  }

  public static Finding warn(String check, String saw, String fix) {
    return new Finding(Outcome.WARN, check, saw, fix);
  }

  public static Finding fail(String check, String saw, String fix) {
    return new Finding(Outcome.FAIL, check, saw, fix);
  }

  public static Finding skip(String check, String why) {
    return new Finding(Outcome.SKIP, check, why, "");
  }

  public boolean failed() {
    return outcome == Outcome.FAIL;
  }

  /** {@code OUTCOME check | saw: ... | fix: ...}, the fix left out when there is none. */
  public String line() {
    String line = String.format("%-4s %s | saw: %s", outcome, check, saw);
    return fix.isEmpty() ? line : line + " | fix: " + fix;
  }
}
