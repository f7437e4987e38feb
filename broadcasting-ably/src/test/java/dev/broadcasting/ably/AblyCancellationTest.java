package dev.broadcasting.ably;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * Core's attempt timeout reaches the Ably request: the call is cancelled before the retry starts,
 * as the application's own OkHttp client sees it.
 */
class AblyCancellationTest {

  @Test
  void anAttemptTimeoutCancelsTheCallBeforeTheRetryStarts() throws Exception {
    List<String> calls = new CopyOnWriteArrayList<>();
    AtomicInteger started = new AtomicInteger();
    OkHttpClient application = new OkHttpClient.Builder().eventListenerFactory(call -> new EventListener() {
      private final int number = started.incrementAndGet();

      @Override
      public void callStart(Call call) {
        calls.add("start " + number);
      }

      @Override
      public void canceled(Call call) {
        calls.add("canceled " + number);
      }
    }).build();
    try (FakeAbly ably = FakeAbly.start()) {
      AtomicInteger requests = new AtomicInteger();
      ably.answer = request -> requests.incrementAndGet() == 1
          ? new MockResponse.Builder().headersDelay(10, TimeUnit.SECONDS).code(201).body("{}").build()
          : FakeAbly.created();
      try (Broadcaster broadcaster = Broadcaster.builder()
          .connection("ably", ably.driver().httpClient(application).requestTimeout(Duration.ofSeconds(20)).build())
          .attemptTimeout(Duration.ofMillis(400))
          .retry(RetryPolicy.builder().maxAttempts(2).baseDelay(Duration.ofMillis(200)).build()).build()) {
        broadcaster.on(new Channel("orders")).as("E").send().get(10, TimeUnit.SECONDS);
      }
    } finally {
      application.dispatcher().executorService().shutdown();
      application.connectionPool().evictAll();
    }
    // without the cancel, call 1 would run on beside call 2 until its own 20 s timeout
    assertThat(calls).startsWith("start 1", "canceled 1", "start 2");
  }
}
