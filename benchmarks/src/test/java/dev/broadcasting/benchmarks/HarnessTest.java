package dev.broadcasting.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The pieces the benchmarks stand on measure what they claim: payload sizes, and a sink that answers, at once or later. */
class HarnessTest {

  @Test
  void payloadIsValidJsonOfExactlyTheAskedSize() throws Exception {
    String json = Payloads.json(200);

    assertThat(json).hasSize(200);
    assertThat(new ObjectMapper().readTree(json).get("text").asText()).hasSize(200 - "{\"text\":\"\"}".length());
    assertThat(new ObjectMapper().readTree(Payloads.quote(json)).asText()).isEqualTo(json);
  }

  @Test
  void sinkAnswersEachRequestWithItsStatusAndBody() throws Exception {
    try (HttpSink sink = HttpSink.start(201, "{\"ok\":true}").recordBodies()) {
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> answer = client.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + sink.port() + "/apps/1/events?auth_key=k"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"e\"}")).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(answer.statusCode()).isEqualTo(201);
      assertThat(answer.body()).isEqualTo("{\"ok\":true}");
      assertThat(sink.requests()).isEqualTo(1);
      assertThat(sink.lastUri()).isEqualTo("/apps/1/events?auth_key=k");
      assertThat(sink.lastBody()).isEqualTo("{\"name\":\"e\"}");
    }
  }

  @Test
  void delayedSinkReadsEveryRequestWhileItsAnswersWait() throws Exception {
    // answers far in the future: had the one event loop thread slept per request, it would read one
    // request per delay, and the 32 would never all arrive while none is answered
    try (HttpSink sink = HttpSink.start(200, "{}", Duration.ofMinutes(5))) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      for (int i = 0; i < 32; i++) {
        client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sink.port() + "/r" + i))
            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.discarding());
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (sink.requests() < 32 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }

      assertThat(sink.requests()).isEqualTo(32);
      assertThat(sink.answered()).isZero();
    }
  }

  @Test
  void delayedSinkAnswersWithItsStatusAndBody() throws Exception {
    try (HttpSink sink = HttpSink.start(201, "{\"ok\":true}", Duration.ofMillis(20))) {
      HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + sink.port() + "/")).GET().build(), HttpResponse.BodyHandlers.ofString());

      assertThat(answer.statusCode()).isEqualTo(201);
      assertThat(answer.body()).isEqualTo("{\"ok\":true}");
      assertThat(sink.answered()).isEqualTo(1);
    }
  }
}
