// Snapshots the Kubernetes API definitions the Spark CRDs embed (Affinity, Container, Volume, …) from a real
// kube-apiserver's OpenAPI v3 document into src/api/k8s/definitions.json, without descriptions.
//
//   node scripts/api/snapshot-k8s-openapi.ts                 # starts a private local control plane for the fetch
//   node scripts/api/snapshot-k8s-openapi.ts --kubeconfig F  # uses a running cluster instead
//
// Run it when the Kubernetes version of the control plane changes, then `npm run generate`.
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import {
  type Definitions,
  type JsonSchema,
  jsonSchemaOf,
  reachableDefinitions,
  refName,
} from '../../src/api/crd/refs.ts';
import { sortKeys } from '../../src/api/crd/structural.ts';
import { ScheduledSparkApplicationSchema, SparkApplicationSchema, SparkConnectSchema } from '../../src/api/index.ts';
import { DEFINITIONS_PATH } from '../../src/api/k8s/definitions.ts';
import { LocalCluster } from '../../src/dev/localcluster/cluster.ts';

/** OpenAPI v3 group-versions holding the definitions the schemas refer to. */
const GROUP_VERSIONS = ['api/v1', 'apis/networking.k8s.io/v1'];

async function getJson(kc: KubeConfig, path: string): Promise<unknown> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(path, cluster.server);
  const options: import('node:https').RequestOptions = { method: 'GET', headers: { accept: 'application/json' } };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`GET ${path}: HTTP ${res.statusCode}: ${body.slice(0, 200)}`));
        else resolve(JSON.parse(body));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Drops descriptions (the CRD must stay well under etcd's object size limit) and shortens $refs to names. */
function strip(schema: JsonSchema): JsonSchema {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description') continue;
    if (key === '$ref' && typeof value === 'string') out[key] = refName(value);
    else if (key === 'properties' && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, strip(s as JsonSchema)]));
    } else if (['items', 'additionalProperties', 'not'].includes(key) && value && typeof value === 'object') {
      out[key] = strip(value as JsonSchema);
    } else if (['allOf', 'anyOf', 'oneOf'].includes(key) && Array.isArray(value)) {
      out[key] = value.map((s) => strip(s as JsonSchema));
    } else out[key] = value;
  }
  return out;
}

async function snapshot(kc: KubeConfig): Promise<void> {
  const version = (await getJson(kc, '/version')) as { gitVersion?: string };
  const all: Record<string, JsonSchema> = {};
  for (const gv of GROUP_VERSIONS) {
    const doc = (await getJson(kc, `/openapi/v3/${gv}`)) as { components?: { schemas?: Definitions } };
    Object.assign(all, doc.components?.schemas ?? {});
  }
  const names = reachableDefinitions(
    [SparkApplicationSchema, ScheduledSparkApplicationSchema, SparkConnectSchema].map(jsonSchemaOf),
    all,
  );
  const definitions = Object.fromEntries(names.map((name) => [name, strip(all[name] as JsonSchema)]));
  const out = {
    source: {
      kubernetesVersion: version.gitVersion ?? 'unknown',
      openapi: GROUP_VERSIONS.map((gv) => `/openapi/v3/${gv}`),
    },
    definitions,
  };
  writeFileSync(DEFINITIONS_PATH, `${JSON.stringify(sortKeys(out), null, 1)}\n`);
  console.error(
    `[snapshot] ${names.length} definitions from Kubernetes ${out.source.kubernetesVersion} → ${DEFINITIONS_PATH}`,
  );
}

const { values } = parseArgs({ options: { kubeconfig: { type: 'string' } } });
const kc = new KubeConfig();
if (values.kubeconfig) {
  kc.loadFromFile(values.kubeconfig);
  await snapshot(kc);
} else {
  const cluster = await LocalCluster.start({ name: `api-snapshot-${process.pid}` });
  try {
    kc.loadFromFile(cluster.kubeconfigPath);
    await snapshot(kc);
  } finally {
    await cluster.stop();
  }
}
