package dev.broadcasting.server.internal.dashboard;

import dev.broadcasting.server.internal.HubView;
import dev.broadcasting.server.internal.ServerEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * The last {@code capacity} things that happened in one app, for the dashboard: connections,
 * published events, subscriptions and refusals, client events and webhooks. A fixed ring written
 * without a lock from any thread; the oldest entry is overwritten, so memory stays bounded.
 *
 * <pre>{@code
 * EventLog log = new EventLog(1000, System::currentTimeMillis);
 * hub.events(log);
 * List<EventLog.Entry> refusals = log.since(0, null, "refused", 100);
 * }</pre>
 */
final class EventLog implements ServerEvents {
  /** One entry; {@code bytes} is -1 and a field null when it does not apply to the kind. */
  record Entry(long seq, long timeMillis, String kind, String channel, String socketId, String name, int bytes,
      String detail) {}

  static final List<String> KINDS =
      List.of("connected", "disconnected", "published", "subscribed", "refused", "client-event", "webhook-sent",
          "webhook-failed");

  /** The longest text kept in one field of an entry; channel and event names are at most 200 characters. */
  static final int MAX_FIELD = 300;

  private final AtomicReferenceArray<Entry> ring;
  private final AtomicLong next = new AtomicLong(1);
  private final LongSupplier clock;

  EventLog(int capacity, LongSupplier clockMillis) {
    this.ring = new AtomicReferenceArray<>(capacity);
    this.clock = clockMillis;
  }

  /** The newest sequence number written, 0 when none. */
  long lastSeq() {
    return next.get() - 1;
  }

  /**
   * Entries after {@code afterSeq}, oldest first, whose channel contains {@code channel} and whose
   * kind is {@code kind} (either null for any); the newest {@code limit} of them.
   */
  List<Entry> since(long afterSeq, String channel, String kind, int limit) {
    long last = next.get() - 1;
    long first = Math.max(afterSeq + 1, last - ring.length() + 1);
    List<Entry> found = new ArrayList<>();
    for (long seq = first; seq <= last; seq++) {
      Entry entry = ring.get(index(seq));
      if (entry == null || entry.seq() != seq) {
        continue;
      }
      if ((kind == null || kind.equals(entry.kind()))
          && (channel == null || (entry.channel() != null && entry.channel().contains(channel)))) {
        found.add(entry);
      }
    }
    return found.size() <= limit ? found : found.subList(found.size() - limit, found.size());
  }

  private void add(String kind, String channel, String socketId, String name, int bytes, String detail) {
    long seq = next.getAndIncrement();
    ring.set(index(seq), new Entry(seq, clock.getAsLong(), kind, cut(channel), cut(socketId), cut(name), bytes,
        cut(detail)));
  }

  /** A refused channel name is whatever the client sent: each field is cut so that an entry stays small. */
  private static String cut(String text) {
    return text == null || text.length() <= MAX_FIELD ? text : text.substring(0, MAX_FIELD) + "…";
  }

  private int index(long seq) {
    return (int) (seq % ring.length());
  }

  @Override
  public void connected(String socketId, String remoteAddress) {
    add("connected", null, socketId, null, -1, remoteAddress);
  }

  @Override
  public void disconnected(String socketId) {
    add("disconnected", null, socketId, null, -1, null);
  }

  @Override
  public void published(String event, String channel, String data, String exceptSocketId) {
    add("published", channel, exceptSocketId, event, HubView.utf8Length(data), null);
  }

  @Override
  public void subscribed(String socketId, String channel) {
    add("subscribed", channel, socketId, null, -1, null);
  }

  @Override
  public void refused(String socketId, String channel, int status, String reason) {
    add("refused", channel, socketId, null, -1, status + " " + reason);
  }

  @Override
  public void clientEvent(String socketId, String channel, String event, int bytes) {
    add("client-event", channel, socketId, event, bytes, null);
  }

  @Override
  public void webhookSent(String url, int events) {
    add("webhook-sent", null, null, null, -1, events + " event(s) to " + url);
  }

  @Override
  public void webhookFailed(String url, int events, String why) {
    add("webhook-failed", null, null, null, -1, events + " event(s) to " + url + ": " + why);
  }
}
