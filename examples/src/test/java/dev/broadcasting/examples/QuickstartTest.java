package dev.broadcasting.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.examples.Quickstart.OrderShipped;
import dev.broadcasting.testing.BroadcastFake;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class QuickstartTest {

  @Test
  void theQuickstartRunsAndItsEventIsWhatTheReadmeShows() {
    Quickstart.main(new String[0]);
    BroadcastFake fake = new BroadcastFake();
    try (var broadcaster = fake.broadcaster()) {
      broadcaster.broadcast(new OrderShipped(42, "UPS"));
    }
    assertThat(fake.events().get(0).channels().get(0).name()).isEqualTo("private-orders.42");
    assertThat(fake.events().get(0).payload()).isEqualTo("{\"orderId\":42,\"carrier\":\"UPS\"}");
  }

  @Test
  void theReadmeQuotesTheQuickstartVerbatim() throws Exception {
    Path readme = Path.of("..", "README.md");
    String source = Files.readString(Path.of("src/main/java/dev/broadcasting/examples/Quickstart.java"));
    String body = source.substring(source.indexOf("  // An event is"), source.lastIndexOf("}")).stripTrailing();
    String text = Files.readString(readme);
    assertThat(text).contains(body.stripIndent().strip());
  }
}
