package dev.broadcasting.doctor.internal;

import dev.broadcasting.doctor.Check;
import dev.broadcasting.doctor.Finding;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Connects to Redis with the application's credentials, sends {@code PING}, then publishes an
 * empty message on a probe channel under the application's prefix the two ways the redis driver
 * does: {@code PUBLISH} for an event on one channel, and an {@code EVAL} script that publishes for
 * an event on several channels or a batch. An ACL that leaves either out answers {@code NOPERM}.
 */
public final class RedisCheck implements Check {
  static final String PROBE_CHANNEL = "broadcasting-doctor.permission";
  private static final String SCRIPT = "return redis.call('publish', ARGV[1], ARGV[2])";

  private final RedisTarget target;
  private final Duration timeout;

  public RedisCheck(RedisTarget target, Duration timeout) {
    this.target = target;
    this.timeout = timeout;
  }

  @Override
  public Finding run() {
    Endpoint endpoint = target.endpoint();
    String user = target.user();
    String name = "driver redis " + endpoint.address() + " (PING, PUBLISH as " + (user == null ? "default" : user) + ")";
    // lettuce takes seconds to give up on a refused port; a plain connect says at once
    Finding reach = new PortCheck(endpoint, timeout).run();
    if (reach.failed()) {
      return Finding.fail(name, reach.saw(), reach.fix());
    }
    RedisClient client = RedisClient.create();
    try (StatefulRedisConnection<String, String> connection = client.connect(target.uri())) {
      RedisCommands<String, String> redis = connection.sync();
      String pong = redis.ping();
      String channel = target.prefix() + PROBE_CHANNEL;
      long receivers = redis.publish(channel, "");
      redis.eval(SCRIPT, ScriptOutputType.INTEGER, new String[0], channel, "");
      return Finding.ok(name, pong + ", PUBLISH and EVAL publishing to " + channel + " allowed (" + receivers
          + " subscribers)");
    } catch (Exception e) {
      String reply = redisReply(e);
      if (reply == null) {
        return Finding.fail(name, Failures.describe(e, endpoint, timeout.toMillis()), Failures.fix(e, endpoint));
      }
      if (reply.startsWith("NOAUTH") || reply.startsWith("WRONGPASS")) {
        return Finding.fail(name, reply, "set REDIS_PASSWORD (and REDIS_USERNAME for an ACL user) to the credentials "
            + "Redis expects (requirepass or ACL SETUSER)");
      }
      if (reply.startsWith("NOPERM")) {
        return Finding.fail(name, reply, "grant the user publishing: ACL SETUSER " + (user == null ? "default" : user)
            + " +publish +eval &" + target.prefix() + "*" + " (events on several channels are published by a script)");
      }
      return Finding.fail(name, reply, "see the Redis log for why it refused");
    } finally {
      client.shutdown(0, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Redis's own error reply, found in the handshake's causes too; null when Redis said nothing. */
  private static String redisReply(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof RedisCommandExecutionException) {
        return cause.getMessage();
      }
    }
    return null;
  }
}
