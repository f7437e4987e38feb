package dev.broadcasting.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.doctor.Finding.Outcome;
import dev.broadcasting.doctor.internal.RedisCheck;
import dev.broadcasting.doctor.internal.RedisTarget;
import dev.broadcasting.redis.RedisServer;
import dev.broadcasting.spi.DriverSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real redis-server with a password and an ACL user who may not PUBLISH. */
class RedisCheckTest {
  // generous: a check returns as soon as it has its answer, and a loaded machine must not fail it
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static RedisServer redis;

  @BeforeAll
  static void start() throws Exception {
    redis = RedisServer.start("--requirepass", "s3cret",
        "--user", "app", "on", ">app-pw", "~*", "&*", "+@all",
        "--user", "reader", "on", ">reader-pw", "~*", "&*", "+@all", "-publish",
        "--user", "noscript", "on", ">noscript-pw", "~*", "&*", "+@all", "-eval", "-evalsha");
  }

  @AfterAll
  static void stop() throws Exception {
    redis.close();
  }

  @Test
  void theRightPasswordMayPingAndPublish() {
    Finding finding = check(Map.of("REDIS_PASSWORD", "s3cret", "REDIS_PREFIX", "laravel_database_")).run();

    assertThat(finding.line()).isEqualTo("OK   driver redis 127.0.0.1:" + redis.port() + " (PING, PUBLISH as default)"
        + " | saw: PONG, PUBLISH and EVAL publishing to laravel_database_broadcasting-doctor.permission allowed "
        + "(0 subscribers)");
  }

  @Test
  void noPasswordIsNoauth() {
    Finding finding = check(Map.of()).run();

    assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(finding.saw()).startsWith("NOAUTH");
    assertThat(finding.fix()).startsWith("set REDIS_PASSWORD (and REDIS_USERNAME for an ACL user)");
  }

  @Test
  void aWrongPasswordIsWrongpass() {
    Finding finding = check(Map.of("REDIS_PASSWORD", "guess")).run();

    assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(finding.saw()).startsWith("WRONGPASS");
  }

  @Test
  void anAclUserLackingPublishIsNopermAndTheFixGrantsIt() {
    Finding finding = check(Map.of("REDIS_USERNAME", "reader", "REDIS_PASSWORD", "reader-pw")).run();

    assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(finding.check()).endsWith("(PING, PUBLISH as reader)");
    assertThat(finding.saw()).startsWith("NOPERM").contains("publish");
    assertThat(finding.fix()).isEqualTo("grant the user publishing: ACL SETUSER reader +publish +eval &* (events on "
        + "several channels are published by a script)");
  }

  /** The driver publishes an event on several channels with one script: a user without EVAL loses those. */
  @Test
  void anAclUserLackingEvalIsNoperm() {
    Finding finding = check(Map.of("REDIS_USERNAME", "noscript", "REDIS_PASSWORD", "noscript-pw")).run();

    assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(finding.saw()).startsWith("NOPERM").contains("eval");
  }

  @Test
  void anAclUserInTheUrlMayPublish() {
    Finding finding = check(Map.of("REDIS_URL", "redis://app:app-pw@127.0.0.1:" + redis.port())).run();

    assertThat(finding.outcome()).isEqualTo(Outcome.OK);
    assertThat(finding.check()).endsWith("(PING, PUBLISH as app)");
  }

  @Test
  void aServerThatIsDownIsRefused() throws Exception {
    int port = RedisServer.freePort(false);

    Finding finding = check(Map.of("REDIS_PORT", String.valueOf(port))).run();

    assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(finding.saw()).isEqualTo("connection refused at 127.0.0.1:" + port + ": nothing listens on that port");
    assertThat(finding.fix()).isEqualTo("start the Redis server on 127.0.0.1:" + port
        + ", or correct REDIS_URL or REDIS_HOST/REDIS_PORT");
  }

  private static RedisCheck check(Map<String, String> overrides) {
    Map<String, String> settings = new HashMap<>(Map.of("BROADCAST_CONNECTION", "redis",
        "REDIS_HOST", "127.0.0.1", "REDIS_PORT", String.valueOf(redis.port())));
    settings.putAll(overrides);
    return new RedisCheck(RedisTarget.read(DriverSettings.of(settings), TIMEOUT), TIMEOUT);
  }
}
