package dev.broadcasting.micrometer;

import dev.broadcasting.pusher.PusherBroadcastDriver;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** The Pusher HTTP API on MockWebServer: 200 unless told otherwise, and optionally held until released. */
final class PusherStandIn implements AutoCloseable {
  final MockWebServer server = new MockWebServer();
  private final BlockingQueue<Integer> statuses = new LinkedBlockingQueue<>();
  volatile CountDownLatch hold = new CountDownLatch(0);
  final BlockingQueue<String> paths = new LinkedBlockingQueue<>();

  PusherStandIn() throws IOException {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        paths.add(request.getUrl().encodedPath());
        hold.await(10, TimeUnit.SECONDS);
        Integer status = statuses.poll();
        return new MockResponse.Builder().code(status == null ? 200 : status).body("{}").build();
      }
    });
    server.start();
  }

  /** The next requests are answered with these statuses, in order; then 200. */
  void answer(Integer... codes) {
    statuses.addAll(java.util.List.of(codes));
  }

  PusherBroadcastDriver driver() {
    return PusherBroadcastDriver.builder().appId("3").key("278d425bdf160c739803").secret("7ad3773142a6692b25b8")
        .host(server.getHostName()).port(server.getPort()).scheme("http").build();
  }

  @Override
  public void close() {
    hold.countDown();
    server.close();
  }
}
