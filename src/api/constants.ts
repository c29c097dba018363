// Names of the API sparkop serves: kubeflow's spark-operator API, unchanged, so existing manifests run as they are.

export const API_GROUP = 'sparkoperator.k8s.io';
export const API_VERSION = 'v1beta2';
/** The `apiVersion` field of every object of this API. */
export const API_GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;

export const SPARK_APPLICATION_KIND = 'SparkApplication';
export const SPARK_APPLICATION_LIST_KIND = 'SparkApplicationList';
export const SPARK_APPLICATION_PLURAL = 'sparkapplications';
export const SPARK_APPLICATION_SINGULAR = 'sparkapplication';
export const SPARK_APPLICATION_SHORT_NAME = 'sparkapp';

export const SCHEDULED_SPARK_APPLICATION_KIND = 'ScheduledSparkApplication';
export const SCHEDULED_SPARK_APPLICATION_LIST_KIND = 'ScheduledSparkApplicationList';
export const SCHEDULED_SPARK_APPLICATION_PLURAL = 'scheduledsparkapplications';
export const SCHEDULED_SPARK_APPLICATION_SINGULAR = 'scheduledsparkapplication';
export const SCHEDULED_SPARK_APPLICATION_SHORT_NAME = 'scheduledsparkapp';

/** CRD object names: `<plural>.<group>`. */
export const SPARK_APPLICATION_CRD_NAME = `${SPARK_APPLICATION_PLURAL}.${API_GROUP}`;
export const SCHEDULED_SPARK_APPLICATION_CRD_NAME = `${SCHEDULED_SPARK_APPLICATION_PLURAL}.${API_GROUP}`;

// SparkConnect: kubeflow's long-running Spark Connect server, in the same group at v1alpha1.
export const SPARK_CONNECT_API_VERSION = 'v1alpha1';
export const SPARK_CONNECT_GROUP_VERSION = `${API_GROUP}/${SPARK_CONNECT_API_VERSION}`;
export const SPARK_CONNECT_KIND = 'SparkConnect';
export const SPARK_CONNECT_LIST_KIND = 'SparkConnectList';
export const SPARK_CONNECT_PLURAL = 'sparkconnects';
export const SPARK_CONNECT_SINGULAR = 'sparkconnect';
export const SPARK_CONNECT_SHORT_NAME = 'sparkconn';
export const SPARK_CONNECT_CRD_NAME = `${SPARK_CONNECT_PLURAL}.${API_GROUP}`;
