package dev.broadcasting.benchmarks;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.pusher.internal.EventBodies;
import dev.broadcasting.pusher.internal.EventSender;
import dev.broadcasting.pusher.protocol.PusherChannelNames;
import dev.broadcasting.pusher.protocol.PusherSigner;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.Cancellation;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A measurement prototype, not a product: the pusher driver's {@code POST /events} and
 * {@code POST /batch_events} requests (the driver's own {@link EventBodies} and {@link PusherSigner},
 * the same packing of coalesced events into batches of 10) sent over Netty HTTP/1.1 instead of
 * OkHttp, to measure what a Netty transport would buy the pusher goals rows. It declares the real
 * driver's ordering (no {@code keepsOrder}, so core keeps one request in flight per channel).
 *
 * <pre>{@code
 * Broadcaster broadcaster = Broadcaster.builder()
 *     .connection("pusher", new NettyPusherPrototype("127.0.0.1", sink.port(), "1", key, secret)).build();
 * }</pre>
 *
 * <p>One event loop thread owns a keep-alive pool of at most {@value #MAX_CONNECTIONS} plain-text
 * connections to one host; requests beyond that wait, at most {@value #MAX_WAITING}. What it lacks
 * for real use: TLS with SNI and hostname verification, connect/read/write timeouts, a bound on
 * idle connections' age, queries ({@code GET}), encrypted channels, events on more than 10
 * channels, and the {@code client(OkHttpClient)} option. A cancel closes the connection in flight.
 */
final class NettyPusherPrototype implements BroadcastDriver {
  static final int MAX_CONNECTIONS = 64;
  static final int MAX_WAITING = 4096;
  private static final AttributeKey<Exchange> CURRENT = AttributeKey.valueOf("pusher-exchange");

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
      new DefaultThreadFactory("pusher-netty", true), NioIoHandler.newFactory());
  private final EventLoop loop = group.next();
  private final Bootstrap bootstrap;
  private final String host;
  private final String appPath;
  private final PusherSigner signer;
  // touched on the event loop only
  private final ArrayDeque<io.netty.channel.Channel> idle = new ArrayDeque<>();
  private final ArrayDeque<Exchange> waiting = new ArrayDeque<>();
  private int open;
  private volatile List<long[]> phases;

  NettyPusherPrototype(String host, int port, String appId, String key, String secret) {
    this.host = host + ":" + port;
    this.appPath = "/apps/" + appId;
    this.signer = new PusherSigner(key, secret);
    this.bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class).remoteAddress(host, port)
        .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16), new Answers());
          }
        });
  }

  @Override
  public CompletableFuture<Void> publish(BroadcastMessage message) {
    try {
      List<String> channels = names(message);
      if (channels.size() > EventSender.MAX_CHANNELS_PER_EVENT) {
        throw new BroadcastException("the prototype sends at most 100 channels an event");
      }
      return post("/events", EventBodies.trigger(message.event(), channels, message.payload(), message.socketId()));
    } catch (BroadcastException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public int maxBatch() {
    return EventSender.MAX_EVENTS_PER_BATCH;
  }

  /** As the real driver's {@code batchEach}: whole events packed into requests of at most 10 items, sent in turn. */
  @Override
  public List<CompletableFuture<Void>> publishBatch(List<BroadcastMessage> messages) {
    List<CompletableFuture<Void>> results = new ArrayList<>(messages.size());
    List<Supplier<CompletableFuture<Void>>> steps = new ArrayList<>();
    List<Integer> stepOf = new ArrayList<>(messages.size());
    List<EventBodies.BatchItem> packing = new ArrayList<>();
    for (BroadcastMessage message : messages) {
      List<String> channels;
      try {
        channels = names(message);
        if (channels.size() > EventSender.MAX_EVENTS_PER_BATCH) {
          throw new BroadcastException("the prototype batches events of at most 10 channels");
        }
      } catch (BroadcastException e) {
        results.add(CompletableFuture.failedFuture(e));
        stepOf.add(null);
        continue;
      }
      if (packing.size() + channels.size() > EventSender.MAX_EVENTS_PER_BATCH) {
        packing = new ArrayList<>();
      }
      if (packing.isEmpty()) {
        List<EventBodies.BatchItem> request = packing;
        steps.add(() -> post("/batch_events", EventBodies.batch(request)));
      }
      for (String channel : channels) {
        packing.add(new EventBodies.BatchItem(channel, message.event(), message.payload(), message.socketId()));
      }
      results.add(null);
      stepOf.add(steps.size() - 1);
    }
    List<CompletableFuture<Void>> answers = Cancellation.sequenceEach(steps.size(), index -> steps.get(index).get());
    for (int i = 0; i < results.size(); i++) {
      if (stepOf.get(i) != null) {
        results.set(i, answers.get(stepOf.get(i)));
      }
    }
    return results;
  }

  /**
   * From now on, each answered request adds its {@code System.nanoTime()} at {@link RequestPhases}'
   * five points to {@code done}: {@code post} called, written from the event loop, flushed, answer
   * decoded, its future completed (core's callbacks run inside).
   */
  NettyPusherPrototype recordPhases(List<long[]> done) {
    phases = done;
    return this;
  }

  /** Connections open and requests waiting for one, read on the event loop: for tests of the bounds. */
  int[] openAndWaiting() {
    return loop.submit(() -> new int[] {open, waiting.size()}).syncUninterruptibly().getNow();
  }

  @Override
  public void close() {
    loop.execute(() -> {
      waiting.forEach(exchange -> exchange.result.completeExceptionally(new BroadcastException("closed")));
      waiting.clear();
    });
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** The signed request, built on the caller's thread; the pool and the socket on the event loop's. */
  CompletableFuture<Void> post(String suffix, byte[] body) {
    String path = appPath + suffix;
    StringBuilder uri = new StringBuilder(path.length() + 160).append(path);
    // the signed parameters are hex digits, digits, the key and "1.0": nothing to escape
    signer.signRequest("POST", path, Map.of(), body, System.currentTimeMillis() / 1000)
        .forEach((name, value) -> uri.append(uri.length() == path.length() ? '?' : '&').append(name).append('=')
            .append(value));
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri.toString(),
        Unpooled.wrappedBuffer(body));
    request.headers().set(HttpHeaderNames.HOST, host).set(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    Exchange exchange = new Exchange(request, new CompletableFuture<>());
    exchange.at = phases == null ? null : new long[] {System.nanoTime(), 0, 0, 0, 0};
    exchange.result.whenComplete((ok, error) -> {
      if (exchange.result.isCancelled()) {
        loop.execute(() -> cancel(exchange));
      }
    });
    loop.execute(() -> start(exchange));
    return exchange.result;
  }

  private void start(Exchange exchange) {
    if (exchange.result.isDone()) {
      return;
    }
    io.netty.channel.Channel channel;
    while ((channel = idle.pollLast()) != null && !channel.isActive()) {
      // closed by the server while idle; channelInactive counted it
    }
    if (channel != null) {
      write(channel, exchange);
    } else if (open < MAX_CONNECTIONS) {
      open++;
      bootstrap.connect().addListener((ChannelFutureListener) connected -> {
        if (connected.isSuccess()) {
          write(connected.channel(), exchange);
        } else {
          open--;
          exchange.result.completeExceptionally(BroadcastException.retryable(
              "Pusher request to " + host + " could not connect: " + connected.cause(), connected.cause()));
          startWaiting();
        }
      });
    } else if (waiting.size() < MAX_WAITING) {
      waiting.add(exchange);
    } else {
      exchange.result.completeExceptionally(BroadcastException.retryable("more than " + MAX_WAITING
          + " Pusher requests wait for one of " + MAX_CONNECTIONS + " connections", null));
    }
  }

  private void write(io.netty.channel.Channel channel, Exchange exchange) {
    if (exchange.result.isDone()) {
      release(channel);
      return;
    }
    exchange.channel = channel;
    channel.attr(CURRENT).set(exchange);
    at(exchange, 1);
    channel.writeAndFlush(exchange.request).addListener((ChannelFutureListener) written -> {
      at(exchange, 2);
      if (!written.isSuccess()) {
        written.channel().close();
      }
    });
  }

  /** A connection free again: to the oldest waiting request, else to the pool. */
  private void release(io.netty.channel.Channel channel) {
    Exchange next;
    while ((next = waiting.poll()) != null && next.result.isDone()) {
      // cancelled while waiting
    }
    if (next != null) {
      write(channel, next);
    } else {
      idle.addLast(channel);
    }
  }

  private void startWaiting() {
    Exchange next = waiting.poll();
    if (next != null) {
      start(next);
    }
  }

  private void cancel(Exchange exchange) {
    waiting.remove(exchange);
    if (exchange.channel != null && exchange.channel.attr(CURRENT).get() == exchange) {
      exchange.channel.close();
    }
  }

  private static void at(Exchange exchange, int phase) {
    if (exchange.at != null) {
      exchange.at[phase] = System.nanoTime();
    }
  }

  private static List<String> names(BroadcastMessage message) {
    List<String> names = new ArrayList<>(message.channels().size());
    for (Channel channel : message.channels()) {
      String error = PusherChannelNames.error(channel.name());
      if (error != null || channel.name().startsWith("private-encrypted-")) {
        throw new BroadcastException("Channel \"" + channel.name() + "\" "
            + (error != null ? error : "is encrypted, which the prototype does not send"));
      }
      names.add(channel.name());
    }
    return names;
  }

  /** One request and its outcome; {@code channel} is set on the event loop once it is written. */
  private static final class Exchange {
    final FullHttpRequest request;
    final CompletableFuture<Void> result;
    io.netty.channel.Channel channel;
    long[] at;

    Exchange(FullHttpRequest request, CompletableFuture<Void> result) {
      this.request = request;
      this.result = result;
    }
  }

  /** Completes each connection's current request with its answer and hands the connection on. */
  private final class Answers extends SimpleChannelInboundHandler<FullHttpResponse> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      Exchange exchange = ctx.channel().attr(CURRENT).getAndSet(null);
      int status = response.status().code();
      if (HttpUtil.isKeepAlive(response)) {
        release(ctx.channel());
      } else {
        ctx.close();
      }
      if (exchange == null) {
        return;
      }
      at(exchange, 3);
      if (status / 100 == 2) {
        exchange.result.complete(null);
      } else {
        boolean retryable = status >= 500 || status == 429 || status == 408;
        exchange.result.completeExceptionally(new BroadcastException("Pusher answered " + status + ": "
            + response.content().toString(StandardCharsets.UTF_8), null, retryable, status));
      }
      List<long[]> done = phases;
      if (exchange.at != null && done != null) {
        at(exchange, 4);
        done.add(exchange.at);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      open--;
      idle.remove(ctx.channel());
      Exchange exchange = ctx.channel().attr(CURRENT).getAndSet(null);
      if (exchange != null) {
        exchange.result.completeExceptionally(BroadcastException.retryable(
            "Pusher request to " + host + ": the connection closed before the answer", null));
      }
      startWaiting();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
