#!/usr/bin/env bash
# Runs the JMH benchmarks from benchmarks/target/benchmarks.jar (built by `./mvnw -pl benchmarks package`
# when missing) and writes the results under benchmarks/results/.
#
#   benchmarks/run.sh --short         # smoke test under 2 min: one benchmark of each kind, 1 fork,
#                                     # 2 x 0.3 s warm-up, 5 x 0.3 s measurement, then run-redis.sh --short
#   benchmarks/run.sh                 # full: every benchmark, 1 fork, 10 x 1 s warm-up, 5 x 1 s, about 7 min
#
# Every run adds two profilers: JMH's gc profiler (bytes allocated per operation) and
# CpuTimeProfiler (CPU time per operation, which stays meaningful on a shared, busy machine). The
# full mode warms up for 10 s because on a loaded machine the JIT needs that long to finish.
#   benchmarks/run.sh --goals [--short]  # every goal of issue #15 next to its peer, table into RESULTS.md (run-goals.sh)
#   benchmarks/run.sh --short Pusher  # only the benchmarks whose name matches the regex; any more JMH options follow
#
# The full redis comparison (which needs redis-server and redis-benchmark) is run-redis.sh; the heap per
# queued event is `java -cp benchmarks/target/benchmarks.jar dev.broadcasting.benchmarks.QueuedHeap`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [[ "${1:-}" == "--goals" ]]; then
  shift
  exec "$here/run-goals.sh" "$@"   # benchmarks/run.sh --goals [--short]: the goals of issue #15, see run-goals.sh
fi
jar="$here/target/benchmarks.jar"
if [[ ! -f "$jar" ]]; then
  (cd "$here/.." && ./mvnw -B -q -pl benchmarks package -DskipTests)
fi

mode=full
if [[ "${1:-}" == "--short" ]]; then
  mode=short
  shift
fi
if [[ $mode == short ]]; then
  default='(CoreBenchmark\.(jacksonWriteValueAsBytes|broadcastNow)|DispatcherBenchmark\.broadcastQueued|AuthBenchmark\.(authorizePrivate|officialAuthenticatePrivate)|PusherBenchmark\.(driver|official)(Sync|Async)|AblyBenchmark\.(driver|rawOkHttp)(Sync|Async))$'
  extra=(-p channels=1024)
else
  default='(Core|Dispatcher|Auth|Pusher|Ably)Benchmark'
  extra=()
fi
include="${1:-$default}"
shift || true

if [[ $mode == short ]]; then
  timing=(-f 1 -wi 2 -w 300ms -i 5 -r 300ms)
else
  timing=(-f 1 -wi 10 -w 1s -i 5 -r 1s)
fi
mkdir -p "$here/results"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$here/results/$mode-$stamp"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out.load"
java -jar "$jar" "$include" "${timing[@]}" "${extra[@]}" -prof gc -prof dev.broadcasting.benchmarks.CpuTimeProfiler -rf json -rff "$out.json" "$@" | tee "$out.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out.load"
if [[ $mode == short && $include == "$default" ]]; then
  if command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null; then
    "$here/run-redis.sh" --short
  else
    echo "redis-server or redis-benchmark is not on the PATH: the redis comparison was skipped"
  fi
fi
