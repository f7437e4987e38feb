package dev.broadcasting.benchmarks;

import dev.broadcasting.Channel;
import dev.broadcasting.PrivateChannel;
import dev.broadcasting.spi.BroadcastMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The redis comparison in one process: starts one {@code redis-server}, measures
 * {@code redis-benchmark} publishing the driver's exact bytes against it (5 runs each, the same
 * pipelining as the driver's benchmark, 64 commands in flight on one connection, and redis'
 * own default shape of 50 clients × 16), then runs {@link RedisBenchmark} against the same server and
 * prints each ratio. {@code benchmarks/run-redis.sh [--short]} runs it.
 */
public final class RedisComparison {
  private static final String PUBLISH_ALL = "local receivers = 0\n"
      + "for i = 2, #ARGV do receivers = receivers + redis.call('publish', ARGV[i], ARGV[1]) end\n"
      + "return receivers";
  private static final int RUNS = 5;

  private RedisComparison() {}

  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--short");
    try (RedisProcess redis = RedisProcess.start()) {
      String port = Integer.toString(redis.port());
      System.out.println("redis-server on port " + port + ", " + version("redis-server") + "; "
          + version("redis-benchmark"));
      BroadcastMessage one = message(1);
      String body = new String(RedisBenchmark.wireBody(one.event(), one.payload()), StandardCharsets.UTF_8);
      System.out.println("wire body: " + body.length() + " bytes (payload 200 bytes)");
      int requests = quick ? 100_000 : 1_000_000;

      List<String> publish = List.of("PUBLISH", "private-orders.0", body);
      List<String> eval = new ArrayList<>(List.of("EVAL", PUBLISH_ALL, "0", body));
      for (int i = 0; i < 10; i++) {
        eval.add("private-orders." + i);
      }
      double[] publishSame = redisBenchmark(port, requests, 1, 64, publish);
      double[] publishDefault = redisBenchmark(port, requests, 50, 16, publish);
      double[] evalSame = redisBenchmark(port, requests / 4, 1, 64, eval);
      report("redis-benchmark PUBLISH 1 channel, -c 1 -P 64", publishSame);
      report("redis-benchmark PUBLISH 1 channel, -c 50 -P 16", publishDefault);
      report("redis-benchmark EVAL publish to 10 channels, -c 1 -P 64", evalSame);

      String benchmarks = RedisBenchmark.class.getName() + ".";
      List<RunResult> results = new ArrayList<>(new Runner(options(port, quick)
          .include(benchmarks + "driverPublish$").build()).run());
      // raw lettuce publishes to one channel, whatever the channels parameter says
      results.addAll(new Runner(options(port, quick).include(benchmarks + "lettucePublish(OneFlush)?$")
          .param("channels", "1").build()).run());
      // the latency pair sends one event on one channel, whatever the channels parameter says
      results.addAll(new Runner(options(port, quick).include(benchmarks + ".*Latency$").param("channels", "1")
          .build()).run());
      System.out.println();
      System.out.println("== redis summary ==");
      for (RunResult run : results) {
        String name = run.getParams().getBenchmark().replaceAll(".*\\.", "");
        String channels = run.getParams().getParam("channels");
        Result<?> result = run.getPrimaryResult();
        if (name.endsWith("Latency")) {
          System.out.printf(Locale.ROOT, "%s: p50 %.1f us, p99 %.1f us, p99.9 %.1f us (n=%d)%n", name,
              result.getStatistics().getPercentile(50), result.getStatistics().getPercentile(99),
              result.getStatistics().getPercentile(99.9), result.getStatistics().getN());
        } else {
          boolean ten = "10".equals(channels);
          double[] peer = ten ? evalSame : publishSame;
          System.out.printf(Locale.ROOT, "%s channels=%s: %.0f ± %.0f events/s = %.0f%% of redis-benchmark %s "
              + "(same pipelining)%s%n", name, channels, result.getScore(), result.getScoreError(),
              100 * result.getScore() / peer[0], ten ? "EVAL" : "PUBLISH", ten ? "" : String.format(Locale.ROOT,
                  ", %.0f%% of redis-benchmark -c 50 -P 16", 100 * result.getScore() / publishDefault[0]));
        }
      }
    }
  }

  private static ChainedOptionsBuilder options(String port, boolean quick) {
    return new OptionsBuilder().jvmArgsAppend("-Dbench.redis.port=" + port).forks(1)
        .warmupIterations(quick ? 2 : 10).measurementIterations(5)
        .warmupTime(quick ? TimeValue.milliseconds(500) : TimeValue.seconds(1))
        .measurementTime(quick ? TimeValue.milliseconds(500) : TimeValue.seconds(2))
        .addProfiler(CpuTimeProfiler.class);
  }

  private static BroadcastMessage message(int channels) {
    List<Channel> list = new ArrayList<>();
    for (int i = 0; i < channels; i++) {
      list.add(new PrivateChannel("orders." + i));
    }
    return BroadcastMessage.of("OrderShipped", list, Payloads.json(200));
  }

  /** Requests per second of {@value #RUNS} runs: {mean, error} with JMH's 99.9% confidence interval. */
  private static double[] redisBenchmark(String port, int requests, int clients, int pipeline, List<String> command)
      throws IOException, InterruptedException {
    double[] rates = new double[RUNS];
    for (int run = 0; run < RUNS; run++) {
      rates[run] = redisBenchmarkOnce(port, requests, clients, pipeline, List.of(), command);
    }
    return meanAndError(rates);
  }

  /** Requests per second of one {@code redis-benchmark} run; {@code options} go before the command (e.g. {@code -r 10}). */
  static double redisBenchmarkOnce(String port, int requests, int clients, int pipeline, List<String> options,
      List<String> command) throws IOException, InterruptedException {
    List<String> line = new ArrayList<>(List.of("redis-benchmark", "-h", "127.0.0.1", "-p", port, "-n",
        Integer.toString(requests), "-c", Integer.toString(clients), "-P", Integer.toString(pipeline), "--csv"));
    line.addAll(options);
    line.addAll(command);
    Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
    String last = null;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String text = out.readLine(); text != null; text = out.readLine()) {
        last = text;
      }
    }
    if (process.waitFor() != 0 || last == null) {
      throw new IOException("redis-benchmark failed (exit " + process.exitValue() + "): " + last);
    }
    // "<command>","<rps>",... ; the command itself may hold commas, so read from the end
    String[] fields = last.split("\",\"");
    int rps = last.startsWith("\"test\"") ? -1 : fields.length - 7;
    if (rps < 1) {
      throw new IOException("unexpected redis-benchmark output: " + last);
    }
    return Double.parseDouble(fields[rps].replace("\"", ""));
  }

  static double[] meanAndError(double[] values) {
    double mean = 0;
    for (double v : values) {
      mean += v;
    }
    mean /= values.length;
    double squares = 0;
    for (double v : values) {
      squares += (v - mean) * (v - mean);
    }
    double sd = Math.sqrt(squares / (values.length - 1));
    // Student's t for 99.9% two-sided with 4 degrees of freedom, as JMH reports its errors
    return new double[] {mean, 8.610 * sd / Math.sqrt(values.length)};
  }

  private static void report(String what, double[] rate) {
    System.out.printf(Locale.ROOT, "%s: %.0f ± %.0f requests/s (%d runs)%n", what, rate[0], rate[1], RUNS);
  }

  static String version(String binary) {
    try {
      Process process = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
      String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      process.waitFor();
      return text;
    } catch (IOException | InterruptedException e) {
      return binary + " version unknown";
    }
  }
}
