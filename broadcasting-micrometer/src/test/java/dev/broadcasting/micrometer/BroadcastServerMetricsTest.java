package dev.broadcasting.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BroadcastServerMetricsTest {

  @Test
  void gaugesTheOpenConnectionsOfEachApp() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (BroadcastServer server = BroadcastServer.builder().host("127.0.0.1").port(0)
        .app(App.builder("1", "app-key", "app-secret").build()).build().start()) {
      new BroadcastServerMetrics(server).bindTo(meters);
      assertThat(meters.get("broadcasting.server.connections").tag("app", "1").gauge().value()).isEqualTo(0.0);

      BlockingQueue<String> frames = new LinkedBlockingQueue<>();
      WebSocket socket = connect(server, frames);
      assertThat(frames.poll(10, TimeUnit.SECONDS)).contains("pusher:connection_established");

      assertThat(meters.get("broadcasting.server.connections").tag("app", "1").gauge().value()).isEqualTo(1.0);
      socket.abort();
    }
  }

  @Test
  void countsChannelsMessagesRefusalsAndTheWebhookBacklog() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    // a receiver nobody listens on: the webhook stays in the backlog, retried
    try (java.net.ServerSocket closed = new java.net.ServerSocket(0);
        BroadcastServer server = BroadcastServer.builder().host("127.0.0.1").port(0)
            .app(App.builder("1", "app-key", "app-secret")
                .webhook(URI.create("http://127.0.0.1:" + closed.getLocalPort() + "/hooks"))
                .webhookBatch(1, Duration.ZERO).build())
            .build().start()) {
      new BroadcastServerMetrics(server).bindTo(meters);
      BlockingQueue<String> received = new LinkedBlockingQueue<>();
      WebSocket socket = connect(server, received);
      assertThat(received.poll(10, TimeUnit.SECONDS)).contains("pusher:connection_established");
      socket.sendText("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"news\"}}", true).join();
      assertThat(received.poll(10, TimeUnit.SECONDS)).contains("subscription_succeeded");
      socket.sendText("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"private-a\",\"auth\":\"app-key:x\"}}",
          true).join();
      assertThat(received.poll(10, TimeUnit.SECONDS)).contains("subscription_error");

      assertThat(meters.get("broadcasting.server.channels").tag("app", "1").gauge().value()).isEqualTo(1.0);
      assertThat(meters.get("broadcasting.server.messages").tags("app", "1", "direction", "in").functionCounter()
          .count()).isEqualTo(2.0);
      assertThat(meters.get("broadcasting.server.messages").tags("app", "1", "direction", "out").functionCounter()
          .count()).isEqualTo(3.0);
      assertThat(meters.get("broadcasting.server.refusals").tag("app", "1").functionCounter().count()).isEqualTo(1.0);
      assertThat(meters.get("broadcasting.server.client.events").tag("app", "1").functionCounter().count()).isZero();
      // channel_occupied went out to a port that refuses: it waits to be retried
      assertThat(meters.get("broadcasting.server.webhook.backlog").tag("app", "1").gauge().value()).isEqualTo(1.0);
      assertThat(meters.get("broadcasting.server.webhook.events").tags("app", "1", "outcome", "sent")
          .functionCounter().count()).isZero();
      assertThat(meters.find("broadcasting.server.messages").meters()).hasSize(2);
      socket.abort();
    }
  }

  @Test
  void countsTheWebhookEventsTheReceiverAccepted() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (MockWebServer receiver = new MockWebServer()) {
      receiver.start();
      receiver.enqueue(new MockResponse.Builder().code(200).build());
      try (BroadcastServer server = BroadcastServer.builder().host("127.0.0.1").port(0)
          .app(App.builder("1", "app-key", "app-secret").webhook(URI.create(receiver.url("/hooks").toString()))
              .webhookBatch(1, Duration.ZERO).build()).build().start()) {
        new BroadcastServerMetrics(server).bindTo(meters);
        assertThat(meters.get("broadcasting.server.webhook.events").tags("app", "1", "outcome", "sent")
            .functionCounter().count()).isZero();

        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        WebSocket socket = connect(server, frames);
        assertThat(frames.poll(10, TimeUnit.SECONDS)).contains("pusher:connection_established");
        socket.sendText("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"news\"}}", true);

        RecordedRequest hook = receiver.takeRequest(10, TimeUnit.SECONDS);
        assertThat(hook).as("the channel_occupied webhook").isNotNull();
        assertThat(hook.getBody().utf8()).contains("channel_occupied");
        FunctionCounter sent = meters.get("broadcasting.server.webhook.events").tags("app", "1", "outcome", "sent")
            .functionCounter();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sent.count() < 1 && System.nanoTime() < deadline) {
          Thread.sleep(10); // the count follows the receiver's answer, which the server reads after it arrived
        }
        assertThat(sent.count()).isEqualTo(1.0);
        assertThat(meters.get("broadcasting.server.webhook.events").tags("app", "1", "outcome", "dropped")
            .functionCounter().count()).isZero();
        assertThat(meters.get("broadcasting.server.webhook.connections").tag("app", "1").gauge()).isNotNull();
        socket.abort();
      }
    }
  }

  /** A WebSocket to the app {@code app-key}, its text frames put in {@code frames}. */
  private static WebSocket connect(BroadcastServer server, BlockingQueue<String> frames) throws Exception {
    return HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/app/app-key?protocol=7"),
            new WebSocket.Listener() {
              @Override
              public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                frames.add(data.toString());
                webSocket.request(1);
                return null;
              }
            })
        .get(10, TimeUnit.SECONDS);
  }
}
