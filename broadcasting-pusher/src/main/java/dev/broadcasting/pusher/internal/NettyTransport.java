package dev.broadcasting.pusher.internal;

import dev.broadcasting.BroadcastException;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
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
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509TrustManager;

/**
 * The driver's default transport: HTTP/1.1 on Netty, one event loop thread owning a keep-alive
 * pool of connections to the one Pusher host, with TLS (the JDK's engine, SNI and hostname
 * verification) for {@code https}, through the proxy the JVM's settings name, if any (HTTP
 * {@code CONNECT} or SOCKS5). It measured half of OkHttp's CPU per event on 64 channels
 * (benchmarks/RESULTS.md, "pusher over Netty").
 * {@code new NettyTransport(endpoint, Duration.ofSeconds(5), null, null)}
 *
 * <p>Bounds: at most {@link Limits#connections} connections, at most {@link Limits#waiting}
 * requests waiting for one (more fail at once, retryably, saying so), an idle connection closed
 * after {@link Limits#idle}, an answer of at most {@value #MAX_ANSWER} bytes. Timeouts: connect;
 * read (no byte of the answer for that long after the request was written, or since the last
 * byte); call (the whole request, the wait for a connection included). A timeout, a cancel or a
 * connection cut closes the request's connection.
 */
public final class NettyTransport implements PusherTransport {
  static final int MAX_ANSWER = 8 << 20;
  private static final AttributeKey<Exchange> CURRENT = AttributeKey.valueOf("pusher-exchange");
  private static final AttributeKey<Long> IDLE_SINCE = AttributeKey.valueOf("pusher-idle-since");

  /** The pool's bounds; {@link #DEFAULT} is what the driver uses: OkHttp's per-host limit and pool age as the driver set them. */
  record Limits(int connections, int waiting, Duration idle) {
    static final Limits DEFAULT = new Limits(64, 4096, Duration.ofMinutes(5));
  }

