package dev.broadcasting.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.broadcasting.resp.internal.RespEndpoint;
import dev.broadcasting.resp.internal.RespLink;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The packed format's scripts, as the design counts them: {@code maxLength} in events, exactly. */
class DurablePackingFloorTest {
  @Test
  void packedEntriesAreRefusedWholeAtMaxLengthEventsAndTheCounterDrainsWithTheStream() throws Exception {
    try (RedisProcess redis = RedisProcess.start();
        RespLink link = new RespEndpoint(RedisURI.create("redis://127.0.0.1:" + redis.port()), null,
            Duration.ofSeconds(5)).open()) {
      link.call("XGROUP", "CREATE", "q:p1", "workers", "$", "MKSTREAM");
      // max 10 events: 4 + 4 stored, the next 4 refused whole, then 2 fit exactly
      Object stored = link.call("EVAL", DurablePackingFloor.ENQUEUE_PACKED, "2", "q:p1", "q:p1:events", "10",
          "1", "4", "a b c d", "events-1", "1", "4", "e f g h", "events-2", "1", "4", "i j k l", "events-3",
          "1", "2", "m n", "events-4");
      assertEquals(List.of(1L, 1L, 0L, 1L), stored);
      assertEquals("10", link.call("GET", "q:p1:events"));
      assertEquals(3L, link.call("XLEN", "q:p1"));
      assertEquals(List.of(0L), link.call("EVAL", DurablePackingFloor.ENQUEUE_PACKED, "2", "q:p1", "q:p1:events",
          "10", "1", "1", "o", "events-5"));

      List<?> read = (List<?>) ((List<?>) ((List<?>) link.call("XREADGROUP", "GROUP", "workers", "w", "COUNT", "100",
          "STREAMS", "q:p1", ">")).get(0)).get(1);
      assertEquals(3, read.size());
      assertEquals(List.of("v", "2", "ids", "a b c d", "events", "events-1"), ((List<?>) read.get(0)).get(1));
      String first = (String) ((List<?>) read.get(0)).get(0);
      assertEquals(1L, link.call("EVAL", DurablePackingFloor.ACK_PACKED, "2", "q:p1", "q:p1:events", "workers",
          "4", "1", first));
      assertEquals("6", link.call("GET", "q:p1:events"));
      assertEquals(2L, link.call("EVAL", DurablePackingFloor.ACK_PACKED, "2", "q:p1", "q:p1:events", "workers",
          "6", "2", (String) ((List<?>) read.get(1)).get(0), (String) ((List<?>) read.get(2)).get(0)));
      assertEquals(0L, link.call("XLEN", "q:p1"));
      assertNull(link.call("GET", "q:p1:events"));
    }
  }
}
