package dev.broadcasting.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;

class NoDelaySocketsTest {
  @Test
  void replacesTheDefaultFactoryWithSocketsThatHaveNagleOff() throws IOException {
    SocketFactory factory = NoDelaySockets.unlessCustom(SocketFactory.getDefault());
    try (Socket unconnected = factory.createSocket();
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket connected = factory.createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        Socket jdkDefault = SocketFactory.getDefault().createSocket()) {
      assertThat(unconnected.getTcpNoDelay()).isTrue();
      assertThat(connected.getTcpNoDelay()).isTrue();
      assertThat(jdkDefault.getTcpNoDelay()).isFalse();
    }
  }

  @Test
  void keepsAnApplicationsOwnFactory() {
    SocketFactory own = SSLSocketFactory.getDefault();
    assertThat(NoDelaySockets.unlessCustom(own)).isSameAs(own);
  }
}
