package dev.broadcasting.benchmarks;

import java.util.Locale;

/**
 * One line of the goals table: a goal, our figure next to the peer's, their ratio, and whether the
 * goal is met. The verdict is computed here and nowhere else.
 *
 * <pre>{@code
 * GoalRow row = GoalRow.atLeast("pusher queued, 1 channel", "≥ 3× official async", ours, peer, 3.0, "events/s");
 * String line = row.markdown();
 * }</pre>
 *
 * @param goal what is measured, with its bracket
 * @param ours our figure, formatted
 * @param peer the peer's figure (or the target, when there is no peer), formatted
 * @param ratio ours over peer, {@code NaN} when there is none
 * @param verdict met, short, or not available
 */
record GoalRow(String goal, String ours, String peer, double ratio, Verdict verdict) {
  enum Verdict {
    MET("met"), SHORT("**short**"), NOT_AVAILABLE("not available");

    private final String text;

    Verdict(String text) {
      this.text = text;
    }
  }

  /** Met when {@code ours / peer >= min}: a throughput goal. */
  static GoalRow atLeast(String goal, double ours, double peer, double min, String unit) {
    double ratio = ours / peer;
    return new GoalRow(goal, figure(ours, unit), figure(peer, unit), ratio, ratio >= min ? Verdict.MET : Verdict.SHORT);
  }

  /** Met when {@code ours / peer <= max}: a latency or cost goal. */
  static GoalRow atMost(String goal, double ours, double peer, double max, String unit) {
    double ratio = ours / peer;
    return new GoalRow(goal, figure(ours, unit), figure(peer, unit), ratio, ratio <= max ? Verdict.MET : Verdict.SHORT);
  }

  /** Met when {@code ours >= target}: a goal with a fixed figure and no peer. */
  static GoalRow atLeastFigure(String goal, double ours, double target, String unit) {
    double ratio = ours / target;
    return new GoalRow(goal, figure(ours, unit), "target " + figure(target, unit), ratio,
        ratio >= 1 ? Verdict.MET : Verdict.SHORT);
  }

  /** A goal whose side of ours cannot be measured yet; the peer is still measured and shown. */
  static GoalRow notAvailable(String goal, String why, double peer, String unit) {
    return new GoalRow(goal, why, figure(peer, unit), Double.NaN, Verdict.NOT_AVAILABLE);
  }

  static String header() {
    return "| goal | ours | peer | ratio | verdict |\n| --- | --- | --- | --- | --- |";
  }

  String markdown() {
    String shown = Double.isNaN(ratio) ? "–" : String.format(Locale.ROOT, "%.2f×", ratio);
    return "| " + goal + " | " + ours + " | " + peer + " | " + shown + " | " + verdict.text + " |";
  }

  private static String figure(double value, String unit) {
    if (Double.isNaN(value)) {
      return "–";
    }
    String number = value >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    return number + " " + unit;
  }
}
