package dev.broadcasting.ably.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one POST to Ably, trying the fallback hosts on the errors that another data centre may
 * not have (RSC15l): unreachable host, timeout, HTTP 500 to 504, or a CloudFront error. It tries
 * at most {@code maxRetryCount} fallbacks (TO3l5) and starts no new attempt after
 * {@code maxRetryDuration} (TO3l6). Everything else is the caller's to judge.
 */
public final class AblyRestClient {
  private static final Logger log = LoggerFactory.getLogger(AblyRestClient.class);
  private static final MediaType JSON = MediaType.get("application/json");
  /** CSV2: the protocol version whose batch publish answers with 40020 and {@code batchResponse}. */
  static final String ABLY_VERSION = "2";
  static final String AGENT = "broadcasting-java/0.1";
  private static final int MAX_ERROR_BODY = 256 * 1024;

  private final OkHttpClient client;
  private final String scheme;
  private final int port;
  private final AblyHosts hosts;
  private final String authorization;
  private final int maxRetryCount;
  private final long maxRetryNanos;

  public AblyRestClient(OkHttpClient client, boolean tls, int port, AblyHosts hosts, String authorization,
      int maxRetryCount, Duration maxRetryDuration) {
    this.client = client;
    this.scheme = tls ? "https" : "http";
    this.port = port;
    this.hosts = hosts;
    this.authorization = authorization;
    this.maxRetryCount = maxRetryCount;
    this.maxRetryNanos = maxRetryDuration.toNanos();
  }

  /** The answer of the last host tried: a status and its body, read in full. */
  public record Answer(int status, String body, String host) {
    public boolean isSuccessful() {
      return status >= 200 && status < 300;
    }
  }

  /**
   * Posts {@code body} to {@code encodedPath}. The future completes with the last answer, or
   * exceptionally with the last {@link IOException} when no host answered.
   */
  public CompletableFuture<Answer> post(String encodedPath, byte[] body) {
    CompletableFuture<Answer> result = new CompletableFuture<>();
    List<String> plan = hosts.plan(maxRetryCount);
    attempt(new Attempt(encodedPath, RequestBody.create(body, JSON), plan, System.nanoTime(), result), 0);
    return result;
  }

  private void attempt(Attempt attempt, int index) {
    String host = attempt.plan.get(index);
    HttpUrl url = new HttpUrl.Builder().scheme(scheme).host(host).port(port).encodedPath(attempt.path).build();
    // OkHttp sets the Host header from the URL, which is what RSC15j asks of a fallback request.
    Request request = new Request.Builder().url(url)
        .header("Authorization", authorization)
        .header("Accept", "application/json")
        .header("X-Ably-Version", ABLY_VERSION)
        .header("Ably-Agent", AGENT)
        .post(attempt.body)
        .build();
    Call call;
    try {
      call = client.newCall(request);
    } catch (RuntimeException e) {
      attempt.result.completeExceptionally(e);
      return;
    }
    // Core cancels the driver's future on its attempt timeout and on close: that stops this call.
    attempt.result.whenComplete((answer, error) -> {
      if (attempt.result.isCancelled()) {
        call.cancel();
      }
    });
    call.enqueue(new Callback() {
      @Override
      public void onFailure(Call call, IOException e) {
        if (!next(attempt, index, host, e.toString())) {
          attempt.result.completeExceptionally(e);
        }
      }

      @Override
      public void onResponse(Call call, Response response) {
        Answer answer;
        boolean cloudFront;
        try (response) {
          cloudFront = "CloudFront".equalsIgnoreCase(response.header("Server", ""));
          answer = new Answer(response.code(), read(response.body()), host);
        } catch (IOException e) {
          onFailure(call, e);
          return;
        } catch (RuntimeException e) {
          attempt.result.completeExceptionally(e);
          return;
        }
        boolean qualifies = (answer.status() >= 500 && answer.status() <= 504) || (cloudFront && answer.status() >= 400);
        if (!qualifies || !next(attempt, index, host, "HTTP " + answer.status())) {
          attempt.result.complete(answer);
        }
      }
    });
  }

  /** Starts the next host of the plan when there is one and time is left; false when the caller must give up. */
  private boolean next(Attempt attempt, int index, String host, String why) {
    if (attempt.result.isDone() || index + 1 >= attempt.plan.size()
        || System.nanoTime() - attempt.startNanos >= maxRetryNanos) {
      return false;
    }
    log.debug("Ably host {} failed ({}); trying fallback host {}", host, why, attempt.plan.get(index + 1));
    attempt(attempt, index + 1);
    return true;
  }

  private static String read(ResponseBody body) throws IOException {
    if (body == null) {
      return "";
    }
    try (java.io.InputStream in = body.byteStream()) {
      return new String(in.readNBytes(MAX_ERROR_BODY), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private record Attempt(String path, RequestBody body, List<String> plan, long startNanos,
      CompletableFuture<Answer> result) {}
}
