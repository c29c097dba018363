#!/bin/bash
# Graceful executor decommissioning (spark.decommission.enabled): signal the executor JVM with SIGPWR and wait for
# it to leave, as the preStop hook of the official images does.
pid="$(pgrep -f org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend | head -n1)"
[ -n "$pid" ] || exit 0
kill -s SIGPWR "$pid"
while kill -0 "$pid" 2>/dev/null; do sleep 1; done
