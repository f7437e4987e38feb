package dev.broadcasting.pusher.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broadcasting.BroadcastException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PusherWebhookTest {
  private static final JsonNode VECTOR = PusherVectors.get("webhook");
  private final PusherWebhook webhook =
      new PusherWebhook(new PusherSigner(VECTOR.get("key").asText(), VECTOR.get("secret").asText()));

  @Test
  void acceptsTheDocumentedWebhook() {
    byte[] body = VECTOR.get("body").asText().getBytes(UTF_8);

    PusherWebhook.Notification notification =
        webhook.verify(VECTOR.get("key").asText(), VECTOR.get("x_pusher_signature").asText(), body);

    assertThat(notification.timeMs()).isEqualTo(1403175510755L);
    assertThat(notification.time()).isEqualTo(Instant.ofEpochMilli(1403175510755L));
    assertThat(notification.events()).containsExactly(new PusherWebhook.ChannelVacated("test_channel"));
  }

  @Test
  void readsEveryKindOfEvent() {
    String body = "{\"time_ms\":1700000000000,\"events\":["
        + "{\"name\":\"channel_occupied\",\"channel\":\"a\"},"
        + "{\"name\":\"channel_vacated\",\"channel\":\"a\"},"
        + "{\"name\":\"member_added\",\"channel\":\"presence-r\",\"user_id\":\"7\"},"
        + "{\"name\":\"member_removed\",\"channel\":\"presence-r\",\"user_id\":\"7\"},"
        + "{\"name\":\"client_event\",\"channel\":\"presence-r\",\"event\":\"client-typing\","
        + "\"data\":\"{\\\"on\\\":true}\",\"socket_id\":\"1.2\",\"user_id\":\"7\"},"
        + "{\"name\":\"client_event\",\"channel\":\"private-r\",\"event\":\"client-x\",\"data\":\"{}\",\"socket_id\":\"3.4\"},"
        + "{\"name\":\"cache_miss\",\"channel\":\"cache-c\"},"
        + "{\"name\":\"subscription_count\",\"channel\":\"a\",\"subscription_count\":12},"
        + "{\"name\":\"something_new\",\"channel\":\"a\",\"extra\":1}]}";

    PusherWebhook.Notification notification = webhook.verify("123456789", sign(body), body.getBytes(UTF_8));

    assertThat(notification.events()).containsExactly(
        new PusherWebhook.ChannelOccupied("a"),
        new PusherWebhook.ChannelVacated("a"),
        new PusherWebhook.MemberAdded("presence-r", "7"),
        new PusherWebhook.MemberRemoved("presence-r", "7"),
        new PusherWebhook.ClientEvent("presence-r", "client-typing", "{\"on\":true}", "1.2", "7"),
        new PusherWebhook.ClientEvent("private-r", "client-x", "{}", "3.4", null),
        new PusherWebhook.CacheMiss("cache-c"),
        new PusherWebhook.SubscriptionCount("a", 12),
        new PusherWebhook.Unknown("a", "something_new", "{\"name\":\"something_new\",\"channel\":\"a\",\"extra\":1}"));
  }

  @Test
  void rejectsAWrongSignatureAKeyOfAnotherAppAndMissingHeaders() {
    byte[] body = VECTOR.get("body").asText().getBytes(UTF_8);
    String signature = VECTOR.get("x_pusher_signature").asText();
    byte[] tampered = VECTOR.get("body").asText().replace("vacated", "occupied").getBytes(UTF_8);

    assertThat(webhook.isValid("123456789", signature, body)).isTrue();
    assertThat(webhook.isValid("123456789", signature, tampered)).isFalse();
    assertThat(webhook.isValid("123456789", signature.toUpperCase(), body)).isFalse();
    assertThat(webhook.isValid("987654321", signature, body)).isFalse();
    assertThat(webhook.isValid(null, signature, body)).isFalse();

    assertThatThrownBy(() -> webhook.verify("123456789", signature, tampered))
        .isInstanceOfSatisfying(BroadcastException.class, e -> assertThat(e.httpStatus()).isEqualTo(401))
        .hasMessageContaining("X-Pusher-Signature does not match")
        .hasMessageNotContaining("tofu");
    assertThatThrownBy(() -> webhook.verify("987654321", signature, body))
        .hasMessageContaining("X-Pusher-Key \"987654321\" is not this app's key");
    assertThatThrownBy(() -> webhook.verify("123456789", null, body)).hasMessageContaining("header is missing");
  }

  @Test
  void rejectsASignedBodyThatIsNotAWebhook() {
    String body = "{\"events\":[]}";
    assertThatThrownBy(() -> webhook.verify("123456789", sign(body), body.getBytes(UTF_8)))
        .isInstanceOfSatisfying(BroadcastException.class, e -> assertThat(e.httpStatus()).isEqualTo(400))
        .hasMessageContaining("time_ms");
    String notJson = "time_ms=1";
    assertThatThrownBy(() -> webhook.verify("123456789", sign(notJson), notJson.getBytes(UTF_8)))
        .hasMessageContaining("not JSON");
  }

  private static String sign(String body) {
    return JavaxHmac.hex(VECTOR.get("secret").asText(), body);
  }
}
