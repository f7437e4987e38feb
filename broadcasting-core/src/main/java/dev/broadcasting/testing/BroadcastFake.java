package dev.broadcasting.testing;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.ShouldBroadcast;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A driver that records what is broadcast instead of sending it, with assertions in the spirit of
 * Laravel's {@code Event::fake()}. Failed assertions throw {@link AssertionError} listing what was
 * broadcast, so a wrong channel or event name is plain in the test output.
 *
 * <pre>{@code
 * BroadcastFake fake = new BroadcastFake();
 * OrderService service = new OrderService(fake.broadcaster());
 * service.ship(42);
 * fake.assertBroadcastOn(new PrivateChannel("orders.42"), OrderShipped.class);
 * fake.assertBroadcast(OrderShipped.class, e -> e.carrier().equals("UPS"));
 * }</pre>
 */
public final class BroadcastFake implements BroadcastDriver {
  private final List<BroadcastMessage> messages = new CopyOnWriteArrayList<>();

  /**
   * A broadcaster whose only connection, {@code fake}, is this driver, sending on the caller's
   * thread so that assertions see each event as soon as {@code broadcast} returns.
   */
  public Broadcaster broadcaster() {
    return Broadcaster.builder().connection("fake", this).synchronous().build();
  }

  @Override
  public CompletableFuture<Void> publish(BroadcastMessage message) {
    messages.add(message);
    return CompletableFuture.completedFuture(null);
  }

  /** Everything broadcast so far, in order. */
  public List<BroadcastMessage> messages() {
    return List.copyOf(messages);
  }

  /** The events of {@code type} broadcast so far, in order. */
  public <E extends ShouldBroadcast> List<E> broadcasts(Class<E> type) {
    return messages.stream().map(BroadcastMessage::source).filter(type::isInstance).map(type::cast)
        .collect(Collectors.toList());
  }

  public void clear() {
    messages.clear();
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
    boolean found = messages.stream()
        .anyMatch(m -> type.isInstance(m.source()) && m.channels().contains(channel));
    if (!found) {
      throw failure("Expected " + type.getName() + " to be broadcast on " + channel + ", but it was not.");
    }
  }

  /** Passes when some broadcast, with or without an event class, had this event name. */
  public void assertBroadcastAs(String eventName) {
    if (messages.stream().noneMatch(m -> m.event().equals(eventName))) {
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
    if (!messages.isEmpty()) {
      throw failure("Expected nothing to be broadcast, but " + messages.size() + " events were.");
    }
  }

  private AssertionError failure(String message) {
    String seen = messages.isEmpty() ? "\nNothing was broadcast." : messages.stream()
        .map(m -> "\n  " + m.event() + " on " + m.channels() + " " + m.payload())
        .collect(Collectors.joining("", "\nBroadcast so far:", ""));
    return new AssertionError(message + seen);
  }

  @Override
  public String toString() {
    return "BroadcastFake{" + messages.size() + " messages}";
  }
}
