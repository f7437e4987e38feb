package dev.broadcasting.pusher.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.EncryptedPrivateChannel;
import dev.broadcasting.pusher.protocol.PusherChannelNames;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.SocketIds;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.Cancellation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Turns messages into {@code POST /events} and {@code POST /batch_events} requests within Pusher's
 * limits: at most 100 channels per event, 10 events per batch, and the app's data size limit.
 * Anything that would never be accepted fails before sending, and is not retryable. Every future
 * returned passes a cancel back to its HTTP calls, so core's attempt timeout stops them.
 */
public final class EventSender {
  public static final int MAX_CHANNELS_PER_EVENT = 100;
  public static final int MAX_EVENTS_PER_BATCH = 10;
  public static final int MAX_EVENT_NAME = 200;

  private final PusherHttp http;
  private final ChannelEncrypter encrypter;
  private final int payloadLimit;
  /** Enough for the unfinished batches of many retries in flight; a batch of 10,000 items needs 1,000. */
  private final AcceptedRequests accepted = new AcceptedRequests(4096);

  /** @param encrypter null when no encryption master key is configured */
  public EventSender(PusherHttp http, ChannelEncrypter encrypter, int payloadLimit) {
    this.http = http;
    this.encrypter = encrypter;
    this.payloadLimit = payloadLimit;
  }

