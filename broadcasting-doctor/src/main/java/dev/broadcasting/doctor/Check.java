package dev.broadcasting.doctor;

/**
 * One item the doctor examines: a port, the driver's credentials, the WebSocket URL, the auth
 * endpoint, CORS, the flow of one event. A check never throws: whatever goes wrong becomes a
 * {@link Finding} that says what was seen and what to do.
 *
 * <pre>{@code
 * Check diskSpace = () -> Finding.ok("disk", "12 GB free");
 * }</pre>
 */
@FunctionalInterface
public interface Check {

  /** Runs the check within its own time bound and reports what it saw. */
  Finding run();
}
