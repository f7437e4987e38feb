package dev.broadcasting.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.doctor.Finding.Outcome;
import dev.broadcasting.doctor.internal.Endpoint;
import dev.broadcasting.doctor.internal.PortCheck;
import dev.broadcasting.redis.RedisServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PortCheckTest {
  private static final Duration TIMEOUT = Duration.ofMillis(300);

  @Test
  void aListeningPortIsReachable() throws Exception {
    try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Finding finding = new PortCheck(new Endpoint("WebSocket server", "127.0.0.1", listening.getLocalPort(),
          "VITE_PUSHER_PORT"), Duration.ofSeconds(10)).run();

      assertThat(finding.outcome()).isEqualTo(Outcome.OK);
      assertThat(finding.saw()).startsWith("accepts connections");
    }
  }

  @Test
  void aClosedPortIsRefusedAndSaysNothingListens() throws Exception {
    int port = RedisServer.freePort(false);

    Finding finding = check(port).run();

    assertThat(finding.line()).isEqualTo("FAIL port 127.0.0.1:" + port + " (WebSocket server) | saw: connection "
        + "refused at 127.0.0.1:" + port + ": nothing listens on that port | fix: start the WebSocket server on "
        + "127.0.0.1:" + port + ", or correct VITE_PUSHER_PORT");
  }

  @Test
  void aPortThatDropsPacketsTimesOutAndNamesTheFirewall() throws Exception {
    try (DroppingPort dropping = new DroppingPort()) {
      int port = dropping.port();

      Finding finding = check(port).run();

      assertThat(finding.outcome()).isEqualTo(Outcome.FAIL);
      assertThat(finding.saw()).isEqualTo("no answer from 127.0.0.1:" + port + " within 300 ms");
      assertThat(finding.fix()).isEqualTo("open port " + port + " in the firewall between here and 127.0.0.1, "
          + "or correct VITE_PUSHER_PORT");
    }
  }

  @Test
  void aHostThatDoesNotResolveIsNamed() {
    Finding finding = new PortCheck(new Endpoint("auth endpoint", "no-such-host.invalid", 80,
        "BROADCAST_DOCTOR_AUTH_URL"), TIMEOUT).run();

    assertThat(finding.saw()).isEqualTo("unknown host no-such-host.invalid: the name does not resolve");
    assertThat(finding.fix()).isEqualTo("correct the host in BROADCAST_DOCTOR_AUTH_URL");
  }

  private static PortCheck check(int port) {
    return new PortCheck(new Endpoint("WebSocket server", "127.0.0.1", port, "VITE_PUSHER_PORT"), TIMEOUT);
  }
}
