// The SparkApplication schema (sparkoperator.k8s.io/v1beta2), field for field as kubeflow's spark-operator defines it.
// This is the single source: TypeScript types, the CRD's OpenAPI schema and the in-process validator derive from it.
import type {
  V1Affinity,
  V1Container,
  V1EnvFromSource,
  V1EnvVar,
  V1HostAlias,
  V1IngressTLS,
  V1Lifecycle,
  V1PodDNSConfig,
  V1PodSecurityContext,
  V1PodTemplateSpec,
  V1SecurityContext,
  V1Toleration,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import { type Static, Type } from 'typebox';
import {
  ArrayOf,
  FreeForm,
  Int32,
  Int64,
  K8sRef,
  MapOf,
  OpenString,
  StringEnum,
  StringMap,
  Timestamp,
} from './primitives.ts';
import {
  celRules,
  DRIVER_INGRESS_RULES,
  DYNAMIC_ALLOCATION_RULES,
  RESTART_POLICY_RULES,
  SPARK_APPLICATION_RULES,
  SPEC_RULES,
} from './rules.ts';

const VALIDATIONS = 'x-kubernetes-validations';

const CORE = 'io.k8s.api.core.v1';
const NETWORKING = 'io.k8s.api.networking.v1';
/** resource.Quantity: an integer or a string such as "500m" or "1Gi". */
export const QUANTITY_DEFINITION = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

export const APPLICATION_TYPES = ['Java', 'Python', 'Scala', 'R'] as const;
export const DEPLOY_MODES = ['cluster', 'client'] as const;
export const PYTHON_VERSIONS = ['2', '3'] as const;
export const RESTART_POLICY_TYPES = ['Never', 'Always', 'OnFailure'] as const;

/** Kubeflow's application states; "" is a new application the operator has not looked at yet. */
export const APPLICATION_STATES = [
  '',
  'SUBMITTED',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'SUBMISSION_FAILED',
  'PENDING_RERUN',
  'INVALIDATING',
  'SUCCEEDING',
  'FAILING',
  'SUSPENDING',
  'SUSPENDED',
  'RESUMING',
  'UNKNOWN',
] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

export const EXECUTOR_STATES = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'UNKNOWN'] as const;
export type ExecutorState = (typeof EXECUTOR_STATES)[number];

/** Kubeflow's secret types for `secrets[].secretType`. */
export type SecretType = 'GCPServiceAccount' | 'HadoopDelegationToken' | 'Generic';

export const RestartPolicySchema = Type.Object(
  {
    type: Type.Optional(
      StringEnum(RESTART_POLICY_TYPES, { description: 'Whether and when to run the application again.' }),
    ),
    onFailureRetries: Type.Optional(
      Int32({ minimum: 0, description: 'How many times to rerun after a failed run (OnFailure only).' }),
    ),
    onFailureRetryInterval: Type.Optional(
      Int64({ minimum: 1, description: 'Seconds to wait before rerunning after a failed run.' }),
    ),
    onSubmissionFailureRetries: Type.Optional(
      Int32({ minimum: 0, description: 'How many times to retry a failed submission.' }),
    ),
    onSubmissionFailureRetryInterval: Type.Optional(
      Int64({ minimum: 1, description: 'Seconds to wait before retrying a failed submission.' }),
    ),
  },
  {
    description: 'What happens after the application ends or its submission fails.',
    [VALIDATIONS]: celRules(RESTART_POLICY_RULES),
  },
);

const NamePath = Type.Object({ name: Type.String(), path: Type.String() });

const SecretInfo = Type.Object({
  name: Type.String(),
  path: Type.String(),
  secretType: OpenString<SecretType>(),
});

const NameKey = Type.Object({ key: Type.String(), name: Type.String() });

const GPUSpec = Type.Object({
  name: Type.String({ description: 'Resource name of the GPU, e.g. nvidia.com/gpu.' }),
  quantity: Int64({ description: 'How many GPUs to request.' }),
});

const Port = Type.Object({
  name: Type.String(),
  protocol: Type.String(),
  containerPort: Int32(),
});

