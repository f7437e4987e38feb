#!/bin/bash
J=/tmp/resp-bench.jar
for i in 1 2 3; do
for w in 64 1024 256; do
  name=window-$w-$i
  echo "== $name load $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M:%S)" >> window.log
  java -Dbroadcasting.pipelineWindow=$w -cp $J dev.broadcasting.benchmarks.RedisGoals --queued > $name.txt 2>&1
done; done
echo "finished $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> window.log
