// Names, labels and ports of what sparkop creates for a SparkConnect: kubeflow's where kubeflow has them, so tools
// that select kubeflow's Spark Connect pods keep working.
import type { SparkConnect } from '../../api/index.ts';

/** The SparkConnect a pod, Service or ConfigMap belongs to (kubeflow's label). */
export const CONNECT_NAME_LABEL = 'sparkoperator.k8s.io/connect-name';
/** On pods sparkop starts (and, here, the Service and ConfigMap too: the operator's caches select by it). */
export const LAUNCHED_BY_LABEL = 'sparkoperator.k8s.io/launched-by-spark-operator';
/** On objects sparkop creates (kubeflow's label on the Service and ConfigMap). */
export const CREATED_BY_LABEL = 'sparkoperator.k8s.io/created-by-spark-operator';
export const SPARK_ROLE_LABEL = 'spark-role';
/** spark-role of the server pod (kubeflow's value); Spark labels the executors spark-role=executor. */
export const CONNECT_SERVER_ROLE = 'connect-server';
export const SPARK_VERSION_LABEL = 'spark-version';
/** The hash of the spec a server pod (or the Service's inputs) was built from. */
export const SPEC_HASH_ANNOTATION = 'sparkop.dev/spec-hash';

/** The server's container: Spark's driver container name, which kubeflow's template examples use. */
export const SERVER_CONTAINER_NAME = 'spark-kubernetes-driver';
/** The executors' container in the executor pod template (spark.kubernetes.executor.podTemplateContainerName). */
export const EXECUTOR_CONTAINER_NAME = 'spark-kubernetes-executor';

export const CONNECT_PORT = 15002;
export const UI_PORT = 4040;
export const DRIVER_PORT = 7078;
export const BLOCK_MANAGER_PORT = 7079;

/** The executor pod template: a key of the ConfigMap, mounted as a file into the server. */
export const EXECUTOR_TEMPLATE_KEY = 'executor-pod-template.yaml';
export const EXECUTOR_TEMPLATE_PATH = `/tmp/spark/${EXECUTOR_TEMPLATE_KEY}`;
/** The server pod's volume holding the ConfigMap. */
export const CONF_VOLUME = 'spark-connect-conf';

export function serverPodName(connect: Pick<SparkConnect, 'metadata'>): string {
  return `${connect.metadata.name ?? ''}-server`;
}

export function configMapName(connect: Pick<SparkConnect, 'metadata'>): string {
  return `${connect.metadata.name ?? ''}-conf`;
}

/** `spec.server.service.metadata.name`, else `<name>-server`. */
export function serviceName(connect: Pick<SparkConnect, 'metadata' | 'spec'>): string {
  return connect.spec.server.service?.metadata?.name || `${connect.metadata.name ?? ''}-server`;
}

/** The Service's name inside the cluster: `<service>.<namespace>.svc`. */
export function serviceHost(connect: Pick<SparkConnect, 'metadata' | 'spec'>): string {
  return `${serviceName(connect)}.${connect.metadata.namespace ?? 'default'}.svc`;
}

/** The Spark Connect address inside the cluster: `sc://<service>.<namespace>.svc:15002`. */
export function connectUrl(connect: Pick<SparkConnect, 'metadata' | 'spec'>): string {
  return `sc://${serviceHost(connect)}:${CONNECT_PORT}`;
}

/** Labels that select the server pod (the Service's selector). */
export function serverSelector(connect: Pick<SparkConnect, 'metadata'>): Record<string, string> {
  return {
    [LAUNCHED_BY_LABEL]: 'true',
    [CONNECT_NAME_LABEL]: connect.metadata.name ?? '',
    [SPARK_ROLE_LABEL]: CONNECT_SERVER_ROLE,
  };
}

/** The label selector of the server's executor pods (Spark adds spark-role; sparkop passes the name label). */
export function executorSelector(name: string): string {
  return `${CONNECT_NAME_LABEL}=${name},${SPARK_ROLE_LABEL}=executor`;
}
