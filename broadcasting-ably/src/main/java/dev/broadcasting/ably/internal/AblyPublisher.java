package dev.broadcasting.ably.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.ably.AblyChannelNames;
import dev.broadcasting.spi.BroadcastMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one {@link BroadcastMessage}: to one channel with {@code POST /channels/{name}/messages},
 * to several with batch publishes of at most 100 channels each ({@code POST /messages}).
 */
public final class AblyPublisher {
  private static final Logger log = LoggerFactory.getLogger(AblyPublisher.class);
  /** Ably serves at most 100 channels in one batch request. */
  public static final int MAX_BATCH_CHANNELS = 100;

  private final AblyRestClient rest;
  private final AblyChannelNames names;
  private final int maxMessageSize;

  public AblyPublisher(AblyRestClient rest, AblyChannelNames names, int maxMessageSize) {
    this.rest = rest;
    this.names = names;
    this.maxMessageSize = maxMessageSize;
  }

  public CompletableFuture<Void> publish(BroadcastMessage message) {
    SocketIdentity sender;
    List<String> channels;
    try {
      sender = sender(message);
      checkSize(message, sender);
      channels = ablyNames(message.channels());
    } catch (BroadcastException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (channels.size() == 1) {
      String path = "/channels/" + encodePathSegment(channels.get(0)) + "/messages";
      return send(path, AblyMessages.channelBody(message, sender), describe(message, channels), false);
    }
    List<CompletableFuture<Void>> sends = new ArrayList<>();
    for (int from = 0; from < channels.size(); from += MAX_BATCH_CHANNELS) {
      List<String> chunk = channels.subList(from, Math.min(channels.size(), from + MAX_BATCH_CHANNELS));
      sends.add(send("/messages", AblyMessages.batchBody(message, chunk, sender), describe(message, chunk), true));
    }
    return sends.size() == 1 ? sends.get(0) : all(sends);
  }

  private CompletableFuture<Void> send(String path, byte[] body, String what, boolean batch) {
    return rest.post(path, body).handle((answer, error) -> {
      if (error != null) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String why = cause instanceof IOException ? "no Ably host answered (" + cause + ")" : cause.toString();
        throw BroadcastException.retryable(what + " failed: " + why, cause);
      }
      if (batch && (AblyErrors.isPartialFailure(answer) || (answer.isSuccessful() && AblyErrors.hasFailedItems(answer)))) {
        throw AblyErrors.partialFailure(what, answer);
      }
      if (!answer.isSuccessful()) {
        throw AblyErrors.refused(what, answer);
      }
      return null;
    });
  }

  /** Completes when all have; fails with the first failure, retryable when any failure is. */
  private static CompletableFuture<Void> all(List<CompletableFuture<Void>> sends) {
    return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).handle((ok, ignored) -> {
      BroadcastException first = null;
      boolean retryable = false;
      for (CompletableFuture<Void> send : sends) {
        Throwable error = send.handle((v, e) -> e).join();
        if (error == null) {
          continue;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        BroadcastException failure = cause instanceof BroadcastException ? (BroadcastException) cause
            : BroadcastException.retryable(cause.toString(), cause);
        retryable |= failure.isRetryable();
        if (first == null) {
          first = failure;
        } else {
          first.addSuppressed(failure);
        }
      }
      if (first == null) {
        return null;
      }
      if (retryable && !first.isRetryable()) {
        // a retry can still deliver the batches that failed on Ably's side; ids keep the rest from doubling
        throw new BroadcastException(first.getMessage(), first, true, first.status());
      }
      throw first;
    });
  }

  private SocketIdentity sender(BroadcastMessage message) {
    String socketId = message.socketId();
    if (socketId == null) {
      return null;
    }
    if (SocketIdentity.isPusherStyle(socketId)) {
      log.debug("Ignoring toOthers socket id {}: Ably cannot leave out a pusher-js connection; "
          + "with @ably/laravel-echo the socket id carries the connection key Ably needs", socketId);
      return null;
    }
    return SocketIdentity.decode(socketId);
  }

  private void checkSize(BroadcastMessage message, SocketIdentity sender) {
    long size = AblyMessages.size(message, sender);
    if (size > maxMessageSize) {
      throw new BroadcastException("Broadcast of " + message.describe() + " as '" + message.event() + "' is "
          + size + " bytes (event name and payload), over the Ably message size limit of " + maxMessageSize
          + " bytes; send less data in the event (an id the client fetches the rest with), or raise "
          + "maxMessageSize if your Ably plan allows larger messages", null, false, AblyErrors.MESSAGE_TOO_LARGE);
    }
  }

  private List<String> ablyNames(List<Channel> channels) {
    List<String> out = new ArrayList<>(channels.size());
    for (Channel channel : channels) {
      String name = names.toAbly(channel.name());
      if (name == null || name.isEmpty()) {
        throw new BroadcastException("The channel name mapping " + names + " gave no Ably name for channel \""
            + channel.name() + "\"; it must return a non-empty name for every channel");
      }
      out.add(name);
    }
    return out;
  }

  private static String describe(BroadcastMessage message, List<String> channels) {
    String list = channels.size() <= 5 ? channels.toString()
        : channels.subList(0, 5) + " and " + (channels.size() - 5) + " more";
    return "Publish of '" + message.event() + "' to Ably channels " + list;
  }

  /** Percent-encodes everything but {@code [A-Za-z0-9_.~-]}, so {@code private:chat.1} becomes {@code private%3Achat.1}. */
  public static String encodePathSegment(String name) {
    if (name.equals(".") || name.equals("..")) {
      return name.replace(".", "%2E"); // a dot segment would change the path
    }
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length + 8);
    for (byte b : bytes) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '_' || c == '.' || c == '~' || c == '-') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
