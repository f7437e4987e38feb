package dev.broadcasting.pusher.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.pusher.protocol.PusherSigner;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

/** The Netty transport through the HTTP proxy that the JVM's proxy settings name, as OkHttp's default client went. */
class NettyTransportProxyTest {

  @Test
  void tunnelsThroughTheHttpProxyTheSettingsName() throws Exception {
    try (MockWebServer server = new MockWebServer(); ConnectProxy proxy = new ConnectProxy()) {
      server.enqueue(new MockResponse.Builder().code(200).body("{\"channels\":{}}").build());
      server.start();
      List<URI> asked = new CopyOnWriteArrayList<>();
      ProxySelector settings = new ProxySelector() {
        @Override
        public List<Proxy> select(URI uri) {
          asked.add(uri);
          return List.of(new Proxy(Proxy.Type.HTTP, proxy.address()));
        }

        @Override
        public void connectFailed(URI uri, SocketAddress address, IOException e) {}
      };
      PusherEndpoint endpoint = new PusherEndpoint("http", "localhost", server.getPort());
      try (NettyTransport transport = new NettyTransport(endpoint, Duration.ofSeconds(5), Duration.ofSeconds(5),
          Duration.ofSeconds(5), NettyTransport.Limits.DEFAULT, null, settings)) {
        PusherHttp http = new PusherHttp(transport, endpoint, "1", new PusherSigner("key", "secret"));
        assertThat(http.get("/apps/1/channels", Map.of()).get(5, TimeUnit.SECONDS)).isEqualTo("{\"channels\":{}}");
      }
      assertThat(asked).containsExactly(URI.create("http://localhost:" + server.getPort() + "/"));
      // the proxy, not the driver, looks the name up
      assertThat(proxy.requests).containsExactly("CONNECT localhost:" + server.getPort() + " HTTP/1.1");
      assertThat(server.takeRequest().getUrl().encodedPath()).isEqualTo("/apps/1/channels");
    }
  }

  /** An HTTP proxy that answers {@code CONNECT} with a tunnel, one connection at a time. */
  private static final class ConnectProxy implements AutoCloseable {
    final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    final List<String> requests = new CopyOnWriteArrayList<>();

    ConnectProxy() throws IOException {
      daemon(this::serve);
    }

    InetSocketAddress address() {
      return new InetSocketAddress(socket.getInetAddress(), socket.getLocalPort());
    }

    private void serve() {
      while (!socket.isClosed()) {
        try {
          Socket client = socket.accept();
          InputStream in = client.getInputStream();
          String head = readHead(in);
          String requestLine = head.lines().findFirst().orElse("");
          requests.add(requestLine);
          String[] target = requestLine.split(" ")[1].split(":");
          Socket upstream = new Socket(target[0], Integer.parseInt(target[1]));
          client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          daemon(() -> pipe(in, upstream));
          daemon(() -> pipe(upstream, client));
        } catch (IOException closed) {
          return;
        }
      }
    }

    private static String readHead(InputStream in) throws IOException {
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("closed before the request's end");
        }
        head.append((char) b);
      }
      return head.toString();
    }

    private static void pipe(InputStream from, Socket to) {
      try (OutputStream out = to.getOutputStream()) {
        from.transferTo(out);
      } catch (IOException ended) {
        // either side closed
      }
    }

    private static void pipe(Socket from, Socket to) {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        in.transferTo(out);
      } catch (IOException ended) {
        // either side closed
      }
    }

    private static void daemon(Runnable task) {
      Thread thread = new Thread(task, "connect-proxy");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