/** Fields shared by the driver and the executors (kubeflow's SparkPodSpec). */
const podSpecFields = {
  template: Type.Optional(
    FreeForm<V1PodTemplateSpec>({
      description: 'A pod template Spark starts from; kept as written (validated when the pod is created).',
    }),
  ),
  cores: Type.Optional(Int32({ minimum: 1, description: 'Number of CPU cores (spark.{driver,executor}.cores).' })),
  coreLimit: Type.Optional(Type.String({ description: 'CPU limit of the pod, e.g. "1200m".' })),
  memory: Type.Optional(Type.String({ description: 'Heap memory, e.g. "512m" (spark.{driver,executor}.memory).' })),
  memoryOverhead: Type.Optional(Type.String({ description: 'Non-heap memory added to the pod request.' })),
  memoryLimit: Type.Optional(Type.String({ description: 'Memory limit of the pod.' })),
  gpu: Type.Optional(GPUSpec),
  image: Type.Optional(Type.String({ description: 'Container image; overrides spec.image.' })),
  configMaps: Type.Optional(ArrayOf(NamePath, { description: 'ConfigMaps to mount at the given paths.' })),
  secrets: Type.Optional(ArrayOf(SecretInfo, { description: 'Secrets to mount at the given paths.' })),
  env: Type.Optional(ArrayOf(K8sRef<V1EnvVar>(`${CORE}.EnvVar`))),
  envVars: Type.Optional(StringMap({ description: 'Deprecated by kubeflow in favour of env.' })),
  envFrom: Type.Optional(ArrayOf(K8sRef<V1EnvFromSource>(`${CORE}.EnvFromSource`))),
  envSecretKeyRefs: Type.Optional(MapOf(NameKey, { description: 'Deprecated by kubeflow in favour of env.' })),
  labels: Type.Optional(StringMap()),
  annotations: Type.Optional(StringMap()),
  volumeMounts: Type.Optional(ArrayOf(K8sRef<V1VolumeMount>(`${CORE}.VolumeMount`))),
  affinity: Type.Optional(K8sRef<V1Affinity>(`${CORE}.Affinity`)),
  tolerations: Type.Optional(ArrayOf(K8sRef<V1Toleration>(`${CORE}.Toleration`))),
  podSecurityContext: Type.Optional(K8sRef<V1PodSecurityContext>(`${CORE}.PodSecurityContext`)),
  securityContext: Type.Optional(K8sRef<V1SecurityContext>(`${CORE}.SecurityContext`)),
  schedulerName: Type.Optional(Type.String()),
  sidecars: Type.Optional(ArrayOf(K8sRef<V1Container>(`${CORE}.Container`))),
  initContainers: Type.Optional(ArrayOf(K8sRef<V1Container>(`${CORE}.Container`))),
  hostNetwork: Type.Optional(Type.Boolean()),
  nodeSelector: Type.Optional(StringMap()),
  dnsConfig: Type.Optional(K8sRef<V1PodDNSConfig>(`${CORE}.PodDNSConfig`)),
  terminationGracePeriodSeconds: Type.Optional(Int64()),
  serviceAccount: Type.Optional(Type.String()),
  hostAliases: Type.Optional(ArrayOf(K8sRef<V1HostAlias>(`${CORE}.HostAlias`))),
  shareProcessNamespace: Type.Optional(Type.Boolean()),
};

export const DriverSpecSchema = Type.Object(
  {
    ...podSpecFields,
    podName: Type.Optional(
      // Kubeflow's pattern, doubled backslash included, so existing manifests validate the same way.
      Type.String({ pattern: '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*' }),
    ),
    coreRequest: Type.Optional(Type.String({ description: 'CPU request of the pod; takes precedence over cores.' })),
    javaOptions: Type.Optional(Type.String()),
    lifecycle: Type.Optional(K8sRef<V1Lifecycle>(`${CORE}.Lifecycle`)),
    kubernetesMaster: Type.Optional(Type.String()),
    serviceAnnotations: Type.Optional(StringMap()),
    serviceLabels: Type.Optional(StringMap()),
    ports: Type.Optional(ArrayOf(Port)),
    priorityClassName: Type.Optional(Type.String()),
  },
  { description: 'The driver pod.' },
);

