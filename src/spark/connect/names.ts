// Names, labels and ports of what sparkop creates for a SparkConnect: kubeflow's where kubeflow has them, so tools
// that select kubeflow's Spark Connect pods keep working.
import type { SparkConnect } from '../../api/index.ts';
import {
  CONNECT_NAME_LABEL,
  DRIVER_CONTAINER_NAME,
  LAUNCHED_BY_LABEL,
  SPARK_ROLE_LABEL,
} from '../../api/vocabulary.ts';

export {
  CONNECT_NAME_LABEL,
  CREATED_BY_LABEL,
  EXECUTOR_CONTAINER_NAME,
  LAUNCHED_BY_LABEL,
  SPARK_ROLE_LABEL,
  SPARK_VERSION_LABEL,
  SPEC_HASH_ANNOTATION,
} from '../../api/vocabulary.ts';

/** spark-role of the server pod (kubeflow's value); Spark labels the executors spark-role=executor. */
export const CONNECT_SERVER_ROLE = 'connect-server';

/** The server's container: Spark's driver container name, which kubeflow's template examples use. */
export const SERVER_CONTAINER_NAME = DRIVER_CONTAINER_NAME;

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
