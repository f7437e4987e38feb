#!/usr/bin/env bash
# Every goal of issue #15, side by side with its peer in one run (see Goals.java): writes the raw
# output and the table to benchmarks/results/goals-<mode>-<UTC timestamp>/ and, in full mode, puts
# the table into RESULTS.md and the README's performance section, between their goals markers. Needs redis-server and redis-benchmark on the PATH for the
# redis rows (without them those rows say "not available").
#
#   benchmarks/run-goals.sh           # full: a warm-up round and 3 measured rounds per side, about 5 min
#   benchmarks/run-goals.sh --short   # smoke: a tenth of the events, 1 measured round, under a minute;
#                                     # its figures are for comparing with other short runs only
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/benchmarks.jar"
if [[ ! -f "$jar" ]]; then
  (cd "$here/.." && ./mvnw -B -q -pl benchmarks -am package -DskipTests)
fi
mode=full
results=(--results "$here/RESULTS.md" --readme "$here/../README.md")
if [[ "${1:-}" == "--short" ]]; then
  mode=short
  results=()   # a smoke run never replaces the figures in RESULTS.md
fi
out="$here/results/goals-$mode-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
java -cp "$jar" dev.broadcasting.benchmarks.Goals "$@" --out "$out" "${results[@]}"
