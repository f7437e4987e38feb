package dev.broadcasting.ably.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.ably.AblyChannelNames;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.Cancellation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@link BroadcastMessage}s: to one channel with {@code POST /channels/{name}/messages},
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

  /** One message checked and mapped, ready to send. */
  private record Prepared(BroadcastMessage message, SocketIdentity sender, List<String> channels, long size) {}

  public CompletableFuture<Void> publish(BroadcastMessage message) {
    try {
      return send(prepare(message));
    } catch (BroadcastException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Sends the messages in order, each after the one before has been answered, so that events on a
   * channel arrive in the order given. Consecutive messages for the same single channel go out in
   * one request, within the size limit (RSL1i). A request that fails stops its channels: later
   * messages to any of them are not sent, so that on core's retry none arrives before the one that
   * failed; other channels go on. The result then fails, retryable when any failure is (the ids
   * keep the delivered ones from doubling). A message Ably would never take fails alone.
   */
  public CompletableFuture<Void> publishAll(List<BroadcastMessage> messages) {
    List<BroadcastException> errors = Collections.synchronizedList(new ArrayList<>());
    List<List<Prepared>> groups = new ArrayList<>();
    for (BroadcastMessage message : messages) {
      Prepared prepared;
      try {
        prepared = prepare(message);
      } catch (BroadcastException e) {
        errors.add(e);
        continue;
      }
      List<Prepared> last = groups.isEmpty() ? null : groups.get(groups.size() - 1);
      if (last != null && fitsWith(last, prepared)) {
        last.add(prepared);
      } else {
        groups.add(new ArrayList<>(List.of(prepared)));
      }
    }
    Set<String> stopped = ConcurrentHashMap.newKeySet();
    CompletableFuture<Void> chain = Cancellation.sequence(groups.size(), index -> {
      List<Prepared> group = groups.get(index);
      List<String> channels = group.get(0).channels; // a group of several shares its one channel
      if (channels.stream().anyMatch(stopped::contains)) {
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> sent = group.size() == 1 ? send(group.get(0)) : sendGroup(group);
      return Cancellation.passCancel(sent.handle((ok, error) -> {
        if (error != null) {
          errors.add(asBroadcastException(error));
          stopped.addAll(channels);
        }
        return null;
      }), sent);
    });
    return Cancellation.map(chain, ignored -> {
      if (!errors.isEmpty()) {
        throw combine(errors);
      }
      return null;
    });
  }

  /**
   * Independent messages that core coalesced, each with its own outcome. When each goes to one
   * channel, a channel's messages go in one {@code POST /channels/{name}/messages} (several when
   * over the size limit, one after another), and the channels' requests go at once; the channels
   * whose messages fit one request share a batch publish instead ({@code POST /messages}, one spec
   * per channel, 100 channels a request), where each channel succeeds or fails on its own.
   * Otherwise consecutive messages for one channel are grouped and the groups go one after another.
   * Either way a channel's messages arrive in the order given, and a failed request fails the
   * requests after it on the same run, unsent.
   */
  public List<CompletableFuture<Void>> publishEach(List<BroadcastMessage> messages) {
    List<CompletableFuture<Void>> results = new ArrayList<>(Collections.nCopies(messages.size(), null));
    Map<String, List<List<Prepared>>> runs = new LinkedHashMap<>();
    Map<Prepared, Integer> index = new IdentityHashMap<>();
    boolean single = true;
    List<Prepared> prepared = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      try {
        Prepared one = prepare(messages.get(i));
        index.put(one, i);
        prepared.add(one);
        single &= one.channels.size() == 1;
      } catch (BroadcastException e) {
        results.set(i, CompletableFuture.failedFuture(e));
      }
    }
    for (Prepared one : prepared) {
      // with a message on several channels among them, all go as one run, in the order given
      List<List<Prepared>> run = runs.computeIfAbsent(single ? one.channels.get(0) : "", k -> new ArrayList<>());
      List<Prepared> last = run.isEmpty() ? null : run.get(run.size() - 1);
      if (last != null && fitsWith(last, one)) {
        last.add(one);
      } else {
        run.add(new ArrayList<>(List.of(one)));
      }
    }
    List<List<Prepared>> batched = new ArrayList<>();
    if (single && runs.size() > 1) {
      for (java.util.Iterator<List<List<Prepared>>> it = runs.values().iterator(); it.hasNext(); ) {
        List<List<Prepared>> run = it.next();
        if (run.size() == 1) { // a channel whose messages fit one request
          batched.add(run.get(0));
          it.remove();
        }
      }
    }
    for (int from = 0; from < batched.size(); from += MAX_BATCH_CHANNELS) {
      List<List<Prepared>> specs = batched.subList(from, Math.min(batched.size(), from + MAX_BATCH_CHANNELS));
      Map<String, CompletableFuture<Void>> answers = sendSpecs(specs);
      for (List<Prepared> spec : specs) {
        for (Prepared one : spec) {
          results.set(index.get(one), answers.get(one.channels.get(0)));
        }
      }
    }
    for (List<List<Prepared>> run : runs.values()) {
      List<CompletableFuture<Void>> answers = Cancellation.sequenceEach(run.size(), step -> {
        List<Prepared> group = run.get(step);
        return group.size() == 1 ? send(group.get(0)) : sendGroup(group);
      });
      for (int step = 0; step < run.size(); step++) {
        for (Prepared one : run.get(step)) {
          results.set(index.get(one), answers.get(step));
        }
      }
    }
    return results;
  }

  private boolean fitsWith(List<Prepared> group, Prepared next) {
    Prepared first = group.get(0);
    if (first.channels.size() != 1 || next.channels.size() != 1 || !first.channels.equals(next.channels)) {
      return false;
    }
    long size = next.size;
    for (Prepared prepared : group) {
      size += prepared.size;
    }
    return size <= maxMessageSize;
  }

  private Prepared prepare(BroadcastMessage message) {
    SocketIdentity sender = sender(message);
    long size = AblyMessages.size(message, sender);
    if (size > maxMessageSize) {
      throw new BroadcastException("Broadcast of " + message.describe() + " as '" + message.event() + "' is "
          + size + " bytes (event name and payload), over the Ably message size limit of " + maxMessageSize
          + " bytes; send less data in the event (an id the client fetches the rest with), or raise "
          + "maxMessageSize if your Ably plan allows larger messages", null, false, 0, AblyErrors.MESSAGE_TOO_LARGE);
    }
    return new Prepared(message, sender, ablyNames(message.channels()), size);
  }

  private CompletableFuture<Void> send(Prepared prepared) {
    List<String> channels = prepared.channels;
    if (channels.size() == 1) {
      return sendGroup(List.of(prepared));
    }
    List<CompletableFuture<Void>> sends = new ArrayList<>();
    for (int from = 0; from < channels.size(); from += MAX_BATCH_CHANNELS) {
      List<String> chunk = channels.subList(from, Math.min(channels.size(), from + MAX_BATCH_CHANNELS));
      byte[] body = AblyMessages.batchBody(prepared.message, chunk, prepared.sender);
      sends.add(post("/messages", body, describe(List.of(prepared.message), chunk), true));
    }
    return sends.size() == 1 ? sends.get(0) : all(sends);
  }

  /**
   * One batch publish of several channels' groups, a spec per channel; the answer per channel: a
   * channel Ably refused fails alone, one that Ably published succeeds, and when the request as a
   * whole failed, all fail. Cancelling any of them stops the request.
   */
  private Map<String, CompletableFuture<Void>> sendSpecs(List<List<Prepared>> specs) {
    List<String> channels = new ArrayList<>(specs.size());
    List<List<BroadcastMessage>> messages = new ArrayList<>(specs.size());
    List<List<SocketIdentity>> senders = new ArrayList<>(specs.size());
    List<BroadcastMessage> all = new ArrayList<>();
    for (List<Prepared> spec : specs) {
      channels.add(spec.get(0).channels.get(0));
      List<BroadcastMessage> ofChannel = new ArrayList<>(spec.size());
      List<SocketIdentity> sendersOfChannel = new ArrayList<>(spec.size());
      for (Prepared prepared : spec) {
        ofChannel.add(prepared.message);
        sendersOfChannel.add(prepared.sender);
      }
      messages.add(ofChannel);
      senders.add(sendersOfChannel);
      all.addAll(ofChannel);
    }
    String what = describe(all, channels);
    CompletableFuture<AblyRestClient.Answer> request = rest.post("/messages",
        AblyMessages.specsBody(channels, messages, senders));
    Map<String, CompletableFuture<Void>> answers = new LinkedHashMap<>();
    for (String channel : channels) {
      answers.put(channel, Cancellation.passCancel(request.handle((answer, error) -> {
        if (error != null) {
          Throwable cause = unwrap(error);
          String why = cause instanceof IOException ? "no Ably host answered (" + cause + ")" : cause.toString();
          throw BroadcastException.retryable(what + " failed: " + why, cause);
        }
        boolean partly = AblyErrors.isPartialFailure(answer) || (answer.isSuccessful() && AblyErrors.hasFailedItems(answer));
        if (!partly && !answer.isSuccessful()) {
          throw AblyErrors.refused(what, answer);
        }
        if (partly) {
          BroadcastException refused = AblyErrors.channelFailure(what, answer, channel);
          if (refused != null) {
            throw refused;
          }
        }
        return null;
      }), request));
    }
    return answers;
  }

  /** One request to one channel with the group's messages in order. */
  private CompletableFuture<Void> sendGroup(List<Prepared> group) {
    List<BroadcastMessage> messages = new ArrayList<>(group.size());
    List<SocketIdentity> senders = new ArrayList<>(group.size());
    for (Prepared prepared : group) {
      messages.add(prepared.message);
      senders.add(prepared.sender);
    }
    List<String> channel = group.get(0).channels;
    String path = "/channels/" + encodePathSegment(channel.get(0)) + "/messages";
    return post(path, AblyMessages.channelBody(messages, senders), describe(messages, channel), false);
  }

  private CompletableFuture<Void> post(String path, byte[] body, String what, boolean batch) {
    CompletableFuture<AblyRestClient.Answer> request = rest.post(path, body);
    return Cancellation.passCancel(request.handle((answer, error) -> {
      if (error != null) {
        Throwable cause = unwrap(error);
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
    }), request);
  }

  /** Completes when all have; fails with the first failure, the others suppressed in it. */
  private static CompletableFuture<Void> all(List<CompletableFuture<Void>> sends) {
    CompletableFuture<Void> every = Cancellation.all(sends);
    return Cancellation.passCancel(every.handle((ok, ignored) -> {
      List<BroadcastException> errors = new ArrayList<>();
      for (CompletableFuture<Void> send : sends) {
        Throwable error = send.handle((v, e) -> e).join();
        if (error != null) {
          errors.add(asBroadcastException(error));
        }
      }
      if (!errors.isEmpty()) {
        throw combine(errors);
      }
      return null;
    }), every);
  }

  /**
   * The first error, with the others suppressed in it; retryable when any is, since a retry can
   * still deliver the part that failed on Ably's side and the ids keep the rest from doubling.
   */
  private static BroadcastException combine(List<BroadcastException> errors) {
    BroadcastException first = errors.get(0);
    boolean retryable = errors.stream().anyMatch(BroadcastException::isRetryable);
    BroadcastException result = retryable == first.isRetryable() ? first
        : new BroadcastException(first.getMessage(), first, true, first.httpStatus(), first.providerCode());
    for (BroadcastException other : errors.subList(1, errors.size())) {
      result.addSuppressed(other);
    }
    return result;
  }

  private static BroadcastException asBroadcastException(Throwable error) {
    Throwable cause = unwrap(error);
    return cause instanceof BroadcastException ? (BroadcastException) cause
        : BroadcastException.retryable(cause.toString(), cause);
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
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

  private static String describe(List<BroadcastMessage> messages, List<String> channels) {
    String list = channels.size() <= 5 ? channels.toString()
        : channels.subList(0, 5) + " and " + (channels.size() - 5) + " more";
    String events = messages.size() == 1 ? "'" + messages.get(0).event() + "'" : messages.size() + " events";
    return "Publish of " + events + " to Ably channels " + list;
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
