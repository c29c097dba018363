// The names sparkop shares with kubeflow's operator, Spark and their tools — labels, annotations, container names,
// the finalizer — defined once. kubeflow's and Spark's names are kept as they are, so selectors and tools written
// for them keep working; sparkop's own are under sparkop.dev/.

/** On every pod, Service and ConfigMap sparkop (or kubeflow) starts for an application; the operator's caches select by it. */
export const LAUNCHED_BY_LABEL = 'sparkoperator.k8s.io/launched-by-spark-operator';
/** The SparkApplication a pod or Service belongs to. */
export const APP_NAME_LABEL = 'sparkoperator.k8s.io/app-name';
/** The run a pod belongs to: a new value per submission attempt (names repeat across runs). */
export const SUBMISSION_ID_LABEL = 'sparkoperator.k8s.io/submission-id';
/**
 * kubeflow marks the pods its webhook customises: a role's pods unless the application brings that role's own pod
 * template (with Spark 3.0.0 or newer). sparkop's generated templates play the webhook's part; the label follows
 * kubeflow's rule, so selectors that include it (the driver's headless Service) select the same pods.
 */
export const MUTATED_BY_LABEL = 'sparkoperator.k8s.io/mutated-by-spark-operator';
/** On objects created for an application or a Spark Connect server that are not pods (kubeflow's label). */
export const CREATED_BY_LABEL = 'sparkoperator.k8s.io/created-by-spark-operator';
/** The ScheduledSparkApplication a run belongs to. */
export const SCHEDULED_APP_NAME_LABEL = 'sparkoperator.k8s.io/scheduled-app-name';
/** The SparkConnect a pod, Service or ConfigMap belongs to. */
export const CONNECT_NAME_LABEL = 'sparkoperator.k8s.io/connect-name';

/** Spark's labels on the pods it makes: the role (driver, executor; kubeflow's connect-server), the app id, the version. */
export const SPARK_ROLE_LABEL = 'spark-role';
export const SPARK_APP_SELECTOR_LABEL = 'spark-app-selector';
export const SPARK_VERSION_LABEL = 'spark-version';

/** The container Spark runs the driver in (Spark's default name; kubeflow looks for it). */
export const DRIVER_CONTAINER_NAME = 'spark-kubernetes-driver';
/** The executors' container (spark.kubernetes.executor.podTemplateContainerName). */
export const EXECUTOR_CONTAINER_NAME = 'spark-kubernetes-executor';

/** The hash of the spec a run (or a Spark Connect server) was made from: see spark/lifecycle/spec-hash.ts. */
export const SPEC_HASH_ANNOTATION = 'sparkop.dev/spec-hash';
/** On a scheduled run: the time it was scheduled for (RFC 3339). */
export const SCHEDULED_TIME_ANNOTATION = 'sparkop.dev/scheduled-time';
/** On a scheduled run: "schedule" or "manual" (`sparkctl create --from`), like kubectl's cronjob.kubernetes.io/instantiate. */
export const RUN_TRIGGER_ANNOTATION = 'sparkop.dev/run-trigger';

/**
 * kubeflow's finalizer on SparkApplications and ScheduledSparkApplications (the same name for both). sparkop never
 * adds it; it removes it from objects kubeflow's operator left behind, so that deleting them does not hang.
 */
export const KUBEFLOW_FINALIZER = 'sparkoperator.k8s.io/finalizer';
