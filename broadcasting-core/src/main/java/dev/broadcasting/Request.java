package dev.broadcasting;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * One broadcast as the application asked for it, before serialization: what every way of
 * broadcasting (an event, {@code broadcastAll}, {@code toOthers}/{@code via}, an anonymous
 * broadcast) builds, and the only thing {@link Broadcaster} takes in.
 *
 * @param source the event object, or null for an anonymous broadcast
 * @param via the connections named by {@code via()} or the event; empty for the default one
 * @param policy the event's own retry policy, or null for the broadcaster's
 */
record Request(Object source, Class<?> eventClass, String name, List<Channel> channels, Object payload,
    String socketId, List<String> via, boolean now, RetryPolicy policy) {

  /** A request for each event whose {@code broadcastWhen()} holds, in order. */
  static List<Request> all(Collection<? extends ShouldBroadcast> events, String socketId, List<String> via) {
    List<Request> requests = new ArrayList<>(events.size());
    for (ShouldBroadcast event : events) {
      Objects.requireNonNull(event, "event");
      if (!event.broadcastWhen()) {
        continue;
      }
      List<? extends Channel> channels = event.broadcastOn();
      requests.add(new Request(event, event.getClass(), name(event),
          channels == null ? List.of() : unique(channels, event.getClass(), ".broadcastOn() returned"),
          event.broadcastWith(), socketId, !via.isEmpty() ? via : distinct(event.broadcastConnections()),
          event instanceof ShouldBroadcastNow, event.broadcastRetry()));
    }
    return requests;
  }

  /** The event's class name, or the event name of an anonymous broadcast: for log lines and errors. */
  String describe() {
    return source == null ? "anonymous event '" + name + "'" : eventClass.getName();
  }

  /** Each channel once, in order; a null names where it came from ({@code origin}'s name, then {@code from}) and its index. */
  static List<Channel> unique(Collection<? extends Channel> channels, Class<?> origin, String from) {
    if (channels.size() == 1 && channels instanceof List && ((List<? extends Channel>) channels).get(0) != null) {
      return List.copyOf(channels); // the usual broadcast: no set to build, and no copy of an immutable list
    }
    return unique(channels, origin.getName() + from);
  }

  /** Each channel once, in order; a null names where it came from and its index. */
  static List<Channel> unique(Collection<? extends Channel> channels, String from) {
    LinkedHashSet<Channel> unique = new LinkedHashSet<>(channels.size() * 2);
    int index = 0;
    for (Channel channel : channels) {
      if (channel == null) {
        throw new BroadcastException(from + " a null channel at index " + index + " of " + channels
            + ": every element must be a channel");
      }
      unique.add(channel);
      index++;
    }
    return List.copyOf(unique);
  }

  static List<String> distinct(List<String> connections) {
    return connections == null || connections.isEmpty() ? List.of() : List.copyOf(new LinkedHashSet<>(connections));
  }

  private static String name(ShouldBroadcast event) {
    String name = event.broadcastAs();
    if (name == null || name.isBlank()) {
      throw new BroadcastException(event.getClass().getName() + ".broadcastAs() returned no name; return the "
          + "event name clients listen for, or remove the override to use the class name");
    }
    return name;
  }
}
