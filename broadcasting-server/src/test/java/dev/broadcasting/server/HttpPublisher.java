package dev.broadcasting.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** Publishes through the HTTP API with the test's own request signing, as a Pusher server SDK would. */
final class HttpPublisher {
  private static final HttpClient HTTP = WsClient.HTTP;
  private final int port;
  private final String appId;
  private final String key;
  private final String secret;

  HttpPublisher(int port, String appId, String key, String secret) {
    this.port = port;
    this.appId = appId;
    this.key = key;
    this.secret = secret;
  }

  void trigger(String event, String channel, String data) throws Exception {
    String body = WsClient.JSON.writeValueAsString(WsClient.JSON.createObjectNode().put("name", event)
        .put("channel", channel).put("data", data));
    String path = "/apps/" + appId + "/events";
    URI uri = HttpApiTest.signed(port, key, "POST", path, Map.of(), body, secret, System.currentTimeMillis() / 1000);
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new AssertionError("HTTP API answered " + response.statusCode() + ": " + response.body());
    }
  }
}
