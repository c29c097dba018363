// The SparkConnect schema (sparkoperator.k8s.io/v1alpha1): kubeflow's managed Spark Connect server, field for field
// as kubeflow's CRD defines it, plus two status fields of kubeflow's later API (restartAttempts, lastRestartTime).
import type { V1PodTemplateSpec, V1Service } from '@kubernetes/client-node';
import { type Static, Type } from 'typebox';
import { DateTime, FreeForm, Int32, K8sRef, MapOf, OpenString, StringMap } from './primitives.ts';
import { celRules, SPARK_CONNECT_RULES, SPARK_CONNECT_SPEC_RULES } from './rules.ts';
import { DynamicAllocationSchema, ObjectMetaSchema } from './spark-application.ts';

const VALIDATIONS = 'x-kubernetes-validations';

/** kubeflow's states; "" is new (the operator has not looked at it yet). */
export const SPARK_CONNECT_STATES = ['', 'Ready', 'NotReady', 'Failed', 'Completed'] as const;
export type SparkConnectState = (typeof SPARK_CONNECT_STATES)[number];

/** metav1.Condition as JSON: times are RFC 3339 strings (client-node's V1Condition types them as Date). */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
  readonly observedGeneration?: number;
}

/** Fields shared by the server and the executors (kubeflow's SparkPodSpec of v1alpha1). */
const podFields = {
  cores: Type.Optional(
    Int32({ minimum: 1, description: 'CPU cores: spark.driver.cores (server) or spark.executor.cores.' }),
  ),
  memory: Type.Optional(
    Type.String({ description: 'Heap memory, e.g. "1g": spark.driver.memory (server) or spark.executor.memory.' }),
  ),
  template: Type.Optional(
    FreeForm<V1PodTemplateSpec>({
      description: 'A pod template the pods start from; kept as written (validated when the pod is created).',
    }),
  ),
};

export const SparkConnectServerSpecSchema = Type.Object(
  {
    ...podFields,
    service: Type.Optional(
      K8sRef<V1Service>('io.k8s.api.core.v1.Service', {
        description: "The server's Service; its ports and selector are the operator's. Default <name>-server.",
      }),
    ),
  },
  { description: 'The Spark Connect server pod (the Spark driver).' },
);

export const SparkConnectExecutorSpecSchema = Type.Object(
  {
    ...podFields,
    instances: Type.Optional(Int32({ minimum: 0, description: 'Number of executors (spark.executor.instances).' })),
  },
  { description: 'The executor pods the server asks for.' },
);

export const SparkConnectSpecSchema = Type.Object(
  {
    sparkVersion: Type.String({ description: 'Spark version of the image.' }),
    image: Type.Optional(Type.String({ description: 'Container image of the server and executors.' })),
    hadoopConf: Type.Optional(StringMap({ description: 'Hadoop configuration properties (spark.hadoop. prefix).' })),
    sparkConf: Type.Optional(StringMap({ description: 'Spark configuration properties.' })),
    server: SparkConnectServerSpecSchema,
    executor: SparkConnectExecutorSpecSchema,
    dynamicAllocation: Type.Optional(DynamicAllocationSchema),
  },
  { description: 'The server and its executors.', [VALIDATIONS]: celRules(SPARK_CONNECT_SPEC_RULES) },
);

const ServerStatus = Type.Object(
  {
    podName: Type.Optional(Type.String({ description: 'The server pod.' })),
    podIp: Type.Optional(Type.String({ description: "The server pod's IP." })),
    serviceName: Type.Optional(Type.String({ description: "The server's Service." })),
  },
  { description: 'The server as last observed.' },
);

export const SparkConnectStatusSchema = Type.Object(
  {
    conditions: Type.Optional(
      Type.Array(K8sRef<Condition>('io.k8s.apimachinery.pkg.apis.meta.v1.Condition'), {
        description: 'ServerPodReady: whether the server pod is ready, and why not.',
        'x-kubernetes-list-map-keys': ['type'],
        'x-kubernetes-list-type': 'map',
      }),
    ),
    state: Type.Optional(OpenString<SparkConnectState>({ description: 'Ready, NotReady or Failed.' })),
    server: Type.Optional(ServerStatus),
    executors: Type.Optional(MapOf(Type.Integer(), { description: 'Executor pods of the server by pod phase.' })),
    startTime: Type.Optional(DateTime({ description: 'When the operator first handled this SparkConnect.' })),
    lastUpdateTime: Type.Optional(DateTime({ description: 'When the operator last changed this status.' })),
    restartAttempts: Type.Optional(
      Int32({ description: 'Servers started again after one died, since the spec last changed.' }),
    ),
    lastRestartTime: Type.Optional(DateTime({ description: 'When the operator last started a server again.' })),
  },
  { description: 'What the operator observed.' },
);

export const SparkConnectSchema = Type.Object(
  {
    apiVersion: Type.Optional(Type.String()),
    kind: Type.Optional(Type.String()),
    metadata: ObjectMetaSchema,
    spec: SparkConnectSpecSchema,
    status: Type.Optional(SparkConnectStatusSchema),
  },
  { [VALIDATIONS]: celRules(SPARK_CONNECT_RULES) },
);

export type SparkConnectServerSpec = Static<typeof SparkConnectServerSpecSchema>;
export type SparkConnectExecutorSpec = Static<typeof SparkConnectExecutorSpecSchema>;
export type SparkConnectSpec = Static<typeof SparkConnectSpecSchema>;
export type SparkConnectStatus = Static<typeof SparkConnectStatusSchema>;
export type SparkConnect = Static<typeof SparkConnectSchema>;
