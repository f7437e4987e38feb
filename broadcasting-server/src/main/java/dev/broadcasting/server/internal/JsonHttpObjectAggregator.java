package dev.broadcasting.server.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Aggregates requests, and answers one over the size limit with a JSON 413 like every other API error. */
final class JsonHttpObjectAggregator extends HttpObjectAggregator {
  /** How long the rest of a refused body is read and dropped before the connection is closed. */
  private static final long LINGER_MILLIS = 2_000;
  private final int maxContentLength;

  JsonHttpObjectAggregator(int maxContentLength) {
    super(maxContentLength);
    this.maxContentLength = maxContentLength;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    String body = HttpRouter.error("The request body is larger than " + maxContentLength
        + " bytes, the server's maxRequestSize; the API takes at most 10 events per batch");
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    HttpUtil.setContentLength(response, response.content().readableBytes());
    // The rest of the body is still on its way. Closing now, with it unread, makes the kernel send
    // a reset that can destroy the 413 before the client reads it; so the answer is followed by a
    // half-close, and what still arrives is dropped (by the aggregator) for a bounded time.
    ctx.writeAndFlush(response).addListener((ChannelFutureListener) written -> {
      if (!written.isSuccess() || !(ctx.channel() instanceof DuplexChannel duplex)) {
        ctx.close();
        return;
      }
      duplex.shutdownOutput();
      ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    });
  }
}