export const ExecutorSpecSchema = Type.Object(
  {
    ...podSpecFields,
    instances: Type.Optional(Int32({ minimum: 1, description: 'Number of executors (without dynamic allocation).' })),
    coreRequest: Type.Optional(Type.String({ description: 'CPU request of the pod; takes precedence over cores.' })),
    javaOptions: Type.Optional(Type.String()),
    lifecycle: Type.Optional(K8sRef<V1Lifecycle>(`${CORE}.Lifecycle`)),
    deleteOnTermination: Type.Optional(Type.Boolean()),
    ports: Type.Optional(ArrayOf(Port)),
    priorityClassName: Type.Optional(Type.String()),
  },
  { description: 'The executor pods.' },
);

const Dependencies = Type.Object({
  jars: Type.Optional(ArrayOf(Type.String())),
  files: Type.Optional(ArrayOf(Type.String())),
  pyFiles: Type.Optional(ArrayOf(Type.String())),
  packages: Type.Optional(ArrayOf(Type.String())),
  excludePackages: Type.Optional(ArrayOf(Type.String())),
  repositories: Type.Optional(ArrayOf(Type.String())),
  archives: Type.Optional(ArrayOf(Type.String())),
});

const Prometheus = Type.Object({
  jmxExporterJar: Type.String(),
  port: Type.Optional(Int32({ minimum: 1024, maximum: 49151 })),
  portName: Type.Optional(Type.String()),
  configFile: Type.Optional(Type.String()),
  configuration: Type.Optional(Type.String()),
});

const Monitoring = Type.Object({
  exposeDriverMetrics: Type.Boolean(),
  exposeExecutorMetrics: Type.Boolean(),
  metricsProperties: Type.Optional(Type.String()),
  metricsPropertiesFile: Type.Optional(Type.String()),
  prometheus: Type.Optional(Prometheus),
});

const BatchSchedulerConfiguration = Type.Object({
  queue: Type.Optional(Type.String()),
  priorityClassName: Type.Optional(Type.String()),
  resources: Type.Optional(MapOf(K8sRef<number | string>(QUANTITY_DEFINITION))),
});

const uiServiceFields = {
  servicePort: Type.Optional(Int32()),
  servicePortName: Type.Optional(Type.String()),
  serviceType: Type.Optional(Type.String()),
  serviceAnnotations: Type.Optional(StringMap()),
  serviceLabels: Type.Optional(StringMap()),
  ingressAnnotations: Type.Optional(StringMap()),
  ingressTLS: Type.Optional(ArrayOf(K8sRef<V1IngressTLS>(`${NETWORKING}.IngressTLS`))),
};

const SparkUIConfiguration = Type.Object(uiServiceFields);

const DriverIngressConfiguration = Type.Object(
  {
    ...uiServiceFields,
    servicePort: Int32(),
    servicePortName: Type.String(),
    ingressURLFormat: Type.Optional(Type.String()),
  },
  { [VALIDATIONS]: celRules(DRIVER_INGRESS_RULES) },
);

export const DynamicAllocationSchema = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    initialExecutors: Type.Optional(Int32()),
    minExecutors: Type.Optional(Int32()),
    maxExecutors: Type.Optional(Int32()),
    shuffleTrackingEnabled: Type.Optional(Type.Boolean()),
    shuffleTrackingTimeout: Type.Optional(Int64()),
  },
  { [VALIDATIONS]: celRules(DYNAMIC_ALLOCATION_RULES) },
);

