package dev.broadcasting.micrometer;

import io.micrometer.observation.Observation;

/**
 * What an observation of one publish knows: the connection, its driver and the event. Handlers
 * and conventions read it; the default names its low-cardinality keys {@code connection},
 * {@code driver} and {@code outcome}.
 *
 * <pre>{@code
 * registry.observationConfig().observationHandler(new ObservationHandler<PublishContext>() {
 *   public boolean supportsContext(Observation.Context context) { return context instanceof PublishContext; }
 *   public void onStop(PublishContext context) { log.info("{} via {}", context.event(), context.connection()); }
 * });
 * }</pre>
 */
public final class PublishContext extends Observation.Context {
  private final String connection;
  private final String driver;
  private final String event;
  private final int messages;

  PublishContext(String connection, String driver, String event, int messages) {
    this.connection = connection;
    this.driver = driver;
    this.event = event;
    this.messages = messages;
  }

  public String connection() {
    return connection;
  }

  /** The driver's configuration name, e.g. {@code pusher}. */
  public String driver() {
    return driver;
  }

  /** The event name clients listen for; the first one of a batch. */
  public String event() {
    return event;
  }

  /** How many events the driver was handed at once: 1, or the size of a batch. */
  public int messages() {
    return messages;
  }
}
