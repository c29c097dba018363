// The Kubernetes API definitions the Spark CRDs embed, snapshotted from a real kube-apiserver's OpenAPI v3 document
// by scripts/api/snapshot-k8s-openapi.ts (descriptions left out). Regenerate there; do not edit the JSON by hand.
import { fileURLToPath } from 'node:url';
import type { Definitions } from '../crd/refs.ts';
import snapshot from './definitions.json' with { type: 'json' };

export const DEFINITIONS_PATH = fileURLToPath(new URL('./definitions.json', import.meta.url));

export interface DefinitionsSnapshot {
  readonly source: { readonly kubernetesVersion: string; readonly openapi: readonly string[] };
  readonly definitions: Definitions;
}

export const k8sDefinitions: DefinitionsSnapshot = snapshot;
