#!/usr/bin/env bash
# Summarizes a JFR recording's CPU samples: the methods most often on top of the stack (self), and
# those most often anywhere on it (total), with their share of all samples.
#
#   benchmarks/jfr-top.sh profile.jfr [rows] [thread-name-regex]
#
# Record one with JMH: benchmarks/run.sh --short 'CoreBenchmark.broadcastNow' -prof jfr
set -euo pipefail
file="$1"
rows="${2:-15}"
threads="${3:-.}"
jfr print --events jdk.ExecutionSample "$file" | awk -v rows="$rows" -v threads="$threads" '
  /sampledThread = / { keep = ($0 ~ threads) }
  /stackTrace = \[/ { if (keep) { inStack = 1; depth = 0; delete seen; samples++ } ; next }
  inStack && /^[[:space:]]*\]/ { inStack = 0; next }
  inStack {
    frame = $0
    sub(/^[[:space:]]+/, "", frame); sub(/[[:space:]]+line:.*$/, "", frame); sub(/\(.*$/, "", frame)
    if (frame == "...") next
    if (depth == 0) self[frame]++
    if (!(frame in seen)) { total[frame]++; seen[frame] = 1 }
    depth++
  }
  END {
    printf "%d samples\n\nself%%  method (top of stack)\n", samples
    n = 0; for (f in self) order[++n] = f
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (self[order[j]] > self[order[i]]) { t = order[i]; order[i] = order[j]; order[j] = t }
    for (i = 1; i <= n && i <= rows; i++) printf "%5.1f  %s\n", 100 * self[order[i]] / samples, order[i]
    printf "\ntotal%% method (anywhere on the stack)\n"
    n = 0; delete order; for (f in total) order[++n] = f
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (total[order[j]] > total[order[i]]) { t = order[i]; order[i] = order[j]; order[j] = t }
    for (i = 1; i <= n && i <= rows; i++) printf "%5.1f  %s\n", 100 * total[order[i]] / samples, order[i]
  }'