export const SparkApplicationSpecSchema = Type.Object(
  {
    type: StringEnum(APPLICATION_TYPES, { description: 'Language of the application.' }),
    sparkVersion: Type.String({ description: 'Spark version of the image.' }),
    mode: Type.Optional(StringEnum(DEPLOY_MODES, { description: 'Deploy mode; cluster unless set.' })),
    proxyUser: Type.Optional(Type.String()),
    image: Type.Optional(Type.String({ description: 'Container image of the driver and executors.' })),
    imagePullPolicy: Type.Optional(Type.String()),
    imagePullSecrets: Type.Optional(ArrayOf(Type.String())),
    mainClass: Type.Optional(Type.String({ description: 'Entry point of a Java or Scala application.' })),
    mainApplicationFile: Type.String({ description: 'Jar, Python or R file of the application.' }),
    arguments: Type.Optional(ArrayOf(Type.String(), { description: 'Arguments passed to the application.' })),
    sparkConf: Type.Optional(StringMap({ description: 'Spark configuration properties.' })),
    hadoopConf: Type.Optional(StringMap({ description: 'Hadoop configuration properties (spark.hadoop. prefix).' })),
    sparkConfigMap: Type.Optional(Type.String({ description: 'ConfigMap holding Spark configuration files.' })),
    hadoopConfigMap: Type.Optional(Type.String({ description: 'ConfigMap holding Hadoop configuration files.' })),
    volumes: Type.Optional(ArrayOf(K8sRef<V1Volume>(`${CORE}.Volume`))),
    driver: DriverSpecSchema,
    executor: ExecutorSpecSchema,
    deps: Type.Optional(Dependencies),
    restartPolicy: Type.Optional(RestartPolicySchema),
    nodeSelector: Type.Optional(StringMap()),
    failureRetries: Type.Optional(Int32()),
    retryInterval: Type.Optional(Int64()),
    pythonVersion: Type.Optional(StringEnum(PYTHON_VERSIONS)),
    memoryOverheadFactor: Type.Optional(Type.String()),
    monitoring: Type.Optional(Monitoring),
    batchScheduler: Type.Optional(Type.String()),
    timeToLiveSeconds: Type.Optional(Int64({ description: 'Seconds after the application ends until it is deleted.' })),
    batchSchedulerOptions: Type.Optional(BatchSchedulerConfiguration),
    sparkUIOptions: Type.Optional(SparkUIConfiguration),
    driverIngressOptions: Type.Optional(ArrayOf(DriverIngressConfiguration)),
    dynamicAllocation: Type.Optional(DynamicAllocationSchema),
    driverPodDisruptionBudget: Type.Optional(Type.Boolean()),
    suspend: Type.Optional(Type.Boolean({ description: 'Stops the application; false resumes it.' })),
  },
  { description: 'What to run and how.', [VALIDATIONS]: celRules(SPEC_RULES) },
);

const DriverInfo = Type.Object({
  webUIServiceName: Type.Optional(Type.String()),
  webUIAddress: Type.Optional(Type.String()),
  webUIPort: Type.Optional(Int32()),
  webUIIngressName: Type.Optional(Type.String()),
  webUIIngressAddress: Type.Optional(Type.String()),
  podName: Type.Optional(Type.String()),
});

export const SparkApplicationStatusSchema = Type.Object(
  {
    sparkApplicationId: Type.Optional(Type.String()),
    submissionID: Type.Optional(Type.String()),
    lastSubmissionAttemptTime: Type.Optional(Timestamp()),
    terminationTime: Type.Optional(Timestamp()),
    driverInfo: DriverInfo,
    applicationState: Type.Optional(
      Type.Object({
        state: OpenString<ApplicationState>(),
        errorMessage: Type.Optional(Type.String()),
      }),
    ),
    executorState: Type.Optional(MapOf(OpenString<ExecutorState>(), { description: 'State of each executor pod.' })),
    executionAttempts: Type.Optional(Int32()),
    submissionAttempts: Type.Optional(Int32()),
  },
  { description: 'What the operator observed.' },
);

/** metadata stays schema-less in a CRD: the API server validates ObjectMeta itself. */
const ObjectMeta = Type.Unsafe<import('@kubernetes/client-node').V1ObjectMeta>({ type: 'object' });

export const SparkApplicationSchema = Type.Object(
  {
    apiVersion: Type.Optional(Type.String()),
    kind: Type.Optional(Type.String()),
    metadata: ObjectMeta,
    spec: SparkApplicationSpecSchema,
    status: Type.Optional(SparkApplicationStatusSchema),
  },
  { [VALIDATIONS]: celRules(SPARK_APPLICATION_RULES) },
);

export type RestartPolicy = Static<typeof RestartPolicySchema>;
export type DynamicAllocation = Static<typeof DynamicAllocationSchema>;
export type DriverSpec = Static<typeof DriverSpecSchema>;
export type ExecutorSpec = Static<typeof ExecutorSpecSchema>;
export type SparkApplicationSpec = Static<typeof SparkApplicationSpecSchema>;
export type SparkApplicationStatus = Static<typeof SparkApplicationStatusSchema>;
export type SparkApplication = Static<typeof SparkApplicationSchema>;
export { ObjectMeta as ObjectMetaSchema };
