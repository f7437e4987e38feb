#!/bin/bash
J=/tmp/resp-bench.jar
run() { name=$1; shift; echo "== $name load $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M:%S)" >> runs.log; "$@" > $name.txt 2>&1; echo "   done $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg) rc=$?" >> runs.log; }
run goals-queued-socket java -cp $J dev.broadcasting.benchmarks.RedisGoals --queued
run goals-queued-lettuce java -cp $J dev.broadcasting.benchmarks.RedisGoals --queued --lettuce
run goals-queued-socket-w256 java -Dbroadcasting.pipelineWindow=256 -cp $J dev.broadcasting.benchmarks.RedisGoals --queued
run goals-queued-socket-w1024 java -Dbroadcasting.pipelineWindow=1024 -cp $J dev.broadcasting.benchmarks.RedisGoals --queued
run goals-queued-socket-2 java -cp $J dev.broadcasting.benchmarks.RedisGoals --queued
run goals-latency-socket java -cp $J dev.broadcasting.benchmarks.RedisGoals --latency
run goals-latency-lettuce java -cp $J dev.broadcasting.benchmarks.RedisGoals --latency --lettuce
run threadsplit java -cp $J dev.broadcasting.benchmarks.RedisThreadSplit 200000 5
