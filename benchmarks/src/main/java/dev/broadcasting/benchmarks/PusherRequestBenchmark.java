package dev.broadcasting.benchmarks;

import dev.broadcasting.pusher.internal.EventBodies;
import dev.broadcasting.pusher.internal.PusherEndpoint;
import dev.broadcasting.pusher.internal.PusherHttp;
import dev.broadcasting.pusher.protocol.PusherChannelNames;
import dev.broadcasting.pusher.protocol.PusherSigner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The pusher driver's own work for one {@code batch_events} request of the goals' shape (10 events
 * of {@value Payloads#PAYLOAD_BYTES} bytes of data, one channel each), without sending it: the
 * body, the signed request, the channel-name check. Nanoseconds per request (per name for
 * {@code channelName}); divide by 10 for the cost per event.
 *
 * <pre>{@code benchmarks/run.sh PusherRequestBenchmark}</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PusherRequestBenchmark {
  private static final String PATH = "/apps/" + AuthBenchmark.APP_ID + "/batch_events";

  private final List<EventBodies.BatchItem> items = new ArrayList<>();
  private final PusherEndpoint base = new PusherEndpoint("http", "127.0.0.1", 8080);
  private final PusherSigner signer = new PusherSigner(AuthBenchmark.KEY, AuthBenchmark.SECRET);
  private PusherHttp http;
  private byte[] body;

  @Setup
  public void setUp() {
    // the serialized payload core hands over: {"text":"xx..."}, as GoalEvent.broadcastWith() writes it
    String data = "{\"text\":\"" + GoalEvent.TEXT + "\"}";
    for (int i = 0; i < 10; i++) {
      items.add(new EventBodies.BatchItem(GoalEvent.channelName(i), "OrderShipped", data, null));
    }
    http = new PusherHttp(null, base, AuthBenchmark.APP_ID, signer);
    body = EventBodies.batch(items);
  }

  @Benchmark
  public byte[] batchBody() {
    return EventBodies.batch(items);
  }

  @Benchmark
  public String signedRequest() {
    return http.target("POST", PATH, Map.of(), body);
  }

  @Benchmark
  public String channelName() {
    return PusherChannelNames.error("private-orders.42");
  }
}
