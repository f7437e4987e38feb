package dev.broadcasting.server.spi;

/**
 * What joins several {@code BroadcastServer} nodes into one cluster: the state of channels shared
 * by all nodes, and the passage of events between them. Without one, a server is a single node.
 *
 * <pre>{@code
 * BroadcastServer server = BroadcastServer.builder()
 *     .app(App.builder("1", "app-key", "app-secret").build())
 *     .backplane(RedisBackplane.builder("redis://redis:6379").build())
 *     .build()
 *     .start();
 * }</pre>
 *
 * <p>For implementers: the server calls {@link #attach} once per app when it starts and
 * {@link #close} when it stops, after its sockets are closed.
 */
public interface Backplane extends AutoCloseable {
  /** Connects app {@code appId} of this node to the cluster; {@code local} is the node's side of it. */
  SharedApp attach(String appId, LocalApp local);

  /** Null while the cluster is reachable; otherwise a sentence saying what is wrong, for {@code /health}. */
  String problem();

  /** Leaves the cluster: this node's members and subscriptions are removed at once, not after a lease. */
  @Override
  void close();
}
