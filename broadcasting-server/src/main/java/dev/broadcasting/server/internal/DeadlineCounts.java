package dev.broadcasting.server.internal;

import java.util.concurrent.atomic.LongAdder;

/** Connections the server closed because they were too slow, by stage, and those refused per address. */
public final class DeadlineCounts {
  private final LongAdder[] byStage = new LongAdder[ConnectionDeadlines.Stage.values().length];
  private final LongAdder refusedOpening = new LongAdder();

  public DeadlineCounts() {
    for (int i = 0; i < byStage.length; i++) {
      byStage[i] = new LongAdder();
    }
  }

  void closed(ConnectionDeadlines.Stage stage) {
    byStage[stage.ordinal()].increment();
  }

  void refusedOpening() {
    refusedOpening.increment();
  }

  public long firstBytes() {
    return byStage[ConnectionDeadlines.Stage.FIRST_BYTES.ordinal()].sum();
  }

  public long requestHeaders() {
    return byStage[ConnectionDeadlines.Stage.REQUEST_HEADERS.ordinal()].sum();
  }

  public long requestBody() {
    return byStage[ConnectionDeadlines.Stage.REQUEST_BODY.ordinal()].sum();
  }

  public long keepAliveIdle() {
    return byStage[ConnectionDeadlines.Stage.KEEP_ALIVE_IDLE.ordinal()].sum();
  }

  public long refusedOpeningPerAddress() {
    return refusedOpening.sum();
  }
}
