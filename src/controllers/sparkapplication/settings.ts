// The controller's settings: its own type, which the operator fills from its flags (src/operator/controllers.ts)
// once at start; the controller knows nothing of flags.
import { DEFAULT_LIFECYCLE_SETTINGS, type LifecycleSettings } from '../../spark/lifecycle/index.ts';
import type { BatchSchedulerSettings, UiSettings } from '../../spark/objects/settings.ts';

export type { BatchSchedulerSettings, IngressTls, UiSettings } from '../../spark/objects/settings.ts';

import type { SubmissionSettings } from '../../spark/settings.ts';
import type { Submitter } from '../../spark/submit/contract.ts';

export interface ApplicationMetricsSettings {
  /** --metrics-prefix, put before every metric name. */
  readonly prefix: string;
  /** --metrics-labels: application labels copied onto the metrics as labels. */
  readonly labels: readonly string[];
  /** --metrics-job-start-latency-buckets, in seconds. */
  readonly jobStartLatencyBuckets: readonly number[];
}

export interface SparkApplicationControllerSettings {
  /** --controller-threads: concurrent reconciles (one key is never reconciled twice at once). */
  readonly controllerThreads: number;
  /** --namespaces: only these (every namespace when empty). */
  readonly namespaces: readonly string[];
  /** --label-selector-filter: only SparkApplications whose labels match (server-side selector). */
  readonly labelSelectorFilter: string;
  readonly ui: UiSettings;
  /** --driver-pod-creation-grace-period, ms. */
  readonly driverPodCreationGracePeriodMs: number;
  /** --max-tracked-executor-per-app. */
  readonly maxTrackedExecutorPerApp: number;
  /** TTL for applications that set no timeToLiveSeconds; 0 = none. */
  readonly defaultTimeToLiveSeconds: number;
  /**
   * How drivers are submitted. 'native' builds them in-process through the manager's client; a Submitter value is
   * used as is (the spark-submit one, or a test's).
   */
  readonly submitter: 'native' | Submitter;
  /** Fields of every submission the application does not decide (master URL, Spark user, …). */
  readonly submission: Partial<Omit<SubmissionSettings, 'submissionId' | 'attempt' | 'submitTimeMs'>>;
  readonly batchScheduler: BatchSchedulerSettings;
  readonly metrics: ApplicationMetricsSettings;
}

export const DEFAULT_CONTROLLER_SETTINGS: SparkApplicationControllerSettings = Object.freeze({
  controllerThreads: 10,
  namespaces: [],
  labelSelectorFilter: '',
  ui: {
    enableUiService: DEFAULT_LIFECYCLE_SETTINGS.enableUIService,
    ingressUrlFormat: '',
    ingressClassName: '',
    ingressTls: [],
    ingressAnnotations: {},
  },
  driverPodCreationGracePeriodMs: DEFAULT_LIFECYCLE_SETTINGS.driverPodCreationGracePeriodMs,
  maxTrackedExecutorPerApp: DEFAULT_LIFECYCLE_SETTINGS.maxTrackedExecutors,
  defaultTimeToLiveSeconds: DEFAULT_LIFECYCLE_SETTINGS.defaultTimeToLiveSeconds,
  submitter: 'native',
  submission: {},
  batchScheduler: { enabled: false, kubeSchedulerNames: [], defaultBatchScheduler: '' },
  metrics: { prefix: '', labels: [], jobStartLatencyBuckets: [30, 60, 90, 120, 150, 180, 210, 240, 270, 300] },
});

/** The lifecycle core's settings for one application (the ingress format gets the app's Spark id substituted). */
export function lifecycleSettings(
  settings: SparkApplicationControllerSettings,
  sparkApplicationId: string | undefined,
): Partial<LifecycleSettings> {
  const format = settings.ui.ingressUrlFormat;
  return {
    driverPodCreationGracePeriodMs: settings.driverPodCreationGracePeriodMs,
    maxTrackedExecutors: settings.maxTrackedExecutorPerApp,
    enableUIService: settings.ui.enableUiService,
    // {{$appId}} is known only once the driver runs; until then the Ingress waits (see spark/objects/ui.ts).
    ingressURLFormat:
      format.includes('{{$appId}}') && !sparkApplicationId
        ? ''
        : format.replaceAll('{{$appId}}', sparkApplicationId ?? ''),
    defaultTimeToLiveSeconds: settings.defaultTimeToLiveSeconds,
  };
}
