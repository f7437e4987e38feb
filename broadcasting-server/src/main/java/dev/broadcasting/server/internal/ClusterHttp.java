package dev.broadcasting.server.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API and {@code /health} of an app in a cluster. API calls wait for the cluster's shared
 * state, so they run on the app's API threads instead of an event loop; when the cluster is out of
 * reach they answer 503, and {@code /health} says {@code "degraded"}. A connection's calls are
 * answered one at a time, in the order they came.
 */
final class ClusterHttp {
  private static final Logger log = LoggerFactory.getLogger(ClusterHttp.class);
  /** The connection's latest API call; the next one starts when it is answered. */
  private static final AttributeKey<CompletableFuture<Void>> LAST_CALL = AttributeKey.valueOf("broadcasting.lastApiCall");

  private ClusterHttp() {}

  /** Whether {@code path}, under {@code /apps/}, names an app that is part of a cluster. */
  static boolean clustered(Map<String, AppHub> hubsById, String path) {
    AppHub hub = hubOf(hubsById, path);
    return hub != null && hub.cluster != null;
  }

  static void answer(ChannelHandlerContext ctx, FullHttpRequest request, Map<String, AppHub> hubsById, String path,
      Supplier<HttpApi.Answer> api) {
    AppCluster cluster = hubOf(hubsById, path).cluster;
    request.retain();
    // one call at a time per connection, so pipelined requests keep their order and so do their
    // answers; reading pauses meanwhile, which bounds what a connection can queue
    ctx.channel().config().setAutoRead(false);
    CompletableFuture<Void> previous = ctx.channel().attr(LAST_CALL).get();
    CompletableFuture<Void> done = new CompletableFuture<>();
    ctx.channel().attr(LAST_CALL).set(done);
    Runnable finish = () -> {
      request.release();
      ctx.channel().config().setAutoRead(true);
      done.complete(null);
    };
    (previous == null ? CompletableFuture.<Void>completedFuture(null) : previous).whenComplete((ignored, e) -> {
      try {
        cluster.apiThreads().execute(() -> {
          HttpApi.Answer answer = call(request, path, api);
          ctx.executor().execute(() -> {
            try {
              HttpRouter.respond(ctx, request, answer.status(), answer.body());
            } finally {
              finish.run();
            }
          });
        });
      } catch (RejectedExecutionException full) {
        ctx.executor().execute(() -> {
          try {
            HttpRouter.respond(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE,
                HttpRouter.error("Too many HTTP API calls wait for the cluster; try again shortly"));
          } finally {
            finish.run();
          }
        });
      }
    });
  }

  private static HttpApi.Answer call(FullHttpRequest request, String path, Supplier<HttpApi.Answer> api) {
    try {
      return api.get();
    } catch (ClusterUnavailableException e) {
      return HttpApi.error(HttpResponseStatus.SERVICE_UNAVAILABLE, e.getMessage());
    } catch (RuntimeException e) {
      log.error("HTTP API call {} {} failed", request.method(), path, e);
      return HttpApi.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "The server failed; see its log");
    }
  }

  /** {@code {"status":"ok"|"degraded","connections":n[,"problem":"..."]}}. */
  static String health(Collection<AppHub> hubs, int connections) {
    String problem = null;
    for (AppHub hub : hubs) {
      if (hub.cluster != null && problem == null) {
        problem = hub.cluster.problem();
      }
    }
    var body = Json.object().put("status", problem == null ? "ok" : "degraded").put("connections", connections);
    if (problem != null) {
      body.put("problem", problem);
    }
    return Json.write(body);
  }

  private static AppHub hubOf(Map<String, AppHub> hubsById, String path) {
    String rest = path.substring("/apps/".length());
    int slash = rest.indexOf('/');
    return hubsById.get(slash < 0 ? rest : rest.substring(0, slash));
  }
}
