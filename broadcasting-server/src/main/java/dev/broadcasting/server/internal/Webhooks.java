package dev.broadcasting.server.internal;

import dev.broadcasting.pusher.protocol.PusherSigner;
import dev.broadcasting.server.App;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The webhook side of a server: one thread, {@code broadcast-server-webhooks}, for every app's
 * webhooks (batching timers, signing, HTTP), never a socket's event loop; and one
 * {@link WebhookSender} per app and URL, each with its own fixed number of connections.
 */
public final class Webhooks implements AutoCloseable {
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("broadcast-server-webhooks", true),
          NioIoHandler.newFactory());
  private final EventLoop loop = group.next();
  private final WebhookClock clock;
  private final long idleMillis;
  private final List<WebhookSender> senders = new CopyOnWriteArrayList<>();
  private SslContext tls;

  /**
   * Webhooks timed by {@code clock}, or by the webhook thread's timer when null, whose connections
   * close after {@code idleTimeout} without a request.
   */
  public Webhooks(WebhookClock clock, Duration idleTimeout) {
    this.idleMillis = idleTimeout.toMillis();
    this.clock = clock != null ? clock : new WebhookClock() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public Runnable schedule(Runnable task, long delayNanos) {
        try {
          var scheduled = loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
          return () -> scheduled.cancel(false);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
          // the server has stopped: what was still waiting is not sent, as close() says
          return () -> { };
        }
      }
    };
  }

  /** The senders of {@code app}, one per webhook URL; empty when it has none. */
  List<WebhookSender> sendersFor(App app, PusherSigner signer) {
    List<WebhookSender> created = new ArrayList<>();
    for (URI url : app.webhooks()) {
      created.add(new WebhookSender(app, url, signer, clock, loop, "https".equals(url.getScheme()) ? tls() : null,
          idleMillis));
    }
    senders.addAll(created);
    return created;
  }

  private synchronized SslContext tls() {
    if (tls == null) {
      try {
        tls = SslContextBuilder.forClient().build();
      } catch (SSLException e) {
        throw new IllegalStateException("TLS for https webhooks is not available in this JVM: " + e.getMessage(), e);
      }
    }
    return tls;
  }

  /** Sends what is waiting at once, gives it up to two seconds, then closes the connections and the thread. */
  @Override
  public void close() {
    senders.forEach(WebhookSender::flush);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (System.nanoTime() < deadline && !senders.stream().allMatch(WebhookSender::idle)) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    senders.forEach(WebhookSender::close);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
