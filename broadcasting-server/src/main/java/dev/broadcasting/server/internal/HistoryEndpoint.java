package dev.broadcasting.server.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.broadcasting.server.HistoryRule;
import dev.broadcasting.server.internal.HttpApi.Answer;
import dev.broadcasting.server.internal.history.Replay;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * {@code GET /apps/{id}/channels/{name}/history?from=N[&epoch=E][&limit=L]}, signed like the rest of
 * the HTTP API: the kept events of a history channel after offset {@code from}, oldest first. With
 * {@code epoch}, a position of a lost stream is answered {@code "recovered":false}, as on the socket.
 *
 * <pre>{@code
 * GET /apps/1/channels/news/history?from=40&epoch=k2x9&limit=100&auth_key=...&auth_signature=...
 * }</pre>
 */
final class HistoryEndpoint {
  static final int MAX_LIMIT = 1000;

  private HistoryEndpoint() {}

  static Answer read(AppHub hub, String channel, QueryStringDecoder uri) {
    String invalid = ChannelKind.invalidReason(channel);
    if (invalid != null) {
      return HttpApi.error(HttpResponseStatus.BAD_REQUEST, invalid);
    }
    HistoryRule rule = hub.history().ruleFor(channel);
    if (rule == null) {
      return HttpApi.error(HttpResponseStatus.NOT_FOUND, "No history is kept for channel " + channel
          + "; add a matching App.Builder.history(pattern, maxEvents, timeToLive) rule");
    }
    long from;
    int limit;
    try {
      from = Long.parseLong(HttpApi.param(uri, "from", "0"));
      limit = Integer.parseInt(HttpApi.param(uri, "limit", "100"));
    } catch (NumberFormatException e) {
      return HttpApi.error(HttpResponseStatus.BAD_REQUEST, "from and limit must be whole numbers, e.g. from=0&limit=100");
    }
    if (from < 0 || limit < 1 || limit > MAX_LIMIT) {
      return HttpApi.error(HttpResponseStatus.BAD_REQUEST, "from must be at least 0 and limit between 1 and "
          + MAX_LIMIT + ", but were " + from + " and " + limit);
    }
    String epoch = HttpApi.param(uri, "epoch", "");
    // a blank epoch= is no epoch, on one node as in the cluster
    Replay replay = hub.history().read(hub.cluster, channel, rule, epoch.isBlank() ? null : epoch, from, limit);
    ObjectNode root = Json.object().put("recovered", replay.recovered());
    if (!replay.recovered()) {
      root.put("reason", replay.notRecoveredReason());
    }
    root.put("epoch", replay.epoch()).put("offset", replay.offset());
    ArrayNode events = root.putArray("events");
    replay.events().forEach(message -> events.add(Json.parseOrNull(message)));
    return new Answer(HttpResponseStatus.OK, Json.write(root));
  }
}
