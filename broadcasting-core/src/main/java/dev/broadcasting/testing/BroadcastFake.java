package dev.broadcasting.testing;

import dev.broadcasting.BroadcastEvent;
import dev.broadcasting.BroadcastListener;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.ShouldBroadcast;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Records what is broadcast instead of sending it, with assertions in the spirit of Laravel's
 * {@code Event::fake()}. Failed assertions throw {@link AssertionError} listing what was
 * broadcast, so a wrong channel or event name is plain in the test output. It records each event
 * the broadcaster delivered, as the application sees it ({@link BroadcastEvent}); add it with
 * {@code .listener(fake)} to watch a broadcaster with a real driver.
 *
 * <pre>{@code
 * BroadcastFake fake = new BroadcastFake();
 * OrderService service = new OrderService(fake.broadcaster());
 * service.ship(42);
 * fake.assertBroadcastOn(new PrivateChannel("orders.42"), OrderShipped.class);
 * fake.assertBroadcast(OrderShipped.class, e -> e.carrier().equals("UPS"));
 * }</pre>
 */
public final class BroadcastFake implements BroadcastListener {
  private final List<BroadcastEvent> events = new CopyOnWriteArrayList<>();

  /**
   * A broadcaster whose only connection, {@code fake}, accepts every event and sends it nowhere,
   * sending on the caller's thread so that assertions see each event as soon as {@code broadcast}
   * returns.
   */
  public Broadcaster broadcaster() {
    return Broadcaster.builder()
        .connection("fake", message -> CompletableFuture.completedFuture(null))
        .listener(this)
        .synchronous()
        .build();
  }

  @Override
  public void onSent(BroadcastEvent event, String connection, int attempts, long latencyNanos) {
    events.add(event);
  }

  /** Everything broadcast so far, in order. */
  public List<BroadcastEvent> events() {
    return List.copyOf(events);
  }

  /** The events of {@code type} broadcast so far, in order. */
  public <E extends ShouldBroadcast> List<E> broadcasts(Class<E> type) {
    return events.stream().map(BroadcastEvent::source).filter(type::isInstance).map(type::cast)
        .collect(Collectors.toList());
  }

  public void clear() {
    events.clear();
  }

  public void assertBroadcast(Class<? extends ShouldBroadcast> type) {
    if (broadcasts(type).isEmpty()) {
      throw failure("Expected " + type.getName() + " to be broadcast, but it was not.");
    }
  }

  public <E extends ShouldBroadcast> void assertBroadcast(Class<E> type, Predicate<? super E> matching) {
    if (broadcasts(type).stream().noneMatch(matching)) {
      throw failure("Expected " + type.getName() + " matching the predicate to be broadcast, but none matched.");
    }
  }

  public void assertBroadcastTimes(Class<? extends ShouldBroadcast> type, int times) {
    int actual = broadcasts(type).size();
    if (actual != times) {
      throw failure("Expected " + type.getName() + " to be broadcast " + times + " times, but it was broadcast "
          + actual + " times.");
    }
  }

  public void assertBroadcastOn(Channel channel, Class<? extends ShouldBroadcast> type) {
    boolean found = events.stream().anyMatch(e -> type.isInstance(e.source()) && e.channels().contains(channel));
    if (!found) {
      throw failure("Expected " + type.getName() + " to be broadcast on " + channel + ", but it was not.");
    }
  }

  /** Passes when some broadcast, with or without an event class, had this event name. */
  public void assertBroadcastAs(String eventName) {
    if (events.stream().noneMatch(e -> e.name().equals(eventName))) {
      throw failure("Expected an event named '" + eventName + "' to be broadcast, but none was.");
    }
  }

  public void assertNotBroadcast(Class<? extends ShouldBroadcast> type) {
    int actual = broadcasts(type).size();
    if (actual > 0) {
      throw failure("Expected " + type.getName() + " not to be broadcast, but it was broadcast " + actual
          + " times.");
    }
  }

  public void assertNothingBroadcast() {
    if (!events.isEmpty()) {
      throw failure("Expected nothing to be broadcast, but " + events.size() + " events were.");
    }
  }

  private AssertionError failure(String message) {
    String seen = events.isEmpty() ? "\nNothing was broadcast." : events.stream()
        .map(e -> "\n  " + e.name() + " on " + e.channels() + " " + e.payload())
        .collect(Collectors.joining("", "\nBroadcast so far:", ""));
    return new AssertionError(message + seen);
  }

  @Override
  public String toString() {
    return "BroadcastFake{" + events.size() + " events}";
  }
}
