package dev.broadcasting.benchmarks;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback HTTP server that answers every request at once with a fixed status and a small JSON
 * body, keeping connections alive: the "service" the HTTP drivers and their peers post to, so that
 * what is measured is the client side. It runs on its own event loop threads in the benchmark's JVM.
 *
 * <pre>{@code
 * try (HttpSink sink = HttpSink.start(200, "{}")) {
 *   post("http://127.0.0.1:" + sink.port() + "/apps/1/events");
 * }
 * }</pre>
 */
public final class HttpSink implements AutoCloseable {
  private final EventLoopGroup group;
  private final Channel server;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private volatile String lastUri;
  private volatile String lastBody;
  private final AtomicLong answered = new AtomicLong();
  private volatile boolean recordBodies;

  private HttpSink(int status, String body, int threads, Duration delay) throws InterruptedException {
    long delayNanos = delay.toNanos();
    byte[] answer = body.getBytes(StandardCharsets.UTF_8);
    HttpResponseStatus responseStatus = HttpResponseStatus.valueOf(status);
    group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            connections.incrementAndGet();
            channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                    requests.incrementAndGet();
                    lastUri = request.uri();
                    lastBody = null;
                    if (recordBodies) {
                      lastBody = request.content().toString(StandardCharsets.UTF_8);
                    }
                    ByteBuf content = Unpooled.wrappedBuffer(answer);
                    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, responseStatus, content);
                    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, answer.length);
                    HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
                    if (delayNanos == 0) {
                      answer(ctx, response);
                    } else {
                      // a scheduled answer, not a sleep: the one event loop thread keeps reading
                      // while thousands of requests wait, as a remote service's latency would not
                      // cap a client's concurrency either
                      ctx.executor().schedule(() -> answer(ctx, response), delayNanos, TimeUnit.NANOSECONDS);
                    }
                  }
                });
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  private void answer(ChannelHandlerContext ctx, FullHttpResponse response) {
    answered.incrementAndGet();
    ctx.writeAndFlush(response);
  }

  /** A sink on a free loopback port, on one event loop thread. */
  public static HttpSink start(int status, String body) {
    return start(status, body, Duration.ZERO);
  }

  /**
   * A sink that answers each request {@code delay} after reading it, like a service across a real
   * network; the answer is scheduled on the event loop, so waiting requests cost no thread.
   */
  public static HttpSink start(int status, String body, Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("the sink's delay must not be negative but was " + delay);
    }
    try {
      return new HttpSink(status, body, 1, delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while binding the HTTP sink", e);
    }
  }

  /** Keeps the body of the last request, for checks; off by default so that it costs nothing. */
  public HttpSink recordBodies() {
    recordBodies = true;
    return this;
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  public long requests() {
    return requests.get();
  }

  /** Requests answered so far; with a delay, fewer than {@link #requests()} while answers wait. */
  public long answered() {
    return answered.get();
  }

  /** Connections accepted so far: a client that reuses its connections opens few. */
  public long connections() {
    return connections.get();
  }

  public String lastUri() {
    return lastUri;
  }

  public String lastBody() {
    return lastBody;
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
