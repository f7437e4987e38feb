package dev.broadcasting.benchmarks;

import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * OkHttp clients for {@value InFlight#WINDOW} requests in flight to one host. With OkHttp's
 * default pool, which keeps 5 idle connections, all but 5 of the connections a window opened are
 * closed when it completes and opened again by the next window; this pool keeps them all.
 */
final class PooledClients {
  private PooledClients() {}

  /** The drivers' dispatcher limits (128 requests, 64 per host) and OkHttp's default pool of 5 idle connections. */
  static OkHttpClient defaultPool() {
    return new OkHttpClient.Builder().dispatcher(dispatcher()).build();
  }

  /** The same dispatcher limits with a pool that keeps up to 64 idle connections for 5 minutes. */
  static OkHttpClient pool64() {
    return new OkHttpClient.Builder().dispatcher(dispatcher())
        .connectionPool(new ConnectionPool(64, 5, TimeUnit.MINUTES)).build();
  }

  static void close(OkHttpClient client) {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  private static Dispatcher dispatcher() {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(128);
    dispatcher.setMaxRequestsPerHost(64);
    return dispatcher;
  }
}
