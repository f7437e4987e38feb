package dev.broadcasting.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The pieces the benchmarks stand on measure what they claim: payload sizes, and a sink that answers. */
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
}