  /** One event to all its channels, in requests of at most 100 channels sent at once. */
  public CompletableFuture<Void> trigger(BroadcastMessage message) {
    try {
      List<String> channels = names(message.channels());
      checkEvent(message.event(), message.socketId());
      if (channels.isEmpty()) {
        throw new BroadcastException("Event '" + message.event() + "' has no channel to go to");
      }
      String data = message.payload();
      int dataBytes = message.payloadBytes();
      if (channels.stream().anyMatch(EventSender::isEncrypted)) {
        if (channels.size() > 1) {
          throw new BroadcastException("Event '" + message.event() + "' goes to an encrypted channel and "
              + "other channels " + channels + ": encrypted events are sent to exactly one channel, as every "
              + "channel has its own key. Broadcast it to the encrypted channel separately.");
        }
        data = encrypt(channels.get(0), data);
        dataBytes = utf8Length(data);
      }
      checkSize(message.event(), dataBytes);
      return sendInChunks(message.event(), channels, data, message.socketId());
    } catch (BroadcastException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** An event to channels that {@link Channel} does not model, such as {@code #server-to-user-<id>}. */
  public CompletableFuture<Void> trigger(String event, List<String> channels, String data, String socketId) {
    try {
      checkEvent(event, socketId);
      checkSize(event, utf8Length(data));
      return sendInChunks(event, channels, data, socketId);
    } catch (BroadcastException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Several events, one batch item per (event, channel), in batches of at most 10 sent one after
   * another, so that events on one channel arrive in the order given; the first failure stops the
   * rest. The batch is all or nothing across core's retries: a request Pusher accepted is
   * remembered by its messages' ids, and a retry of the same batch sends only the requests after
   * it, so that no event arrives twice and a channel's order holds.
   */
  public CompletableFuture<Void> batch(List<BroadcastMessage> messages) {
    List<EventBodies.BatchItem> items = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    try {
      for (BroadcastMessage message : messages) {
        List<EventBodies.BatchItem> ofMessage = items(message);
        items.addAll(ofMessage);
        ofMessage.forEach(item -> ids.add(message.id()));
      }
    } catch (BroadcastException e) {
      return CompletableFuture.failedFuture(e);
    }
    int requests = (items.size() + MAX_EVENTS_PER_BATCH - 1) / MAX_EVENTS_PER_BATCH;
    List<String> keys = new ArrayList<>(requests);
    for (int from = 0; from < items.size(); from += MAX_EVENTS_PER_BATCH) {
      keys.add(from + ":" + String.join(",", ids.subList(from, Math.min(from + MAX_EVENTS_PER_BATCH, ids.size()))));
    }
    CompletableFuture<Void> all = Cancellation.sequence(requests, index -> {
      String key = keys.get(index);
      if (accepted.contains(key)) {
        return CompletableFuture.completedFuture(null);
      }
      int from = index * MAX_EVENTS_PER_BATCH;
      CompletableFuture<Void> sent = postBatch(items.subList(from, Math.min(from + MAX_EVENTS_PER_BATCH, items.size())));
      return Cancellation.map(sent, ok -> {
        accepted.add(key);
        return null;
      });
    });
    return Cancellation.map(all, ok -> {
      accepted.forget(keys);
      return null;
    });
  }

  /**
   * Independent events that core coalesced, each with its own outcome: packed whole into
   * {@code batch_events} requests of at most 10 items (one per event and channel), an event on more
   * than 10 channels as its own {@code POST /events}. The requests go one after another, so a
   * channel's events arrive in the order given; a failed request fails its events and the ones
   * after it, which were not sent. An event Pusher would never accept fails alone, not retryable.
   * Cancelling any returned future stops the request in flight and sends no more.
   */
  public List<CompletableFuture<Void>> batchEach(List<BroadcastMessage> messages) {
    List<CompletableFuture<Void>> results = new ArrayList<>(messages.size());
    List<Supplier<CompletableFuture<Void>>> steps = new ArrayList<>();
    List<Integer> stepOf = new ArrayList<>(messages.size());
    List<EventBodies.BatchItem> packing = new ArrayList<>();
    for (BroadcastMessage message : messages) {
      List<EventBodies.BatchItem> items;
      try {
        items = items(message);
      } catch (BroadcastException e) {
        results.add(CompletableFuture.failedFuture(e));
        stepOf.add(null);
        continue;
      }
      if (items.size() > MAX_EVENTS_PER_BATCH) {
        packing = pack(packing);
        steps.add(() -> trigger(message));
      } else {
        if (packing.size() + items.size() > MAX_EVENTS_PER_BATCH) {
          packing = pack(packing);
        }
        if (packing.isEmpty()) {
          List<EventBodies.BatchItem> request = packing;
          steps.add(() -> postBatch(request));
        }
        packing.addAll(items);
      }
      results.add(null);
      stepOf.add(steps.size() - 1);
    }
    List<CompletableFuture<Void>> answers = Cancellation.sequenceEach(steps.size(), index -> steps.get(index).get());
    for (int i = 0; i < results.size(); i++) {
      Integer request = stepOf.get(i);
      if (request != null) {
        results.set(i, answers.get(request));
      }
    }
    return results;
  }

  /**
   * The request {@link #batchEach} would send for {@code messages}, built and signed now, for core
   * to send when their turn comes: one {@code batch_events} when their items fit in one (the chain
   * of one busy channel), else a plain {@code batchEach} at the send. The body and signature are
   * what {@code batchEach} would make; the signature is made again at the send if it is 1 s old.
   */
  public BroadcastDriver.PreparedBatch prepareBatch(List<BroadcastMessage> messages) {
    List<EventBodies.BatchItem> packed = new ArrayList<>(MAX_EVENTS_PER_BATCH);
    for (BroadcastMessage message : messages) {
      List<EventBodies.BatchItem> items;
      try {
        items = items(message);
      } catch (BroadcastException refused) {
        return () -> batchEach(messages); // fails that event alone, at its turn
      }
      if (packed.size() + items.size() > MAX_EVENTS_PER_BATCH) {
        return () -> batchEach(messages);
      }
      packed.addAll(items);
    }
    PusherHttp.Signed request = http.signAhead(http.appPath("/batch_events"), EventBodies.batch(packed));
    return () -> Collections.nCopies(messages.size(), Cancellation.map(http.send(request), ok -> null));
  }

  /** Closes the request being packed, if any: the next items start a new one. */
  private static List<EventBodies.BatchItem> pack(List<EventBodies.BatchItem> packing) {
    return packing.isEmpty() ? packing : new ArrayList<>();
  }

  private CompletableFuture<Void> postBatch(List<EventBodies.BatchItem> items) {
    return Cancellation.map(http.post(http.appPath("/batch_events"), EventBodies.batch(items)), ok -> null);
  }

  /** The batch items of one message, one per channel, encrypted where the channel is; checked against Pusher's limits. */
  private List<EventBodies.BatchItem> items(BroadcastMessage message) {
    checkEvent(message.event(), message.socketId());
    List<String> channels = names(message.channels());
    if (channels.size() > 1 && channels.stream().anyMatch(EventSender::isEncrypted)) {
      throw new BroadcastException("Event '" + message.event() + "' goes to an encrypted channel and "
          + "other channels " + channels + ": broadcast it to the encrypted channel separately.");
    }
    List<EventBodies.BatchItem> items = new ArrayList<>(channels.size());
    for (String channel : channels) {
      String data = message.payload();
      if (isEncrypted(channel)) {
        data = encrypt(channel, data);
        checkSize(message.event(), utf8Length(data));
      } else {
        checkSize(message.event(), message.payloadBytes());
      }
      items.add(new EventBodies.BatchItem(channel, message.event(), data, message.socketId()));
    }
    return items;
  }

  private CompletableFuture<Void> sendInChunks(String event, List<String> channels, String data, String socketId) {
    if (channels.size() <= MAX_CHANNELS_PER_EVENT) {
      return post(event, channels, data, socketId);
    }
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (int from = 0; from < channels.size(); from += MAX_CHANNELS_PER_EVENT) {
      List<String> chunk = channels.subList(from, Math.min(from + MAX_CHANNELS_PER_EVENT, channels.size()));
      sent.add(post(event, chunk, data, socketId));
    }
    return Cancellation.all(sent);
  }

  private CompletableFuture<Void> post(String event, List<String> channels, String data, String socketId) {
    return Cancellation.map(http.post(http.appPath("/events"), EventBodies.trigger(event, channels, data, socketId)),
        ok -> null);
  }

  private String encrypt(String channel, String payload) {
    if (encrypter == null) {
      throw new BroadcastException("Channel " + channel + " is encrypted but this Pusher connection has no "
          + "encryption master key: set PUSHER_ENCRYPTION_MASTER_KEY_BASE64 (openssl rand -base64 32), the "
          + "same key that signs the channel's shared_secret");
    }
    return encrypter.encrypt(channel, payload);
  }

  private void checkEvent(String event, String socketId) {
    if (event.isEmpty() || event.length() > MAX_EVENT_NAME) {
      throw new BroadcastException("Event name '" + (event.length() > 40 ? event.substring(0, 40) + "..." : event)
          + "' is " + event.length() + " characters; Pusher takes 1 to " + MAX_EVENT_NAME);
    }
    if (socketId != null && !SocketIds.isValid(socketId)) {
      throw new BroadcastException("Socket id \"" + socketId + "\" of event '" + event + "' is not a Pusher "
          + "socket id (digits.digits): pass the socket_id the client reported, or none");
    }
  }

  private void checkSize(String event, int dataBytes) {
    if (dataBytes > payloadLimit) {
      throw new BroadcastException("Event '" + event + "' carries " + dataBytes + " bytes of data, over the "
          + "limit of " + payloadLimit + " bytes: send an id and let clients fetch the rest, or raise "
          + "payloadLimit (PUSHER_PAYLOAD_LIMIT) if your Pusher-compatible server accepts more");
    }
  }

  private static boolean isEncrypted(String channel) {
    return channel.startsWith(EncryptedPrivateChannel.PREFIX);
  }

  /** The channels' names, once each is checked against Pusher's alphabet: core checks only the base rule. */
  private static List<String> names(List<Channel> channels) {
    List<String> names = new ArrayList<>(channels.size());
    for (Channel channel : channels) {
      String error = PusherChannelNames.error(channel.name());
      if (error != null) {
        throw new BroadcastException("Channel \"" + channel.name() + "\" " + error + "; rename it for the pusher "
            + "connection (Laravel names such as chat:1 work on the redis and log drivers only)");
      }
      names.add(channel.name());
    }
    return names;
  }

  private static int utf8Length(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }
}
