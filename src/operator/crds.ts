// CRDs at start: sparkop installs the SparkApplication CRDs into a cluster that lacks them (friendly for a first
// `npm start`), and never replaces CRDs that exist — upgrading them is the Helm chart's (or the admin's) call.
// The CRDs are built (from the schemas, with the schema library) only when one is missing: an operator in a cluster
// whose chart installed them never loads those modules (idle against a cluster with the CRDs, `node
// dist/cli/sparkop.js`, VmRSS 20 s after the start: 92 MiB; a start that installs them: 115 MiB).
import {
  SCHEDULED_SPARK_APPLICATION_CRD_NAME,
  SPARK_APPLICATION_CRD_NAME,
  SPARK_CONNECT_CRD_NAME,
} from '../api/constants.ts';
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

/** The CRDs the operator needs, by name; `allCrds()` builds them (test/unit/operator-modules.test.ts keeps the two equal). */
export const OPERATOR_CRD_NAMES: readonly string[] = [
  SPARK_APPLICATION_CRD_NAME,
  SCHEDULED_SPARK_APPLICATION_CRD_NAME,
  SPARK_CONNECT_CRD_NAME,
];

export async function ensureCrds(kubeConfig: KubeAccess, client: Client, log: Logger): Promise<CrdOutcome> {
  const missing: string[] = [];
  for (const name of OPERATOR_CRD_NAMES) {
    try {
      await client.apiReader.get(Crds, { name });
    } catch (err) {
      if (isNotFound(err)) missing.push(name);
      else if (isForbidden(err)) {
        // An operator without rights on CRDs (the usual in-cluster RBAC) relies on the chart having installed them.
        log.info('no permission to read CRDs; assuming they are installed');
        return { kind: 'unknown', reason: 'forbidden' };
      } else throw err;
    }
  }
  if (missing.length === 0) return { kind: 'present' };
  log.info({ crds: missing }, 'installing missing CRDs');
  const { allCrds, installCrds } = await import('../api/index.ts');
  await installCrds(kubeConfig, { crds: allCrds().filter((crd) => missing.includes(crd.metadata.name)) });
  return { kind: 'installed', names: missing };
}
