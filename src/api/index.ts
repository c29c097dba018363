// The Spark API (sparkoperator.k8s.io/v1beta2, and SparkConnect at v1alpha1): types, names and schemas, all derived from src/api/schema/.
export * from './constants.ts';
export {
  allCrds,
  type CrdManifest,
  crdFiles,
  scheduledSparkApplicationCrd,
  sparkApplicationCrd,
  sparkConnectCrd,
} from './crd/crds.ts';
export {
  DEFAULT_CORES,
  DEFAULT_EXECUTOR_INSTANCES,
  DEFAULT_MEMORY,
  DEFAULT_RETRY_INTERVAL_SECONDS,
  isDynamicAllocationEnabled,
  withDefaults,
  withScheduledDefaults,
  withSpecDefaults,
} from './defaults.ts';
export { type InstallOptions, installCrds } from './install.ts';
export type {
  ConcurrencyPolicy,
  ScheduledSparkApplication,
  ScheduledSparkApplicationSpec,
  ScheduledSparkApplicationStatus,
  ScheduleState,
} from './schema/scheduled-spark-application.ts';
export {
  ScheduledSparkApplicationSchema,
  ScheduledSparkApplicationSpecSchema,
  ScheduledSparkApplicationStatusSchema,
} from './schema/scheduled-spark-application.ts';
export type {
  ApplicationState,
  DriverSpec,
  DynamicAllocation,
  ExecutorSpec,
  ExecutorState,
  RestartPolicy,
  SecretType,
  SparkApplication,
  SparkApplicationSpec,
  SparkApplicationStatus,
} from './schema/spark-application.ts';
export {
  APPLICATION_STATES,
  APPLICATION_TYPES,
  DEPLOY_MODES,
  DriverSpecSchema,
  EXECUTOR_STATES,
  ExecutorSpecSchema,
  PYTHON_VERSIONS,
  RESTART_POLICY_TYPES,
  SparkApplicationSchema,
  SparkApplicationSpecSchema,
  SparkApplicationStatusSchema,
} from './schema/spark-application.ts';
export type {
  Condition,
  SparkConnect,
  SparkConnectExecutorSpec,
  SparkConnectServerSpec,
  SparkConnectSpec,
  SparkConnectState,
  SparkConnectStatus,
} from './schema/spark-connect.ts';
export {
  SPARK_CONNECT_STATES,
  SparkConnectSchema,
  SparkConnectSpecSchema,
  SparkConnectStatusSchema,
} from './schema/spark-connect.ts';
export {
  formatIssues,
  type ValidationIssue,
  validateScheduledSparkApplication,
  validateSparkApplication,
  validateSparkConnect,
} from './validate.ts';
export * from './vocabulary.ts';
