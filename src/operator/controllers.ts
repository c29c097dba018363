// Which controllers the operator runs, and the cache scopes they need (fixed before the manager is built).
import {
  API_GROUP_VERSION,
  SCHEDULED_SPARK_APPLICATION_KIND,
  SPARK_CONNECT_GROUP_VERSION,
  SPARK_CONNECT_KIND,
} from '../api/constants.ts';
import { registerScheduledSparkApplicationController } from '../controllers/scheduledsparkapplication/index.ts';
import {
  cacheScopes,
  registerSparkApplicationController,
  type SparkApplicationControllerSettings,
} from '../controllers/sparkapplication/index.ts';
import { registerSparkConnectController, SPARK_CONNECT_CONTROLLER_NAME } from '../controllers/sparkconnect/index.ts';
import { gvk, gvkString, type KindScope, type Manager } from '../runtime/index.ts';
import type { Submitter } from '../spark/submit/contract.ts';
import type { OperatorOptions } from './options.ts';

const SCHEDULED_GVK = gvkString(gvk(API_GROUP_VERSION, SCHEDULED_SPARK_APPLICATION_KIND));
const SPARK_CONNECT_GVK = gvkString(gvk(SPARK_CONNECT_GROUP_VERSION, SPARK_CONNECT_KIND));

/**
 * The SparkApplication controller's settings from the operator's flags. `submitter` is 'native' unless the caller
 * builds another one (--submitter=spark-submit needs a SparkSubmitSubmitter, which the operator process constructs).
 */
export function sparkApplicationSettings(
  options: OperatorOptions,
  submitter: 'native' | Submitter = 'native',
  submission: SparkApplicationControllerSettings['submission'] = {},
): SparkApplicationControllerSettings {
  return {
    controllerThreads: options.controllerThreads,
    namespaces: options.namespaces,
    labelSelectorFilter: options.labelSelectorFilter,
    ui: {
      enableUiService: options.enableUiService,
      ingressUrlFormat: options.ingressUrlFormat,
      ingressClassName: options.ingressClassName,
      ingressTls: options.ingressTls,
      ingressAnnotations: options.ingressAnnotations,
    },
    driverPodCreationGracePeriodMs: options.driverPodCreationGracePeriod,
    maxTrackedExecutorPerApp: options.maxTrackedExecutorPerApp,
    defaultTimeToLiveSeconds: 0,
    submitter,
    submission,
    batchScheduler: {
      enabled: options.enableBatchScheduler,
      kubeSchedulerNames: options.kubeSchedulerNames,
      defaultBatchScheduler: options.defaultBatchScheduler,
    },
    metrics: {
      prefix: options.metricsPrefix,
      labels: options.metricsLabels,
      jobStartLatencyBuckets: options.metricsJobStartLatencyBuckets,
    },
  };
}

/** The SparkApplication controller's scopes, plus the namespaces of ScheduledSparkApplications and SparkConnects. */
export function sparkApplicationCacheScopes(settings: SparkApplicationControllerSettings): Map<string, KindScope> {
  const scopes = cacheScopes(settings);
  if (settings.namespaces.length > 0) {
    scopes.set(SCHEDULED_GVK, { namespaces: [...settings.namespaces].sort() });
    scopes.set(SPARK_CONNECT_GVK, { namespaces: [...settings.namespaces].sort() });
  }
  return scopes;
}

export interface Registered {
  readonly controllers: readonly string[];
}

export function registerControllers(
  manager: Manager,
  settings: SparkApplicationControllerSettings,
  options: OperatorOptions,
): Registered {
  registerSparkApplicationController(manager, settings);
  registerScheduledSparkApplicationController(manager, {
    namespaces: settings.namespaces,
    maxConcurrentReconciles: Math.max(1, Math.ceil(options.controllerThreads / 2)),
  });
  registerSparkConnectController(manager, { namespaces: settings.namespaces });
  return {
    controllers: [
      'spark-application-controller',
      'scheduled-spark-application-controller',
      SPARK_CONNECT_CONTROLLER_NAME,
    ],
  };
}
