package dev.broadcasting.examples;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.ShouldBroadcastNow;
import java.util.List;
import java.util.Map;

/**
 * The {@code ably} driver: Ably's REST API, with channels named as Laravel names them
 * ({@code public:prices}). Configured from the environment:
 *
 * <pre>{@code
 * ABLY_KEY=appId.keyId:keySecret          # the API key from Ably's dashboard
 *
 * ./mvnw -B -pl examples exec:java -Dexec.mainClass=dev.broadcasting.examples.AblyExample
 * }</pre>
 *
 * <p>Ably's dev console, attached to {@code public:prices}, shows the event.
 */
public final class AblyExample {
  private AblyExample() {}

  /** Sent now, on the caller's thread, so a wrong key fails here with Ably's answer. */
  public record PriceChanged(String symbol, String price) implements ShouldBroadcastNow {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel("prices"));
    }
  }

  /** Publishes one event through Ably configured by {@code env}; throws when Ably refused it. */
  static void send(Map<String, String> env) {
    try (Broadcaster broadcaster = Broadcaster.builder().connection("ably", "ably", env).build()) {
      broadcaster.broadcast(new PriceChanged("ACME", "12.34")).join();
    }
  }

  public static void main(String[] args) {
    send(System.getenv());
    System.out.println("Published PriceChanged on public:prices");
  }
}
