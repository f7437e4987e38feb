package dev.broadcasting.server.internal;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import dev.broadcasting.server.internal.dashboard.Dashboard;
import io.netty.handler.ssl.SslContext;
import java.util.Map;

/** Every connection starts as HTTP; {@link HttpRouter} turns it into a WebSocket or answers the API. */
public final class ServerInitializer extends ChannelInitializer<SocketChannel> {
  private final SslContext ssl;
  private final ServerSettings settings;
  private final Map<String, AppHub> hubsById;
  private final Map<String, AppHub> hubsByKey;
  private final DeadlineCounts deadlineCounts;
  private final OpeningConnections opening;
  private final Dashboard dashboard;

  public ServerInitializer(SslContext ssl, ServerSettings settings, Map<String, AppHub> hubsById,
      Map<String, AppHub> hubsByKey, DeadlineCounts deadlineCounts, Dashboard dashboard) {
    this.ssl = ssl;
    this.settings = settings;
    this.hubsById = hubsById;
    this.hubsByKey = hubsByKey;
    this.deadlineCounts = deadlineCounts;
    this.dashboard = dashboard;
    this.opening = new OpeningConnections(settings.maxOpeningPerAddress(), settings.trustedProxies());
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    Runnable release = opening.open(channel.remoteAddress() == null ? null : channel.remoteAddress().getAddress());
    if (release == null) {
      deadlineCounts.refusedOpening();
      channel.close();
      return;
    }
    channel.closeFuture().addListener(closed -> release.run());
    ChannelPipeline pipeline = channel.pipeline();
    ConnectionDeadlines deadlines = new ConnectionDeadlines(settings, deadlineCounts, release);
    pipeline.addLast("first-bytes", deadlines.firstBytes());
    if (ssl != null) {
      pipeline.addLast("tls", ssl.newHandler(channel.alloc()));
    }
    pipeline.addLast("http", new HttpServerCodec());
    pipeline.addLast("deadlines", deadlines);
    pipeline.addLast("aggregator", new JsonHttpObjectAggregator(settings.maxRequestSize()));
    pipeline.addLast("router", new HttpRouter(settings, hubsById, hubsByKey, ssl != null, dashboard));
  }
}
