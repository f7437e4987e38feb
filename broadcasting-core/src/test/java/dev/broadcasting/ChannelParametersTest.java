package dev.broadcasting;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The README's {@code params.getLong(...)} idiom: a client asking for a channel whose parameter is
 * not a number gets a quiet 403, with the reason at debug, never a WARN with a stack trace.
 */
class ChannelParametersTest {
  record User(long id) {}

  private final ChannelAuthorizerTest.RecordingSigner signer = new ChannelAuthorizerTest.RecordingSigner();
  private final ChannelAuthorizer<User> channels = ChannelAuthorizer.<User>create(signer)
      .channel("user.{id}", (user, params) -> user.id() == params.getLong("id"))
      .channel("shard.{n}", (user, params) -> params.getInt("n") >= 0)
      .channel("doc.{uuid}", (user, params) -> params.getUuid("uuid") != null);

  @Test
  void aParameterThatIsNotANumberIsAQuiet403WithTheReasonAtDebug() {
    String log = stderrOf(() -> {
      assertThat(channels.authorize("1.2", "private-user.abc", new User(1)))
          .isEqualTo(new AuthResponse(403, "{\"error\":\"Forbidden\"}"));
      assertThat(channels.authorize("1.2", "private-shard.99999999999", new User(1)).status()).isEqualTo(403);
      assertThat(channels.authorize("1.2", "private-doc.not-a-uuid", new User(1)).status()).isEqualTo(403);
    });
    assertThat(log).doesNotContain("WARN").doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(log.lines().map(line -> line.replaceFirst("^\\[[^]]*] ", "")))
        .containsExactly(
            "DEBUG dev.broadcasting.ChannelAuthorizer - Channel auth denied for private-user.abc: "
                + "parameter {id} is not a whole number: \"abc\"",
            "DEBUG dev.broadcasting.ChannelAuthorizer - Channel auth denied for private-shard.99999999999: "
                + "parameter {n} is not a whole number within int range: \"99999999999\"",
            "DEBUG dev.broadcasting.ChannelAuthorizer - Channel auth denied for private-doc.not-a-uuid: "
                + "parameter {uuid} is not a UUID: \"not-a-uuid\"");
    assertThat(signer.calls).isEmpty();
  }

  @Test
  void numbersStillConvert() {
    assertThat(channels.authorize("1.2", "private-user.1", new User(1)).status()).isEqualTo(200);
    assertThat(channels.authorize("1.2", "private-shard.7", new User(1)).status()).isEqualTo(200);
    assertThat(channels.authorize("1.2", "private-doc." + new UUID(1, 2), new User(1)).status()).isEqualTo(200);
  }

  private static String stderrOf(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
