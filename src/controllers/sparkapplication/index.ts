// The SparkApplication controller: sparkop's counterpart of the kubeflow operator's. See docs/controller.md.
//
//   const settings = sparkApplicationSettings(options); // src/operator/controllers.ts
//   const manager = new Manager({ kubeConfig, cacheScopes: cacheScopes(settings), … });
//   registerSparkApplicationController(manager, settings);
import type { V1Pod } from '@kubernetes/client-node';
import { Gauge } from 'prom-client';
import {
  Cache,
  controllerFor,
  enqueueForObject,
  GenericSource,
  type KubeObject,
  type Manager,
  predicates,
  type Request,
} from '../../runtime/index.ts';
import { APP_NAME_LABEL, Pods, Services, SparkApplications } from './kinds.ts';
import { ApplicationMetrics } from './metrics.ts';
import { SparkApplicationReconciler } from './reconciler.ts';
import { PODS_BY_APPLICATION, podApplicationKey } from './scope.ts';
import type { SparkApplicationControllerSettings } from './settings.ts';
import { nativeSubmitter } from './submission.ts';

export { ApplicationMetrics, metricChanges, runningGauges } from './metrics.ts';
export { SparkApplicationReconciler } from './reconciler.ts';
export { cacheScopes, LAUNCHED_BY_SELECTOR, PODS_BY_APPLICATION } from './scope.ts';
export {
  type ApplicationMetricsSettings,
  type BatchSchedulerSettings,
  DEFAULT_CONTROLLER_SETTINGS,
  type IngressTls,
  type SparkApplicationControllerSettings,
  type UiSettings,
} from './settings.ts';
export { nativeSubmitter, runtimeSubmissionClient } from './submission.ts';

export const CONTROLLER_NAME = 'spark-application-controller';

export class ControllerSetupError extends Error {
  override readonly name = 'ControllerSetupError';
}

/** The application a pod (driver or executor) belongs to, by its app-name label. */
function applicationOf(obj: { metadata?: V1Pod['metadata'] }): readonly Request[] {
  const name = obj.metadata?.labels?.[APP_NAME_LABEL];
  const namespace = obj.metadata?.namespace;
  return name && namespace ? [{ namespace, name }] : [];
}

/**
 * Adds the pod index, the controller (SparkApplications; their pods and UI Services) and the application metrics to
 * `manager`. The manager's cache should be scoped with cacheScopes(settings); without it every pod is cached.
 */
export function registerSparkApplicationController(
  manager: Manager,
  settings: SparkApplicationControllerSettings,
): void {
  if (!(manager.cache instanceof Cache)) {
    throw new ControllerSetupError('the SparkApplication controller needs the runtime Cache (for its pod index)');
  }
  manager.cache.indexField(Pods, PODS_BY_APPLICATION, podApplicationKey);
  const metrics = new ApplicationMetrics(manager.registry, settings.metrics, () =>
    manager.client.list(SparkApplications),
  );
  const submitter = settings.submitter === 'native' ? nativeSubmitter(manager.client) : settings.submitter;
  // Applications whose UI Service create failed in the background, once their backoff is over: reconciled again.
  const uiServiceFailures = new GenericSource<KubeObject>('UI Service creation failures', enqueueForObject());
  // UI Services wait until the controller has reconciled every application it found at start (see ReconcilerDeps).
  const caughtUp = Promise.withResolvers<void>();
  const reconciler = new SparkApplicationReconciler({
    client: manager.client,
    clock: manager.clock,
    recorder: manager.getEventRecorderFor(CONTROLLER_NAME),
    submitter,
    metrics,
    settings,
    requeue: (request) => uiServiceFailures.emit({ metadata: { namespace: request.namespace, name: request.name } }),
    holdBackgroundUntil: caughtUp.promise,
  });
  new Gauge({
    name: 'sparkop_ui_service_creations_pending',
    help: 'UI Services being created in the background (queued or waiting for the API server)',
    registers: [manager.registry],
    collect() {
      this.set(reconciler.pendingUIServices);
    },
  });
  const controller = controllerFor(manager)
    .for(SparkApplications, predicates.generationChanged)
    .watches(Pods, applicationOf)
    .watches(Services, applicationOf)
    .withOptions({ name: CONTROLLER_NAME, maxConcurrentReconciles: settings.controllerThreads })
    .complete(reconciler);
  void controller.watch(uiServiceFailures);
  void controller.whenCaughtUp().then(() => caughtUp.resolve());
}
