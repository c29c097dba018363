// Objects taken over from kubeflow's operator may carry its finalizer. sparkop owns what it creates (deleting an
// application or a schedule lets the garbage collector take its pods, Services and runs) and needs no finalizer,
// so on deletion it only removes kubeflow's, after what kubeflow's finalizer was for.
import { KUBEFLOW_FINALIZER } from '../api/vocabulary.ts';
import { type Client, ignoreNotFound, jsonPatch, type KubeObject } from '../runtime/index.ts';

/** Whether `obj` is being deleted and waits for kubeflow's finalizer. */
export function waitsForKubeflowFinalizer(obj: KubeObject): boolean {
  return obj.metadata?.deletionTimestamp !== undefined && (obj.metadata.finalizers ?? []).includes(KUBEFLOW_FINALIZER);
}

/**
 * Removes kubeflow's finalizer from `obj`. The patch tests the finalizer list it read first, so a concurrent change
 * (another finalizer removed meanwhile) fails it and the reconcile runs again on the newer object.
 */
export async function removeKubeflowFinalizer(client: Client, obj: KubeObject): Promise<void> {
  const finalizers = obj.metadata?.finalizers ?? [];
  await client
    .patch(
      obj,
      jsonPatch([
        { op: 'test', path: '/metadata/finalizers', value: finalizers },
        { op: 'replace', path: '/metadata/finalizers', value: finalizers.filter((f) => f !== KUBEFLOW_FINALIZER) },
      ]),
    )
    .catch(ignoreNotFound);
}
