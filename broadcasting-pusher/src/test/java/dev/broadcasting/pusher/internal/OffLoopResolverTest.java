package dev.broadcasting.pusher.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The transport's host lookups run on the lookup thread, never on the event loop that asked. */
class OffLoopResolverTest {

  @Test
  void looksUpOnItsOwnThread() throws Exception {
    DefaultEventExecutor lookups = new DefaultEventExecutor(new DefaultThreadFactory("lookups", true));
    DefaultEventExecutor loop = new DefaultEventExecutor(new DefaultThreadFactory("loop", true));
    try {
      CompletableFuture<String> thread = new CompletableFuture<>();
      Future<InetSocketAddress> resolved = loop.submit(() -> new OffLoopResolver(lookups).getResolver(loop)
          .resolve(InetSocketAddress.createUnresolved("localhost", 8080))
          .addListener(done -> thread.complete(Thread.currentThread().getName()))).get(5, TimeUnit.SECONDS);
      InetSocketAddress address = resolved.get(5, TimeUnit.SECONDS);
      assertThat(address.getAddress()).isEqualTo(InetAddress.getByName("localhost"));
      assertThat(address.getPort()).isEqualTo(8080);
      assertThat(thread.get(5, TimeUnit.SECONDS)).startsWith("lookups-");
    } finally {
      lookups.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
