#!/usr/bin/env bash
# The redis comparison: starts a redis-server on a free port, measures redis-benchmark publishing the
# driver's exact bytes, then the driver (JMH RedisBenchmark) against the same server, and prints the
# ratios. Needs redis-server and redis-benchmark on the PATH (Debian: apt-get install redis-server).
#
#   benchmarks/run-redis.sh --short   # 100k requests per redis-benchmark run, 2 x 0.5 s warm-up, 5 x 0.5 s JMH iterations
#   benchmarks/run-redis.sh           # 1M requests per run, 10 x 1 s warm-up, 5 x 2 s JMH iterations
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/benchmarks.jar"
if [[ ! -f "$jar" ]]; then
  (cd "$here/.." && ./mvnw -B -q -pl benchmarks package -DskipTests)
fi
for tool in redis-server redis-benchmark; do
  command -v "$tool" >/dev/null || { echo "$tool is not on the PATH: apt-get install redis-server" >&2; exit 1; }
done
mkdir -p "$here/results"
out="$here/results/redis-$(date -u +%Y%m%dT%H%M%SZ).txt"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out"
java -cp "$jar" dev.broadcasting.benchmarks.RedisComparison "$@" | tee -a "$out"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
