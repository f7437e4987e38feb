package dev.broadcasting.kit;

import dev.broadcasting.internal.LogDriver;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;

/**
 * The {@code log} driver's peer is the log: each event is one info line with its name, channels and
 * socket, and (at trace, set for these tests) one line with its payload, read back from stderr.
 */
class LogDriverCompatibilityTest extends DriverCompatibilityKit {
  private static final Pattern SENT = Pattern.compile(
      "^\\[(.+?)\\] INFO dev\\.broadcasting\\.internal\\.LogDriver - Broadcasting \\[(.+?)\\] on \\[(.*?)\\] "
          + "\\(\\d+ bytes\\)(?: except socket (.+))?$");
  private static final Pattern PAYLOAD = Pattern.compile(
      "^\\[(.+?)\\] TRACE dev\\.broadcasting\\.internal\\.LogDriver - Payload of \\[(.+?)\\]: (.*)$");
  private final PrintStream stderr = System.err;
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();

  @Override
  protected BroadcastDriver createDriver() {
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    return new LogDriver();
  }

  @AfterEach
  void restoreStderr() {
    System.setErr(stderr);
  }

  @Override
  protected List<Delivery> awaitDeliveries(int count, Duration timeout) throws InterruptedException {
    long giveUp = System.nanoTime() + timeout.toNanos();
    List<Delivery> deliveries = read();
    while (deliveries.size() < count && System.nanoTime() < giveUp) {
      Thread.sleep(10);
      deliveries = read();
    }
    return deliveries;
  }

  /** Pairs each info line with the payload line its thread wrote next. */
  private List<Delivery> read() {
    List<Delivery> deliveries = new ArrayList<>();
    Map<String, Matcher> pending = new HashMap<>();
    for (String line : log.toString(StandardCharsets.UTF_8).lines().toList()) {
      Matcher sent = SENT.matcher(line);
      if (sent.matches()) {
        pending.put(sent.group(1), sent);
        continue;
      }
      Matcher payload = PAYLOAD.matcher(line);
      if (payload.matches() && pending.containsKey(payload.group(1))) {
        Matcher event = pending.remove(payload.group(1));
        for (String channel : event.group(3).split(", ")) {
          deliveries.add(new Delivery(channel, event.group(2), payload.group(3), event.group(4)));
        }
      }
    }
    return deliveries;
  }

  @Override
  protected String driverName() {
    return "log";
  }

  /** The log takes any message. */
  @Override
  protected Optional<BroadcastMessage> unacceptableMessage() {
    return Optional.empty();
  }

  /** The log driver answers as laravel-echo-server does. */
  @Override
  protected String expectedPrivateAuth(String socketId, String channel) {
    return "true";
  }

  /** Writing a log line has no failure that passes: there is no peer to be down for a moment. */
  @Override
  protected PeerFault failOnce(int afterRequests) {
    return PeerFault.impossible("the log driver writes each event to the log on the calling thread:"
        + " no network and no remote peer, so nothing can fail for a moment and pass");
  }

  @Override
  protected PeerFault holdNextRequest() {
    return PeerFault.impossible("the log driver's publish is done when the log line is written:"
        + " there is no peer that could hold a request unanswered");
  }
}
