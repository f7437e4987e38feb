package dev.broadcasting.pusher.internal;

import dev.broadcasting.internal.DaemonThreads;
import dev.broadcasting.internal.NoDelaySockets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The transport on an application's own OkHttpClient (its interceptors, proxy, TLS settings and
 * pool), used when the builder was given {@code client(OkHttpClient)}. The only class of the driver
 * that touches OkHttp, which is an optional dependency.
 * {@code new OkHttpTransport(appClient, endpoint, null, null, null)}
 */
public final class OkHttpTransport implements PusherTransport {
  private static final MediaType JSON = MediaType.get("application/json");

  private final OkHttpClient client;
  private final HttpUrl base;
  private final boolean owned;

  /** @param shared the application's client, or null for one of the driver's own (benchmarks compare with it) */
  public OkHttpTransport(OkHttpClient shared, PusherEndpoint endpoint, Duration connect, Duration read, Duration call) {
    this.client = newClient(shared, connect, read, call);
    this.base = new HttpUrl.Builder().scheme(endpoint.scheme()).host(endpoint.host()).port(endpoint.port()).build();
    this.owned = shared == null;
  }

  /**
   * The driver's client: derived from the application's with {@code newBuilder()} (sharing its
   * pool and threads, so nothing to close later), or a new one. Null timeouts keep the defaults:
   * connect 5 s, read and write 10 s, whole call 20 s (inside core's 30 s attempt timeout).
   */
  public static OkHttpClient newClient(OkHttpClient shared, Duration connect, Duration read, Duration call) {
    OkHttpClient.Builder client;
    if (shared != null) {
      client = shared.newBuilder();
    } else {
      // Daemon threads the driver owns and stops on close: OkHttp's default ones are not daemons and
      // linger a minute after the last call, holding up JVM exit.
      Dispatcher dispatcher = new Dispatcher(new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
          new SynchronousQueue<>(), DaemonThreads.named("broadcasting-pusher-http-")));
      // Core orders events per channel, not globally, so many channels may be in flight at once.
      dispatcher.setMaxRequests(128);
      dispatcher.setMaxRequestsPerHost(64);
      // As many idle connections as requests in flight: with OkHttp's default of 5, a burst of 64
      // closes 59 connections when it ends and opens them again for the next one.
      client = new OkHttpClient.Builder().dispatcher(dispatcher)
          .connectionPool(new ConnectionPool(64, 5, TimeUnit.MINUTES))
          .connectTimeout(Duration.ofSeconds(5))
          .readTimeout(Duration.ofSeconds(10))
          .writeTimeout(Duration.ofSeconds(10))
          .callTimeout(Duration.ofSeconds(20));
    }
    client.socketFactory(NoDelaySockets.unlessCustom(shared != null ? shared.socketFactory() : SocketFactory.getDefault()));
    if (connect != null) {
      client.connectTimeout(connect);
    }
    if (read != null) {
      client.readTimeout(read).writeTimeout(read);
    }
    if (call != null) {
      client.callTimeout(call);
    }
    return client.build();
  }

  /** Stops a client the driver built: cancels its open calls, lets its threads end, closes its idle connections. */
  public static void shutDown(OkHttpClient client) {
    client.dispatcher().cancelAll();
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  @Override
  public CompletableFuture<Answer> send(String method, String target, byte[] body) {
    int query = target.indexOf('?');
    HttpUrl.Builder url = base.newBuilder().encodedPath(query < 0 ? target : target.substring(0, query));
    if (query >= 0) {
      url.encodedQuery(target.substring(query + 1));
    }
    Request request = new Request.Builder().url(url.build())
        .method(method, body == null ? null : RequestBody.create(body, JSON)).build();
    CompletableFuture<Answer> result = new CompletableFuture<>();
    Call call = client.newCall(request);
    // Core cancels the driver's future on its attempt timeout and on close: that stops the call.
    result.whenComplete((ok, error) -> {
      if (error != null) {
        call.cancel();
      }
    });
    call.enqueue(new Callback() {
      @Override
      public void onResponse(Call call, Response response) {
        try (response) {
          // UTF-8 without parsing the Content-Type, a regular expression per response that string() runs
          result.complete(new Answer(response.code(), new String(response.body().bytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
          result.completeExceptionally(e);
        }
      }

      @Override
      public void onFailure(Call call, IOException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  /** Releases the client if the driver built it; an application's client stays open. */
  @Override
  public void close() {
    if (owned) {
      shutDown(client);
    }
  }

  public OkHttpClient client() {
    return client;
  }
}
