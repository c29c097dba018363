#!/bin/bash
# Starts a Spark Connect server (gRPC on spark.connect.grpc.binding.port, 15002 by default) in the foreground, as
# a container's command: Spark's own sbin script of this name runs it through spark-daemon.sh in the background.
# Arguments are spark-submit's (--master, --conf …).
set -eo pipefail
exec "$SPARK_HOME/bin/spark-submit" --class org.apache.spark.sql.connect.service.SparkConnectServer \
  --name "Spark Connect server" "$@"
