package dev.broadcasting.examples;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.ShouldBroadcastNow;
import java.util.List;
import java.util.Map;

/**
 * The {@code redis} driver: PUBLISH in Laravel's format, for laravel-echo-server or any relay that
 * subscribes to Redis. Configured from the environment, with Laravel's names:
 *
 * <pre>{@code
 * REDIS_URL=redis://localhost:6379       # or REDIS_HOST, REDIS_PORT, REDIS_USERNAME, REDIS_PASSWORD, REDIS_DB
 * REDIS_PREFIX=laravel_database_         # optional: the prefix the relay subscribes with
 *
 * redis-cli PSUBSCRIBE '*'               # in another terminal, to watch
 * ./mvnw -B -pl examples exec:java -Dexec.mainClass=dev.broadcasting.examples.RedisExample
 * }</pre>
 */
public final class RedisExample {
  private RedisExample() {}

  /** Sent now, on the caller's thread, so a wrong URL fails here instead of being retried in the background. */
  public record PriceChanged(String symbol, String price) implements ShouldBroadcastNow {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel("prices"));
    }
  }

  /** Publishes one event through Redis configured by {@code env}; throws when Redis refused it. */
  static void send(Map<String, String> env) {
    try (Broadcaster broadcaster = Broadcaster.builder().connection("redis", "redis", env).build()) {
      broadcaster.broadcast(new PriceChanged("ACME", "12.34")).join();
    }
  }

  public static void main(String[] args) {
    send(System.getenv());
    System.out.println("Published PriceChanged on " + System.getenv().getOrDefault("REDIS_PREFIX", "") + "prices");
  }
}
