package dev.broadcasting.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A re-delivery carries the message id it was broadcast with: a worker process sends an event to
 * Ably (MockWebServer standing in for it) and is killed before the answer; the worker that takes
 * its partition over sends the same event again, with the same Ably message id, which Ably's
 * idempotent publishing drops as a duplicate.
 */
@Tag("integration")
class QueueDuplicatesIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theWorkerThatTakesOverResendsWithTheSameAblyMessageId() throws Exception {
    List<String> ids = new CopyOnWriteArrayList<>();
    CountDownLatch firstArrived = new CountDownLatch(1);
    CountDownLatch released = new CountDownLatch(1);
    try (MockWebServer ably = new MockWebServer(); RedisNode queue = RedisNode.start()) {
      ably.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
          try {
            ids.add(JSON.readTree(request.getBody().utf8()).get(0).get("id").asText());
          } catch (java.io.IOException e) {
            throw new AssertionError("the ably driver sent no JSON array of messages", e);
          }
          if (ids.size() == 1) {
            firstArrived.countDown();
            released.await(30, TimeUnit.SECONDS); // the first worker dies waiting for this answer
          }
          return new MockResponse.Builder().code(201).body("{}").build();
        }
      });
      ably.start(InetAddress.getByName("127.0.0.1"), 0);
      Map<String, String> env = new HashMap<>();
      env.put("BROADCAST_CONNECTION", "ably");
      env.put("ABLY_KEY", "appId.keyId:keySecret");
      env.put("ABLY_HOST", "127.0.0.1");
      env.put("ABLY_PORT", Integer.toString(ably.getPort()));
      env.put("ABLY_TLS", "false");
      env.put("ABLY_ALLOW_INSECURE_BASIC_AUTH", "true");
      env.put("ABLY_REQUEST_TIMEOUT", "30s");
      env.put("BROADCAST_QUEUE", "redis");
      env.put("BROADCAST_QUEUE_REDIS_URL", queue.uri());
      env.put("BROADCAST_QUEUE_LEASE_TTL", "1s");
      Map<String, String> producerEnv = new HashMap<>(env);
      producerEnv.put("BROADCAST_QUEUE_WORKERS", "false");
      try (Broadcaster producer = Broadcaster.fromMap(producerEnv);
          RedisStreamQueue observer = QueueCrashIT.observer(queue)) {
        producer.on(new Channel("orders.1")).as("Seq").with(Map.of("n", 1)).send();
        try (ChildJvm first = ChildJvm.start(QueueWorker.class, env)) {
          assertThat(firstArrived.await(60, TimeUnit.SECONDS)).as("the first worker's request arrived").isTrue();
          first.kill();
        }
        try (ChildJvm second = ChildJvm.start(QueueWorker.class, env)) {
          assertThat(QueueCrashIT.awaitEmpty(observer).depth()).isZero();
        } finally {
          released.countDown();
        }
      }
    }
    assertThat(ids).hasSize(2);
    assertThat(ids.get(1)).as("the re-delivery's Ably id").isEqualTo(ids.get(0)).endsWith(":0");
  }
}
