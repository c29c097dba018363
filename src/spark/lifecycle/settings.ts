// Operator settings for the lifecycle: defaults in one place, validated once.

import { DRIVER_CONTAINER_NAME } from '../../api/vocabulary.ts';
import { LifecycleInputError, type LifecycleSettings } from './types.ts';

export const DEFAULT_LIFECYCLE_SETTINGS: LifecycleSettings = Object.freeze({
  // kubeflow's --driver-pod-creation-grace-period default.
  driverPodCreationGracePeriodMs: 10_000,
  // kubeflow's chart default for --max-tracked-executor-per-app.
  maxTrackedExecutors: 1000,
  // kubeflow's controller.uiService.enable default.
  enableUIService: true,
  ingressURLFormat: '',
  defaultTimeToLiveSeconds: 0,
  deletionPollIntervalMs: 5_000,
  driverContainerName: DRIVER_CONTAINER_NAME,
});

/** Fills in defaults; a negative, fractional or non-finite number gets a LifecycleInputError naming the setting. */
export function resolveSettings(partial: Partial<LifecycleSettings> = {}): LifecycleSettings {
  const s: LifecycleSettings = { ...DEFAULT_LIFECYCLE_SETTINGS, ...stripUndefined(partial) };
  const counts = [
    'driverPodCreationGracePeriodMs',
    'maxTrackedExecutors',
    'defaultTimeToLiveSeconds',
    'deletionPollIntervalMs',
  ] as const;
  for (const key of counts) {
    const v = s[key];
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new LifecycleInputError(`lifecycle setting ${key} must be a whole number ≥ 0, got ${String(v)}`);
    }
  }
  if (!s.driverContainerName) throw new LifecycleInputError('lifecycle setting driverContainerName must not be empty');
  return Object.freeze(s);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
