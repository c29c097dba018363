// What the controller caches. Only objects carrying sparkop's launched-by label enter the pod, Service and
// ConfigMap caches (a server-side selector), so memory stays flat in clusters full of unrelated pods (kubeflow #3028).
import type { V1Pod } from '@kubernetes/client-node';
import { gvkString, type KindScope } from '../../runtime/index.ts';
import { APP_NAME_LABEL, ConfigMaps, LAUNCHED_BY_LABEL, Pods, Services, SparkApplications } from './kinds.ts';
import type { SparkApplicationControllerSettings } from './settings.ts';

export const LAUNCHED_BY_SELECTOR = `${LAUNCHED_BY_LABEL}=true`;

/** Index of pods by the application they belong to: "namespace/app-name". */
export const PODS_BY_APPLICATION = 'sparkapplication';

export function podApplicationKey(pod: Pick<V1Pod, 'metadata'>): readonly string[] {
  const app = pod.metadata?.labels?.[APP_NAME_LABEL];
  const namespace = pod.metadata?.namespace;
  return app && namespace ? [`${namespace}/${app}`] : [];
}

/**
 * Cache scopes for the manager (pass them as ManagerOptions.cacheScopes): the scopes are fixed when the cache is
 * built, so the operator process asks for them before it constructs its Manager.
 */
export function cacheScopes(
  settings: Pick<SparkApplicationControllerSettings, 'namespaces' | 'labelSelectorFilter'>,
): Map<string, KindScope> {
  const namespaces = settings.namespaces.length > 0 ? { namespaces: [...settings.namespaces].sort() } : {};
  const ours: KindScope = { ...namespaces, labelSelector: LAUNCHED_BY_SELECTOR };
  return new Map<string, KindScope>([
    [
      gvkString(SparkApplications),
      { ...namespaces, ...(settings.labelSelectorFilter ? { labelSelector: settings.labelSelectorFilter } : {}) },
    ],
    [gvkString(Pods), ours],
    [gvkString(Services), ours],
    [gvkString(ConfigMaps), ours],
  ]);
}
