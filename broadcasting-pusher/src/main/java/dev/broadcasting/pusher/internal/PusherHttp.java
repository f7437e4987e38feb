package dev.broadcasting.pusher.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.internal.DaemonThreads;
import dev.broadcasting.internal.NoDelaySockets;
import dev.broadcasting.pusher.protocol.PusherSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
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
import okhttp3.ResponseBody;

/**
 * Sends signed requests to one Pusher app's HTTP API and turns the answer into a future: the body
 * on 2xx, else a {@link BroadcastException} that says whether a retry may help.
 */
public final class PusherHttp {
  private static final MediaType JSON = MediaType.get("application/json");
  private static final int MAX_ERROR_BODY = 512;

  private final OkHttpClient client;
  private final HttpUrl baseUrl;
  private final String appId;
  private final PusherSigner signer;

  public PusherHttp(OkHttpClient client, HttpUrl baseUrl, String appId, PusherSigner signer) {
    this.client = client;
    this.baseUrl = baseUrl;
    this.appId = appId;
    this.signer = signer;
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

  /**
   * Stops a client this driver built: cancels its calls still open, lets its threads end, and
   * closes its idle connections.
   */
  public static void shutDown(OkHttpClient client) {
    client.dispatcher().cancelAll();
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  /** {@code /apps/<id>} followed by {@code suffix}, e.g. {@code /events}. */
  public String appPath(String suffix) {
    return "/apps/" + appId + suffix;
  }

  public CompletableFuture<String> post(String path, byte[] body) {
    return send("POST", path, Map.of(), body);
  }

  public CompletableFuture<String> get(String path, Map<String, String> query) {
    return send("GET", path, query, null);
  }

  /** The signed request, timestamped now: what {@link #post} and {@link #get} send. */
  public Request request(String method, String path, Map<String, String> query, byte[] body) {
    long now = System.currentTimeMillis() / 1000;
    HttpUrl.Builder url = baseUrl.newBuilder().encodedPath(path);
    signer.signRequest(method, path, query, body, now).forEach(url::addQueryParameter);
    return new Request.Builder()
        .url(url.build())
        .method(method, body == null ? null : RequestBody.create(body, JSON))
        .build();
  }

  private CompletableFuture<String> send(String method, String path, Map<String, String> query, byte[] body) {
    Request request = request(method, path, query, body);
    CompletableFuture<String> result = new CompletableFuture<>();
    Call call = client.newCall(request);
    // Core cancels this very future on its attempt timeout and on close: that stops the call.
    result.whenComplete((ok, error) -> {
      if (error != null) {
        call.cancel();
      }
    });
    call.enqueue(new Callback() {
      @Override
      public void onResponse(Call call, Response response) {
        try (response) {
          ResponseBody responseBody = response.body();
          // JSON is UTF-8 (RFC 8259): decoding it so skips parsing the Content-Type, a regular
          // expression per response, which string() does to find a charset
          String text = new String(responseBody.bytes(), StandardCharsets.UTF_8);
          if (response.isSuccessful()) {
            result.complete(text);
          } else {
            result.completeExceptionally(failure(method, path, response.code(), text));
          }
        } catch (IOException e) {
          onFailure(call, e);
        }
      }

      @Override
      public void onFailure(Call call, IOException e) {
        result.completeExceptionally(BroadcastException.retryable(
            "Pusher request " + method + " " + path + " to " + baseUrl.host() + ":" + baseUrl.port()
                + " failed: " + e, e));
      }
    });
    return result;
  }

  /** 4xx means the request itself is wrong and will stay wrong, except 429 (slow down and retry). */
  static BroadcastException failure(String method, String path, int status, String body) {
    boolean retryable = status >= 500 || status == 429 || status == 408;
    String shown = body.length() > MAX_ERROR_BODY ? body.substring(0, MAX_ERROR_BODY) + "..." : body;
    return new BroadcastException("Pusher answered " + status + " to " + method + " " + path + ": "
        + shown.strip() + (status == 401 || status == 403 ? " (check PUSHER_APP_ID, PUSHER_APP_KEY and "
            + "PUSHER_APP_SECRET, and that the server clock is right)" : ""), null, retryable, status);
  }

  public HttpUrl baseUrl() {
    return baseUrl;
  }

  public OkHttpClient client() {
    return client;
  }
}
