// CRDs at start: sparkop installs the SparkApplication CRDs into a cluster that lacks them (friendly for a first
// `npm start`), and never replaces CRDs that exist — upgrading them is the Helm chart's (or the admin's) call.
import { allCrds, installCrds } from '../api/index.ts';
import {
  type Client,
  isForbidden,
  isNotFound,
  type KubeAccess,
  type KubeObject,
  kind,
  type Logger,
} from '../runtime/index.ts';

const Crds = kind<KubeObject>('apiextensions.k8s.io/v1', 'CustomResourceDefinition');

export type CrdOutcome =
  | { readonly kind: 'present' }
  | { readonly kind: 'installed'; readonly names: readonly string[] }
  | { readonly kind: 'unknown'; readonly reason: string };

export async function ensureCrds(kubeConfig: KubeAccess, client: Client, log: Logger): Promise<CrdOutcome> {
  const crds = allCrds();
  const missing = [];
  for (const crd of crds) {
    try {
      await client.apiReader.get(Crds, { name: crd.metadata.name });
    } catch (err) {
      if (isNotFound(err)) missing.push(crd);
      else if (isForbidden(err)) {
        // An operator without rights on CRDs (the usual in-cluster RBAC) relies on the chart having installed them.
        log.info('no permission to read CRDs; assuming they are installed');
        return { kind: 'unknown', reason: 'forbidden' };
      } else throw err;
    }
  }
  if (missing.length === 0) return { kind: 'present' };
  const names = missing.map((c) => c.metadata.name);
  log.info({ crds: names }, 'installing missing CRDs');
  await installCrds(kubeConfig, { crds: missing });
  return { kind: 'installed', names };
}
