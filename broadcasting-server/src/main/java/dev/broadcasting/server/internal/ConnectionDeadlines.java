package dev.broadcasting.server.internal;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deadlines of a connection until it is a live Pusher connection or between its HTTP
 * requests: its first bytes after the accept, the rest of the request headers, the request body,
 * and the idle time between kept-alive requests. Past one, the connection is closed and counted
 * in {@link DeadlineCounts}. Sits after the HTTP codec; {@link #firstBytes()} goes first in the
 * pipeline to see raw bytes. The router removes both once the connection is a WebSocket, which the
 * Pusher activity timeout then watches.
 */
final class ConnectionDeadlines extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(ConnectionDeadlines.class);

  /** The stages a connection goes through before and between requests. */
  enum Stage { FIRST_BYTES, REQUEST_HEADERS, REQUEST_BODY, ANSWERING, KEEP_ALIVE_IDLE }

  private final ServerSettings settings;
  private final DeadlineCounts counts;
  private final Runnable headersArrived;
  private ChannelHandlerContext ctx;
  private Stage stage = Stage.FIRST_BYTES;
  private final Runnable check = this::check;
  private ScheduledFuture<?> timer;
  private long timerDue;
  private long stageDeadline;

  /** {@code headersArrived} runs once, when the first request's headers are complete. */
  ConnectionDeadlines(ServerSettings settings, DeadlineCounts counts, Runnable headersArrived) {
    this.settings = settings;
    this.counts = counts;
    this.headersArrived = headersArrived;
  }

  /** The handler for the front of the pipeline that reports the first bytes of each request. */
  ChannelInboundHandlerAdapter firstBytes() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext front, Object msg) {
        if (stage == Stage.FIRST_BYTES || stage == Stage.KEEP_ALIVE_IDLE) {
          enter(Stage.REQUEST_HEADERS);
        }
        front.fireChannelRead(msg);
      }
    };
  }

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    this.ctx = context;
    enter(Stage.FIRST_BYTES);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext context) {
    cancel();
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object msg) throws Exception {
    if (msg instanceof HttpRequest) {
      headersArrived.run();
      enter(Stage.REQUEST_BODY);
    }
    if (msg instanceof LastHttpContent) {
      enter(Stage.ANSWERING);
    }
    context.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext context, Object msg, ChannelPromise promise) throws Exception {
    if (msg instanceof LastHttpContent || msg instanceof HttpResponse) {
      boolean last = msg instanceof LastHttpContent;
      promise = promise.unvoid().addListener(written -> {
        if (last && stage == Stage.ANSWERING && context.channel().isActive()) {
          enter(Stage.KEEP_ALIVE_IDLE);
        }
      });
    }
    context.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) throws Exception {
    cancel();
    context.fireChannelInactive();
  }

  /**
   * Starts {@code next}. One timer serves every stage: it is only rescheduled when the new
   * deadline comes before the one it waits for, and otherwise checks the stage it finds when it
   * fires; so a connection that upgrades at once costs one timer, set and cancelled.
   */
  private void enter(Stage next) {
    stage = next;
    long timeout = timeoutNanos(next);
    if (timeout == 0) {
      return;
    }
    stageDeadline = System.nanoTime() + timeout;
    if (timer == null || stageDeadline - timerDue < 0) {
      cancel();
      schedule(timeout);
    }
  }

  private void schedule(long delayNanos) {
    timerDue = System.nanoTime() + delayNanos;
    timer = ctx.executor().schedule(check, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void check() {
    timer = null;
    if (timeoutNanos(stage) == 0 || !ctx.channel().isActive()) {
      return;
    }
    long left = stageDeadline - System.nanoTime();
    if (left > 0) {
      schedule(left);
      return;
    }
    counts.closed(stage);
    log.debug("Closing connection from {}: past its {} deadline", ctx.channel().remoteAddress(), stage);
    ctx.close();
  }

  private long timeoutNanos(Stage of) {
    Duration timeout = switch (of) {
      case FIRST_BYTES -> settings.firstBytesTimeout();
      case REQUEST_HEADERS -> settings.requestHeadersTimeout();
      case REQUEST_BODY -> settings.requestBodyTimeout();
      case KEEP_ALIVE_IDLE -> settings.keepAliveTimeout();
      case ANSWERING -> Duration.ZERO;
    };
    return timeout.toNanos();
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
