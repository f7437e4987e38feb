package dev.broadcasting.ably;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.spi.BroadcastMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fallback hosts (RSC15): one MockWebServer per "host", each on its own loopback address and the
 * same port, so the driver's fallback list can name them as bare hosts, as Ably's fallbacks are.
 */
class AblyFallbackTest {
  private static final List<String> FALLBACKS = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6");

  private FakeAbly primary;
  private final List<FakeAbly> fallbacks = new ArrayList<>();
  private final List<String> journal = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    for (int attempt = 1; ; attempt++) {
      primary = FakeAbly.start();
      try {
        for (String address : FALLBACKS) {
          fallbacks.add(FakeAbly.start(address, primary.port()));
        }
        break;
      } catch (java.net.BindException taken) {
        // another process holds this port on one of the addresses: start over on a new port
        stop();
        fallbacks.clear();
        if (attempt == 5) {
          throw taken;
        }
      }
    }
    primary.journal = journal;
    fallbacks.forEach(f -> f.journal = journal);
  }

  @AfterEach
  void stop() {
    primary.close();
    fallbacks.forEach(FakeAbly::close);
  }

  private AblyBroadcastDriver.Builder driver() {
    return primary.driver().fallbackHosts(FALLBACKS);
  }

  @Test
  void serverErrorOnThePrimaryIsRetriedOnOneFallbackWithTheSameBody() throws Exception {
    primary.answer = request -> FakeAbly.error(500, 50000, "internal");
    AblyBroadcastDriver driver = driver().build();
    BroadcastMessage message = BroadcastMessage.of("E", List.of(new Channel("a")), "{\"x\":1}");
    driver.publish(message).get(10, TimeUnit.SECONDS);
    driver.close();

    assertThat(primary.requests).hasSize(1);
    List<RecordedRequest> onFallbacks = fallbackRequests();
    assertThat(onFallbacks).hasSize(1);
    RecordedRequest retried = onFallbacks.get(0);
    assertThat(retried.getTarget()).isEqualTo("/channels/public%3Aa/messages");
    assertThat(retried.getBody().utf8()).isEqualTo(primary.requests.get(0).getBody().utf8());
    assertThat(retried.getHeaders().get("Host")).isEqualTo(retried.getUrl().host() + ":" + primary.port());
    assertThat(retried.getHeaders().get("Authorization")).isEqualTo(FakeAbly.BASIC);
  }

  @Test
  void everyHostFailingStopsAfterTheRetryCountInRandomOrderAndLeavesARetryableError() throws Exception {
    primary.answer = request -> FakeAbly.error(503, 50300, "unavailable");
    fallbacks.forEach(f -> f.answer = request -> FakeAbly.error(504, 50400, "timeout"));
    AblyBroadcastDriver driver = driver().build();
    Set<List<String>> orders = new HashSet<>();
    for (int i = 0; i < 12; i++) {
      journal.clear();
      BroadcastException error = failure(driver, BroadcastMessage.of("E", List.of(new Channel("a")), "{}"));
      assertThat(error.isRetryable()).isTrue();
      assertThat(error.providerCode()).isEqualTo(50400);
      assertThat(journal).hasSize(4);
      assertThat(journal.get(0)).isEqualTo("127.0.0.1");
      List<String> hosts = List.copyOf(journal.subList(1, 4));
      assertThat(hosts).doesNotHaveDuplicates().isSubsetOf(FALLBACKS);
      orders.add(hosts);
    }
    driver.close();
    assertThat(primary.requests).hasSize(12);
    // 60 possible orders of 3 of 5 hosts: 12 draws all alike would mean the order is not random.
    assertThat(orders.size()).isGreaterThan(1);
  }

  @Test
  void retryCountAndZeroTurnOffFallback() throws Exception {
    primary.answer = request -> FakeAbly.error(502, 50200, "bad gateway");
    AblyBroadcastDriver driver = driver().httpMaxRetryCount(0).build();
    assertThat(failure(driver, BroadcastMessage.of("E", List.of(new Channel("a")), "{}")).isRetryable()).isTrue();
    driver.close();
    assertThat(primary.requests).hasSize(1);
    assertThat(fallbackRequests()).isEmpty();
  }

  @Test
  void clientErrorIsNotRetriedOnAFallback() {
    primary.answer = request -> FakeAbly.error(400, 40000, "bad request");
    AblyBroadcastDriver driver = driver().build();
    BroadcastException error = failure(driver, BroadcastMessage.of("E", List.of(new Channel("a")), "{}"));
    driver.close();
    assertThat(error.isRetryable()).isFalse();
    assertThat(error.providerCode()).isEqualTo(40000);
    assertThat(primary.requests).hasSize(1);
    assertThat(fallbackRequests()).isEmpty();
  }

  @Test
  void timeoutOnThePrimaryIsRetriedOnAFallback() throws Exception {
    primary.answer = request -> FakeAbly.stalled(3_000);
    AblyBroadcastDriver driver = driver().requestTimeout(Duration.ofSeconds(1)).build();
    driver.publish(BroadcastMessage.of("E", List.of(new Channel("a")), "{}")).get(10, TimeUnit.SECONDS);
    driver.close();
    assertThat(primary.requests).hasSize(1);
    assertThat(fallbackRequests()).hasSize(1);
  }

  @Test
  void noFallbackStartsAfterTheRetryDuration() {
    primary.answer = request -> FakeAbly.stalled(1_000);
    AblyBroadcastDriver driver = driver().requestTimeout(Duration.ofMillis(300))
        .httpMaxRetryDuration(Duration.ofMillis(100)).build();
    BroadcastException error = failure(driver, BroadcastMessage.of("E", List.of(new Channel("a")), "{}"));
    driver.close();
    assertThat(error.isRetryable()).isTrue();
    assertThat(error.getMessage()).contains("no Ably host answered");
    assertThat(primary.requests).hasSize(1);
    assertThat(fallbackRequests()).isEmpty();
  }

  @Test
  void cloudFrontErrorQualifiesForFallback() throws Exception {
    primary.answer = request -> new mockwebserver3.MockResponse.Builder().code(403).setHeader("Server", "CloudFront")
        .body("<html>denied</html>").build();
    AblyBroadcastDriver driver = driver().build();
    driver.publish(BroadcastMessage.of("E", List.of(new Channel("a")), "{}")).get(10, TimeUnit.SECONDS);
    driver.close();
    assertThat(fallbackRequests()).hasSize(1);
  }

  @Test
  void aCustomHostHasNoFallbacks() {
    primary.answer = request -> FakeAbly.error(500, 50000, "internal");
    AblyBroadcastDriver driver = primary.driver().build();
    assertThat(failure(driver, BroadcastMessage.of("E", List.of(new Channel("a")), "{}")).isRetryable()).isTrue();
    driver.close();
    assertThat(primary.requests).hasSize(1);
    assertThat(fallbackRequests()).isEmpty();
  }

  private List<RecordedRequest> fallbackRequests() {
    List<RecordedRequest> all = new ArrayList<>();
    fallbacks.forEach(f -> all.addAll(f.requests));
    return all;
  }

  private static BroadcastException failure(AblyBroadcastDriver driver, BroadcastMessage message) {
    try {
      driver.publish(message).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return (BroadcastException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected the publish to fail");
  }
}
