// The embedded mode prepares a job namespace as kubeflow's Helm chart does: the Spark drivers' ServiceAccount
// (`spark-operator-spark`, the name kubeflow's examples use), a Role with the driver's rules and its RoleBinding.
// Existing objects are left as they are.

import { type Client, isAlreadyExists, type KubeObject } from '../runtime/index.ts';
import { DRIVER_GRANTS, rulesFor } from './rbac.ts';

/** kubeflow's chart names the Spark ServiceAccount, Role and RoleBinding `<release>-spark`, release `spark-operator`. */
export const SPARK_SERVICE_ACCOUNT = 'spark-operator-spark';

/** Creates what is missing of the Spark ServiceAccount, Role and RoleBinding in `namespace`; returns what it created. */
export async function prepareSparkJobNamespace(client: Client, namespace: string): Promise<string[]> {
  const name = SPARK_SERVICE_ACCOUNT;
  const labels = { 'app.kubernetes.io/name': 'sparkop', 'app.kubernetes.io/component': 'spark' };
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace, labels },
      rules: rulesFor(DRIVER_GRANTS, { enableBatchScheduler: false, namespaceSelector: '' }),
    } as KubeObject,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    } as KubeObject,
  ];
  const created: string[] = [];
  for (const object of objects) {
    try {
      await client.create(object);
      created.push(`${object.kind}/${name}`);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  return created;
}
