package dev.broadcasting.queue.redis.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import java.time.Duration;

/**
 * The options every lettuce connection of the queue starts from: its TLS trust, its command
 * timeout, and for a Unix socket no TCP keep-alive. lettuce's default keep-alive sets
 * {@code TCP_KEEPIDLE}, {@code TCP_KEEPINTVL} and {@code TCP_KEEPCNT}, which a domain socket does
 * not have: netty logs one WARN for each at every connect, and keep-alive means nothing there.
 *
 * <pre>{@code
 * client.setOptions(ClientSettings.options(uri, SslOptions.create(), Duration.ofSeconds(5)).autoReconnect(false).build());
 * }</pre>
 */
public final class ClientSettings {
  private ClientSettings() {}

  public static ClientOptions.Builder options(RedisURI uri, SslOptions ssl, Duration commandTimeout) {
    ClientOptions.Builder options = ClientOptions.builder().sslOptions(ssl)
        .timeoutOptions(TimeoutOptions.enabled(commandTimeout));
    if (uri.getSocket() != null) {
      options.socketOptions(SocketOptions.builder().keepAlive(false).build());
    }
    return options;
  }
}
