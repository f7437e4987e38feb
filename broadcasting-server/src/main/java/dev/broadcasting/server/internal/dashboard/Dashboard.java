package dev.broadcasting.server.internal.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.broadcasting.server.AppStats;
import dev.broadcasting.server.internal.AppHub;
import dev.broadcasting.server.internal.HubView;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard of a server, when it is turned on: per app an {@link EventLog} and a
 * {@link FigureHistory}, one thread ({@code broadcast-server-dashboard}) that samples the figures
 * every second and pushes them, with the log's new entries and the occupied channels, to the
 * pages watching over Server-Sent Events, and the HTTP side under {@code /dashboard}.
 *
 * <pre>{@code
 * Dashboard dashboard = new Dashboard(hubsById, server::stats, "admin", password, false);
 * dashboard.start();
 * }</pre>
 */
public final class Dashboard implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
  static final ObjectMapper JSON = new ObjectMapper();
  /** Entries the event log of each app keeps. */
  static final int LOG_ENTRIES = 1000;
  /** Pages watching at once, over every app; more are refused with 503. */
  static final int MAX_STREAMS = 16;
  /** Channels sent to a page each second; the rest are counted. */
  static final int CHANNELS_SHOWN = 200;

  /** One app as the dashboard sees it. */
  record Board(AppHub hub, HubView view, EventLog log, FigureHistory history) {}

  /** A page watching one app; {@code lastSeq} is the newest log entry it was sent. */
  static final class Stream {
    final Channel channel;
    final String appId;
    long lastSeq;

    Stream(Channel channel, String appId, long lastSeq) {
      this.channel = channel;
      this.appId = appId;
      this.lastSeq = lastSeq;
    }
  }

  private final Map<String, Board> boards = new LinkedHashMap<>();
  private final Function<String, AppStats> stats;
  private final List<Stream> streams = new CopyOnWriteArrayList<>();
  private final DashboardHttp http;
  private ScheduledExecutorService ticker;

  /**
   * The dashboard of {@code hubsById}; {@code user} and {@code password} log in to every app (both
   * null: only an app's key and secret log in, to that app).
   */
  public Dashboard(Map<String, AppHub> hubsById, Function<String, AppStats> stats, String user, String password,
      boolean tls) {
    this.stats = stats;
    hubsById.forEach((id, hub) -> {
      EventLog eventLog = new EventLog(LOG_ENTRIES, System::currentTimeMillis);
      hub.events(eventLog);
      boards.put(id, new Board(hub, new HubView(hub), eventLog, new FigureHistory()));
    });
    this.http = new DashboardHttp(this, new Sessions(System::nanoTime), user, password, tls);
  }

  public synchronized void start() {
    ticker = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "broadcast-server-dashboard");
      thread.setDaemon(true);
      return thread;
    });
    ticker.scheduleAtFixedRate(this::tick, 0, 1, TimeUnit.SECONDS);
  }

  /** Answers a request under {@code /dashboard}. */
  public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
    http.handle(ctx, request, uri);
  }

  Map<String, Board> boards() {
    return boards;
  }

  /** Starts pushing app {@code appId}'s figures and log to {@code channel}; false when too many pages watch. */
  synchronized boolean watch(Channel channel, String appId) {
    if (streams.size() >= MAX_STREAMS) {
      return false;
    }
    Stream stream = new Stream(channel, appId, 0);
    streams.add(stream);
    channel.closeFuture().addListener(closed -> streams.remove(stream));
    return true;
  }

  /** Samples every app, then sends each watching page its app's sample, new log entries and channels. */
  void tick() {
    try {
      long now = System.currentTimeMillis();
      Map<String, double[]> samples = new LinkedHashMap<>();
      boards.forEach((id, board) -> samples.put(id, board.history().record(now, stats.apply(id))));
      for (Stream stream : streams) {
        push(stream, now, samples.get(stream.appId));
      }
    } catch (RuntimeException e) {
      // the next second tries again; a broken tick must not stop the figures for good
      log.warn("Dashboard sampling failed", e);
    }
  }

  private void push(Stream stream, long now, double[] sample) {
    if (!stream.channel.isActive() || !stream.channel.isWritable()) {
      // a page that reads more slowly than once a second: skip it rather than queue without bound
      return;
    }
    Board board = boards.get(stream.appId);
    StringBuilder out = new StringBuilder();
    ObjectNode figures = JSON.createObjectNode().put("t", now);
    for (int i = 0; i < FigureHistory.SERIES.length; i++) {
      figures.put(FigureHistory.SERIES[i], sample[i]);
    }
    event(out, "sample", figures);
    List<EventLog.Entry> entries = board.log().since(stream.lastSeq, null, null, LOG_ENTRIES);
    if (!entries.isEmpty()) {
      stream.lastSeq = entries.get(entries.size() - 1).seq();
      event(out, "log", entriesJson(entries));
    }
    event(out, "channels", channelsJson(board, ""));
    stream.channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(out, StandardCharsets.UTF_8)));
  }

  static void event(StringBuilder out, String name, Object json) {
    try {
      out.append("event: ").append(name).append("\ndata: ").append(JSON.writeValueAsString(json)).append("\n\n");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static ArrayNode entriesJson(List<EventLog.Entry> entries) {
    ArrayNode array = JSON.createArrayNode();
    for (EventLog.Entry entry : entries) {
      ObjectNode one = array.addObject().put("seq", entry.seq()).put("t", entry.timeMillis()).put("kind", entry.kind());
      putIfSet(one, "channel", entry.channel());
      putIfSet(one, "socket_id", entry.socketId());
      putIfSet(one, "name", entry.name());
      if (entry.bytes() >= 0) {
        one.put("bytes", entry.bytes());
      }
      putIfSet(one, "detail", entry.detail());
    }
    return array;
  }

  static ObjectNode channelsJson(Board board, String prefix) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode list = root.putArray("channels");
    board.view().channels(prefix, CHANNELS_SHOWN).forEach((name, counts) ->
        list.addObject().put("name", name).put("subscriptions", counts[0]).put("users", counts[1]));
    root.put("total", board.hub().channelCount());
    return root;
  }

  private static void putIfSet(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }

  @Override
  public synchronized void close() {
    if (ticker != null) {
      ticker.shutdownNow();
    }
    streams.forEach(stream -> stream.channel.close());
  }
}
