#!/bin/bash
# The Spark image's entrypoint, with the modes Spark's Kubernetes backend starts containers in (as the official
# apache/spark images do): `driver ARGS…` runs spark-submit in client mode inside the driver pod, `executor` starts
# an executor backend from the environment the driver gives its executor pods; anything else runs as a command.
set -eo pipefail

# Java options the driver passes to executors as SPARK_JAVA_OPT_<n> variables, in order.
executor_java_opts=()
while IFS='=' read -r name value; do
  executor_java_opts+=("$value")
done < <(env | grep -E '^SPARK_JAVA_OPT_[0-9]+=' | sort -t_ -k4 -n)

spark_classpath="${SPARK_CLASSPATH:+$SPARK_CLASSPATH:}$SPARK_HOME/jars/*"
[ -n "${SPARK_EXTRA_CLASSPATH:-}" ] && spark_classpath="$spark_classpath:$SPARK_EXTRA_CLASSPATH"
[ -n "${HADOOP_CONF_DIR:-}" ] && spark_classpath="$HADOOP_CONF_DIR:$spark_classpath"
[ -n "${SPARK_CONF_DIR:-}" ] && spark_classpath="$SPARK_CONF_DIR:$spark_classpath"
[ -n "${PYSPARK_PYTHON:-}" ] && export PYSPARK_PYTHON
[ -n "${PYSPARK_DRIVER_PYTHON:-}" ] && export PYSPARK_DRIVER_PYTHON

case "${1:-}" in
  driver)
    shift
    cmd=("$SPARK_HOME/bin/spark-submit"
      --conf "spark.driver.bindAddress=$SPARK_DRIVER_BIND_ADDRESS"
      --conf "spark.executorEnv.SPARK_DRIVER_POD_IP=$SPARK_DRIVER_BIND_ADDRESS"
      --deploy-mode client "$@")
    ;;
  executor)
    shift
    cmd=("$JAVA_HOME/bin/java" "${executor_java_opts[@]}"
      "-Xms$SPARK_EXECUTOR_MEMORY" "-Xmx$SPARK_EXECUTOR_MEMORY"
      -cp "$spark_classpath${SPARK_DIST_CLASSPATH:+:$SPARK_DIST_CLASSPATH}"
      org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend
      --driver-url "$SPARK_DRIVER_URL" --executor-id "$SPARK_EXECUTOR_ID" --cores "$SPARK_EXECUTOR_CORES"
      --app-id "$SPARK_APPLICATION_ID" --hostname "$SPARK_EXECUTOR_POD_IP"
      --resourceProfileId "${SPARK_RESOURCE_PROFILE_ID:-0}" --podName "$SPARK_EXECUTOR_POD_NAME")
    ;;
  *)
    exec "$@"
    ;;
esac
# tini reaps the JVM's children and passes signals on (-s: also when it is not PID 1).
exec /usr/bin/tini -s -- "${cmd[@]}"
