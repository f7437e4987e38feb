package dev.broadcasting.server.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * One keep-alive HTTP/1.1 connection to a webhook URL, carrying one request at a time, on the
 * webhook thread. It is opened when a request needs it and closed after its idle timeout (30 s in
 * a server) without one, so a sender holds at most one connection per request it may have in flight.
 */
final class WebhookConnection {
  static final int TIMEOUT_SECONDS = 10;

  private final EventLoop loop;
  private final URI url;
  private final SslContext ssl;
  private final long idleMillis;
  private Channel channel;
  private CompletableFuture<Integer> answer;

  WebhookConnection(EventLoop loop, URI url, SslContext ssl, long idleMillis) {
    this.loop = loop;
    this.url = url;
    this.ssl = ssl;
    this.idleMillis = idleMillis;
  }

  /** Sends {@code request}; completes with the status code, or with an error. Call on the loop. */
  CompletableFuture<Integer> post(FullHttpRequest request) {
    CompletableFuture<Integer> result = new CompletableFuture<>();
    answer = result;
    var timeout = loop.schedule(() -> fail(result, new IOException("no answer within " + TIMEOUT_SECONDS + " s")),
        TIMEOUT_SECONDS, TimeUnit.SECONDS);
    result.whenComplete((status, error) -> timeout.cancel(false));
    if (channel != null && channel.isActive()) {
      write(result, request);
      return result;
    }
    new Bootstrap().group(loop).channel(NioSocketChannel.class)
        .option(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS, TIMEOUT_SECONDS * 1000)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            if (ssl != null) {
              SSLEngine engine = ssl.newEngine(ch.alloc(), url.getHost(), port());
              SSLParameters parameters = engine.getSSLParameters();
              parameters.setEndpointIdentificationAlgorithm("HTTPS");
              engine.setSSLParameters(parameters);
              ch.pipeline().addLast(new io.netty.handler.ssl.SslHandler(engine));
            }
            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
                new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS), new Answers());
          }
        })
        .connect(url.getHost(), port()).addListener(connected -> {
          if (connected.isSuccess()) {
            channel = ((io.netty.channel.ChannelFuture) connected).channel();
            write(result, request);
          } else {
            request.release();
            fail(result, connected.cause());
          }
        });
    return result;
  }

  boolean isOpen() {
    return channel != null && channel.isOpen();
  }

  void close() {
    if (channel != null) {
      channel.close();
    }
  }

  private void write(CompletableFuture<Integer> result, FullHttpRequest request) {
    channel.writeAndFlush(request).addListener(written -> {
      if (!written.isSuccess()) {
        fail(result, written.cause());
      }
    });
  }

  private void fail(CompletableFuture<Integer> result, Throwable why) {
    if (result.completeExceptionally(why)) {
      // a connection whose answer is late or broken is not reused: the next answer on it would be this one's
      close();
    }
  }

  private int port() {
    return url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
  }

  private final class Answers extends SimpleChannelInboundHandler<FullHttpResponse> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      if (answer != null) {
        answer.complete(response.status().code());
      }
      if (!HttpUtil.isKeepAlive(response)) {
        ctx.close();
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof IdleStateEvent) {
        ctx.close();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (answer != null) {
        fail(answer, new IOException("connection closed before the answer"));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (answer != null) {
        fail(answer, cause);
      }
      ctx.close();
    }
  }
}
