package dev.broadcasting.examples;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.Channel;
import dev.broadcasting.ShouldBroadcastNow;
import java.util.List;
import java.util.Map;

/**
 * The {@code pusher} driver: Pusher Channels' HTTP API, or any Pusher-compatible server (soketi,
 * Reverb, {@code broadcasting-server}). Configured from the environment, with Laravel's names:
 *
 * <pre>{@code
 * PUSHER_APP_ID=123456 PUSHER_APP_KEY=... PUSHER_APP_SECRET=...
 * PUSHER_APP_CLUSTER=eu                              # Pusher itself
 * PUSHER_HOST=127.0.0.1 PUSHER_PORT=6001 PUSHER_SCHEME=http   # or a self-hosted server instead
 *
 * ./mvnw -B -pl examples exec:java -Dexec.mainClass=dev.broadcasting.examples.PusherExample
 * }</pre>
 *
 * <p>Pusher's debug console (or any pusher-js client subscribed to {@code prices}) shows the event.
 */
public final class PusherExample {
  private PusherExample() {}

  /** Sent now, on the caller's thread, so wrong credentials fail here with Pusher's answer. */
  public record PriceChanged(String symbol, String price) implements ShouldBroadcastNow {
    @Override
    public List<Channel> broadcastOn() {
      return List.of(new Channel("prices"));
    }
  }

  /** Publishes one event through the Pusher HTTP API configured by {@code env}; throws when it was refused. */
  static void send(Map<String, String> env) {
    try (Broadcaster broadcaster = Broadcaster.builder().connection("pusher", "pusher", env).build()) {
      broadcaster.broadcast(new PriceChanged("ACME", "12.34")).join();
    }
  }

  public static void main(String[] args) {
    send(System.getenv());
    System.out.println("Published PriceChanged on prices to app " + System.getenv("PUSHER_APP_ID"));
  }
}