  private final PusherEndpoint endpoint;
  private final Limits limits;
  private final long readNanos;
  private final long callNanos;
  private final long connectNanos;
  private final SslContext tls;
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
      new DefaultThreadFactory("broadcasting-pusher-http", true), NioIoHandler.newFactory());
  private final EventLoop loop = group.next();
  /** Started at the first lookup; an IP address or a cached name still passes through it. */
  private final DefaultEventExecutor lookups = new DefaultEventExecutor(
      new DefaultThreadFactory("broadcasting-pusher-http-dns", true));
  private final Bootstrap bootstrap;
  // touched on the event loop only
  private final ArrayDeque<Channel> idle = new ArrayDeque<>();
  private final ArrayDeque<Exchange> waiting = new ArrayDeque<>();
  private final ArrayList<Channel> busy = new ArrayList<>();
  private int open;
  private int sentAgain;
  private volatile boolean closed;

  /** Null timeouts keep the driver's defaults: connect 5 s, read 10 s, call 20 s (inside core's 30 s attempt timeout). */
  public NettyTransport(PusherEndpoint endpoint, Duration connect, Duration read, Duration call) {
    this(endpoint, connect, read, call, Limits.DEFAULT, null, ProxySelector.getDefault());
  }

  /**
   * @param trust the certificates to trust, null for the JDK's
   * @param proxies the JVM's proxy settings ({@code https.proxyHost}, {@code socksProxyHost}), or null for none
   */
  NettyTransport(PusherEndpoint endpoint, Duration connect, Duration read, Duration call, Limits limits,
      X509TrustManager trust, ProxySelector proxies) {
    this.endpoint = endpoint;
    this.limits = limits;
    this.readNanos = (read != null ? read : Duration.ofSeconds(10)).toNanos();
    this.callNanos = (call != null ? call : Duration.ofSeconds(20)).toNanos();
    this.tls = endpoint.tls() ? tlsContext(trust) : null;
    int connectMillis = (int) Math.min(Integer.MAX_VALUE, (connect != null ? connect : Duration.ofSeconds(5)).toMillis());
    this.connectNanos = TimeUnit.MILLISECONDS.toNanos(connectMillis);
    Proxy proxy = proxyFor(endpoint, proxies);
    this.bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
        .remoteAddress(endpoint.host(), endpoint.port())
        // through a proxy, the proxy looks the host up
        .resolver(proxy.type() == Proxy.Type.DIRECT ? new OffLoopResolver(lookups) : NoopAddressResolverGroup.INSTANCE)
        .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectMillis)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            if (proxy.type() != Proxy.Type.DIRECT) {
              ProxyHandler tunnel = proxy.type() == Proxy.Type.HTTP ? new HttpProxyHandler(proxy.address())
                  : new Socks5ProxyHandler(proxy.address());
              tunnel.setConnectTimeoutMillis(connectMillis);
              channel.pipeline().addLast(tunnel);
            }
            if (tls != null) {
              channel.pipeline().addLast(tlsHandler(channel));
            }
            channel.pipeline().addLast(new ReadClock(), new HttpClientCodec(), new HttpObjectAggregator(MAX_ANSWER),
                new Answers());
          }
        });
    long sweep = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(limits.idle().toNanos(), TimeUnit.SECONDS.toNanos(30)) / 2);
    loop.scheduleWithFixedDelay(this::closeIdle, sweep, sweep, TimeUnit.NANOSECONDS);
  }

  /** The first proxy the JVM's settings name for this endpoint, as OkHttp's default client took it. */
  private static Proxy proxyFor(PusherEndpoint endpoint, ProxySelector proxies) {
    if (proxies == null) {
      return Proxy.NO_PROXY;
    }
    List<Proxy> chosen = proxies.select(URI.create(endpoint.toString()));
    return chosen == null || chosen.isEmpty() ? Proxy.NO_PROXY : chosen.get(0);
  }

  /**
   * The peer host is the name the certificate must carry (HTTPS identification, set on the
   * context). SNI is set here too: the JDK sends it only for names with a dot, so a single-label
   * host (a container name, {@code localhost}) would reach a virtual-hosting proxy without it.
   */
  private SslHandler tlsHandler(SocketChannel channel) {
    SslHandler handler = tls.newHandler(channel.alloc(), endpoint.host(), endpoint.port());
    if (!NetUtil.isValidIpV4Address(endpoint.host()) && !NetUtil.isValidIpV6Address(endpoint.host())) {
      SSLEngine engine = handler.engine();
      SSLParameters parameters = engine.getSSLParameters();
      parameters.setServerNames(List.of(new SNIHostName(endpoint.host())));
      engine.setSSLParameters(parameters);
    }
    return handler;
  }

  private static SslContext tlsContext(X509TrustManager trust) {
    try {
      SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
          .endpointIdentificationAlgorithm("HTTPS");
      if (trust != null) {
        builder.trustManager(trust);
      }
      return builder.build();
    } catch (SSLException e) {
      throw new BroadcastException("The JDK's TLS could not be set up for the pusher driver: " + e.getMessage(), e);
    }
  }

  @Override
  public CompletableFuture<Answer> send(String method, String target, byte[] body) {
    Exchange exchange = new Exchange(method, target, body, System.nanoTime() + callNanos);
    if (closed) {
      exchange.result.completeExceptionally(closedError());
      return exchange.result;
    }
    exchange.result.whenComplete((ok, error) -> {
      if (exchange.result.isCancelled()) {
        run(() -> abandon(exchange));
      }
    });
    if (loop.inEventLoop()) {
      // sent from an answer's callback (core launches a channel's next batch there): written now,
      // on the connection that answer just freed, not after a task that waits behind the callback
      start(exchange);
    } else {
      run(() -> start(exchange));
    }
    return exchange.result;
  }

  private void run(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      // closed meanwhile: close() failed or will fail what was open
    }
  }

  private void start(Exchange exchange) {
    if (exchange.result.isDone()) {
      return;
    }
    if (closed) {
      exchange.result.completeExceptionally(closedError());
      return;
    }
    arm(exchange);
    Channel channel;
    while ((channel = idle.pollLast()) != null && !channel.isActive()) {
      // closed by the server while idle; channelInactive counts it
    }
    if (channel != null) {
      write(channel, exchange, true);
    } else if (open < limits.connections()) {
      connect(exchange);
    } else if (waiting.size() < limits.waiting()) {
      waiting.add(exchange);
    } else {
      fail(exchange, BroadcastException.retryable(limits.waiting() + " Pusher requests already wait for one of "
          + limits.connections() + " connections to " + endpoint + ": the server answers slower than events come; "
          + "this one was not sent", null));
    }
  }

  /**
   * Opens a connection for {@code exchange}. Netty's connect timeout starts once the host is looked
   * up; the connect timeout here also covers the lookup, which a slow DNS server could stretch: the
   * request then fails when it ends, and the connection, if it is made later, is closed.
   */
  private void connect(Exchange exchange) {
    open++;
    ChannelFuture connecting = bootstrap.connect();
    boolean[] gaveUp = {false}; // touched on the event loop only
    ScheduledFuture<?> limit = connecting.isDone() ? null : loop.schedule(() -> {
      if (!connecting.isDone()) {
        gaveUp[0] = true;
        connecting.channel().close();
        fail(exchange, BroadcastException.retryable("Pusher request " + exchange.method + " to " + endpoint
            + " could not connect: not connected within the connect timeout of "
            + TimeUnit.NANOSECONDS.toMillis(connectNanos) + " ms (connectTimeout), the host lookup included",
            new ConnectTimeoutException("connection to " + endpoint + " not made within "
                + TimeUnit.NANOSECONDS.toMillis(connectNanos) + " ms, the host lookup included")));
      }
    }, connectNanos, TimeUnit.NANOSECONDS);
    connecting.addListener((ChannelFutureListener) connected -> {
      if (limit != null) {
        limit.cancel(false);
      }
      if (gaveUp[0]) {
        if (connected.isSuccess()) {
          connected.channel().close(); // its end counts it off (channelInactive)
        } else {
          open--;
          startWaiting();
        }
        return;
      }
      if (connected.isSuccess()) {
        write(connected.channel(), exchange, false);
      } else {
        open--;
        fail(exchange, BroadcastException.retryable("Pusher request " + exchange.method + " to "
            + endpoint + " could not connect: " + connected.cause().getMessage(), connected.cause()));
        startWaiting();
      }
    });
  }

  /** @param reused the connection carried a request before: the server may have closed it meanwhile */
  private void write(Channel channel, Exchange exchange, boolean reused) {
    if (exchange.result.isDone()) {
      release(channel);
      return;
    }
    exchange.channel = channel;
    exchange.reused = reused;
    channel.attr(CURRENT).set(exchange);
    busy.add(channel);
    channel.writeAndFlush(request(exchange)).addListener((ChannelFutureListener) written -> {
      if (exchange.result.isDone() || exchange.channel != channel) {
        return;
      }
      if (written.isSuccess()) {
        exchange.lastRead = System.nanoTime();
        exchange.written = true;
        arm(exchange);
      } else if (!sentAgain(exchange, channel)) {
        fail(exchange, written.cause());
      }
    });
  }

  /** A new request object for each write: a written one is released, and a request may be written twice ({@link #sentAgain}). */
  private FullHttpRequest request(Exchange exchange) {
    byte[] body = exchange.body;
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(exchange.method),
        exchange.target, body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    request.headers().set(HttpHeaderNames.HOST, endpoint.hostHeader());
    if (body != null) {
      request.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
          .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    }
    return request;
  }

  /**
   * A request on a kept-alive connection that the server closed while it was idle (its FIN or reset
   * was still on its way when the request was written): when the write failed or the connection
   * ended before any byte of the answer, the server cannot have handled the request, so it goes
   * once more, on a new connection, as OkHttp does, instead of costing the caller an attempt.
   * False when that does not apply; then the caller fails the request.
   */
  private boolean sentAgain(Exchange exchange, Channel stale) {
    if (!exchange.reused || exchange.sentAgain || exchange.answering || exchange.result.isDone() || closed) {
      return false;
    }
    exchange.sentAgain = true;
    sentAgain++;
    stale.attr(CURRENT).compareAndSet(exchange, null);
    stale.close();
    exchange.channel = null;
    exchange.written = false;
    arm(exchange); // the call deadline goes on; the read deadline starts again with the new write
    if (open < limits.connections()) {
      connect(exchange);
    } else {
      waiting.addFirst(exchange); // the stale connection's end frees its place
    }
    return true;
  }

  /** A connection free again: to the oldest waiting request, else to the pool. */
  private void release(Channel channel) {
    busy.remove(channel);
    Exchange next;
    while ((next = waiting.poll()) != null && next.result.isDone()) {
      // cancelled or timed out while waiting
    }
    if (next != null) {
      write(channel, next, true);
    } else {
      channel.attr(IDLE_SINCE).set(System.nanoTime());
      idle.addLast(channel);
    }
  }

  private void startWaiting() {
    Exchange next;
    while ((next = waiting.poll()) != null && next.result.isDone()) {
      // cancelled or timed out while waiting
    }
    if (next != null) {
      connect(next);
    }
  }

  /** Arms the request's one timer for its call deadline, or its read deadline once written if that comes first. */
  private void arm(Exchange exchange) {
    if (exchange.timer != null) {
      exchange.timer.cancel(false);
    }
    long next = exchange.written ? Math.min(exchange.deadline, exchange.lastRead + readNanos) : exchange.deadline;
    exchange.timer = loop.schedule(() -> checkTime(exchange), Math.max(0, next - System.nanoTime()),
        TimeUnit.NANOSECONDS);
  }

  private void checkTime(Exchange exchange) {
    if (exchange.result.isDone()) {
      return;
    }
    long now = System.nanoTime();
    if (now - exchange.deadline >= 0) {
      fail(exchange, new SocketTimeoutException("no answer within the call timeout of " + Duration.ofNanos(callNanos).toMillis()
          + " ms (callTimeout)"));
    } else if (exchange.written && now - (exchange.lastRead + readNanos) >= 0) {
      fail(exchange, new SocketTimeoutException("nothing read for the read timeout of " + Duration.ofNanos(readNanos).toMillis()
          + " ms (readTimeout)"));
    } else {
      exchange.timer = null;
      arm(exchange);
    }
  }

  /** Fails a request that has no answer: its connection, if it has one, is closed, as the answer may still come. */
  private void fail(Exchange exchange, Throwable error) {
    exchange.result.completeExceptionally(error);
    abandon(exchange);
  }

  /** After a cancel or failure: the request leaves the queue, or its connection is closed. */
  private void abandon(Exchange exchange) {
    if (exchange.timer != null) {
      exchange.timer.cancel(false);
    }
    waiting.remove(exchange);
    Channel channel = exchange.channel;
    if (channel != null && channel.attr(CURRENT).compareAndSet(exchange, null)) {
      channel.close();
    }
  }

  private void closeIdle() {
    long now = System.nanoTime();
    long limit = limits.idle().toNanos();
    for (Iterator<Channel> i = idle.iterator(); i.hasNext(); ) {
      Channel channel = i.next();
      if (now - channel.attr(IDLE_SINCE).get() >= limit) {
        i.remove();
        channel.close();
      }
    }
  }

  private BroadcastException closedError() {
    return new BroadcastException("The pusher driver's connection to " + endpoint + " is closed");
  }

  /** Connections open and requests waiting, read on the event loop: for tests of the bounds. */
  int[] openAndWaiting() {
    return loop.submit(() -> new int[] {open, waiting.size()}).syncUninterruptibly().getNow();
  }

  /** The thread that looks hosts up: for tests, to make a lookup slow. */
  DefaultEventExecutor lookupThread() {
    return lookups;
  }

  /** Requests sent again after meeting a connection the server had closed, read on the event loop: for tests. */
  int requestsSentAgain() {
    return loop.submit(() -> sentAgain).syncUninterruptibly().getNow();
  }

  /** Fails the requests waiting and in flight, closes the connections, and ends the event loop thread. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    run(() -> {
      for (Exchange exchange : new ArrayList<>(waiting)) {
        fail(exchange, closedError());
      }
      for (Channel channel : new ArrayList<>(busy)) {
        Exchange exchange = channel.attr(CURRENT).get();
        if (exchange != null) {
          fail(exchange, closedError());
        }
      }
      idle.forEach(Channel::close);
    });
    io.netty.util.concurrent.Future<?> end = group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    lookups.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    if (!loop.inEventLoop()) {
      end.awaitUninterruptibly(5, TimeUnit.SECONDS);
      lookups.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  /** One request and its outcome; the fields after {@code result} are touched on the event loop only. */
  private static final class Exchange {
    final String method;
    final String target;
    /** Null for a {@code GET}. */
    final byte[] body;
    final long deadline;
    final CompletableFuture<Answer> result = new CompletableFuture<>();
    Channel channel;
    ScheduledFuture<?> timer;
    boolean written;
    long lastRead;
    /** Written on a connection that had carried a request before. */
    boolean reused;
    /** Bytes of the answer arrived. */
    boolean answering;
    /** Already sent again after meeting a stale connection. */
    boolean sentAgain;

    Exchange(String method, String target, byte[] body, long deadline) {
      this.method = method;
      this.target = target;
      this.body = body;
      this.deadline = deadline;
    }
  }

  /** Notes when bytes of an answer arrive, for the read timeout. */
  private static final class ReadClock extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      Exchange exchange = ctx.channel().attr(CURRENT).get();
      if (exchange != null) {
        exchange.lastRead = System.nanoTime();
        exchange.answering = true;
      }
      ctx.fireChannelRead(message);
    }
  }

  /** Completes each connection's current request with its answer and hands the connection on. */
  private final class Answers extends SimpleChannelInboundHandler<FullHttpResponse> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      Exchange exchange = ctx.channel().attr(CURRENT).getAndSet(null);
      if (response.decoderResult().isFailure()) {
        if (exchange != null) {
          fail(exchange, new IOException("unreadable answer: " + response.decoderResult().cause().getMessage(),
              response.decoderResult().cause()));
        }
        ctx.close();
        return;
      }
      Answer answer = new Answer(response.status().code(), response.content().toString(StandardCharsets.UTF_8));
      // the connection goes back first, so that a request sent from the future's callbacks may take it
      if (exchange != null && HttpUtil.isKeepAlive(response) && !closed) {
        release(ctx.channel());
      } else {
        busy.remove(ctx.channel());
        ctx.close();
      }
      if (exchange != null) {
        exchange.timer.cancel(false);
        exchange.result.complete(answer);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      open--;
      idle.remove(ctx.channel());
      busy.remove(ctx.channel());
      Exchange exchange = ctx.channel().attr(CURRENT).get();
      if (exchange != null && !sentAgain(exchange, ctx.channel())) {
        ctx.channel().attr(CURRENT).set(null);
        exchange.timer.cancel(false);
        exchange.result.completeExceptionally(BroadcastException.retryable("Pusher request "
            + exchange.method + " to " + endpoint + ": the connection closed before the whole answer came", null));
      }
      startWaiting();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Exchange exchange = ctx.channel().attr(CURRENT).get();
      if (exchange != null && !(cause instanceof IOException && sentAgain(exchange, ctx.channel()))) {
        fail(exchange, cause);
      }
      ctx.close();
    }
  }
}
