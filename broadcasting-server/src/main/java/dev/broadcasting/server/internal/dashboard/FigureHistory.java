package dev.broadcasting.server.internal.dashboard;

import dev.broadcasting.server.AppStats;

/**
 * One app's figures, one sample a second over the last hour, for the dashboard's charts: gauges
 * (connections, channels, webhook backlog) as they were, totals (messages in and out, client
 * events, refusals) as rates per second since the sample before. A fixed ring of
 * {@value #CAPACITY} samples: the oldest is overwritten.
 *
 * <pre>{@code
 * history.record(nowMillis, server.stats("1"));
 * long[][] lastMinute = history.last(60);
 * }</pre>
 */
final class FigureHistory {
  static final int CAPACITY = 3600;
  /** The series, in the order of each sample's values. */
  static final String[] SERIES = {"connections", "channels", "messagesIn", "messagesOut", "clientEvents",
      "refusals", "webhookBacklog"};

  private final long[] times = new long[CAPACITY];
  private final double[][] values = new double[CAPACITY][];
  private long recorded;
  private long lastMillis = -1;
  private long[] lastTotals;

  /** Adds the sample taken at {@code nowMillis}; rates are per second since the sample before (0 for the first). */
  synchronized double[] record(long nowMillis, AppStats stats) {
    long[] totals = {stats.messagesIn(), stats.messagesOut(), stats.clientEvents(), stats.refusals()};
    double seconds = lastMillis < 0 ? 0 : Math.max(1, nowMillis - lastMillis) / 1000.0;
    double[] rates = new double[totals.length];
    for (int i = 0; i < totals.length; i++) {
      rates[i] = seconds == 0 ? 0 : Math.max(0, totals[i] - lastTotals[i]) / seconds;
    }
    double[] sample = {stats.connections(), stats.channels(), rates[0], rates[1], rates[2], rates[3],
        stats.webhookBacklog()};
    int slot = (int) (recorded++ % CAPACITY);
    times[slot] = nowMillis;
    values[slot] = sample;
    lastMillis = nowMillis;
    lastTotals = totals;
    return sample;
  }

  /** The last {@code n} samples (fewer when fewer were taken), oldest first: each its time, then its values. */
  synchronized double[][] last(int n) {
    int count = (int) Math.min(Math.min(n, CAPACITY), recorded);
    double[][] out = new double[count][];
    for (int i = 0; i < count; i++) {
      int slot = (int) ((recorded - count + i) % CAPACITY);
      double[] row = new double[SERIES.length + 1];
      row[0] = times[slot];
      System.arraycopy(values[slot], 0, row, 1, SERIES.length);
      out[i] = row;
    }
    return out;
  }
}
