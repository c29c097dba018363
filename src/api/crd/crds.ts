// The CustomResourceDefinitions, built from the TypeBox schemas and the Kubernetes definitions snapshot.
import { stringify } from 'yaml';
import {
  API_GROUP,
  API_VERSION,
  SCHEDULED_SPARK_APPLICATION_CRD_NAME,
  SCHEDULED_SPARK_APPLICATION_KIND,
  SCHEDULED_SPARK_APPLICATION_LIST_KIND,
  SCHEDULED_SPARK_APPLICATION_PLURAL,
  SCHEDULED_SPARK_APPLICATION_SHORT_NAME,
  SCHEDULED_SPARK_APPLICATION_SINGULAR,
  SPARK_APPLICATION_CRD_NAME,
  SPARK_APPLICATION_KIND,
  SPARK_APPLICATION_LIST_KIND,
  SPARK_APPLICATION_PLURAL,
  SPARK_APPLICATION_SHORT_NAME,
  SPARK_APPLICATION_SINGULAR,
  SPARK_CONNECT_API_VERSION,
  SPARK_CONNECT_CRD_NAME,
  SPARK_CONNECT_KIND,
  SPARK_CONNECT_LIST_KIND,
  SPARK_CONNECT_PLURAL,
  SPARK_CONNECT_SHORT_NAME,
  SPARK_CONNECT_SINGULAR,
} from '../constants.ts';
import { k8sDefinitions } from '../k8s/definitions.ts';
import { ScheduledSparkApplicationSchema } from '../schema/scheduled-spark-application.ts';
import { SparkApplicationSchema } from '../schema/spark-application.ts';
import { SparkConnectSchema } from '../schema/spark-connect.ts';
import { type JsonSchema, jsonSchemaOf } from './refs.ts';
import { sortKeys, toStructural } from './structural.ts';

/**
 * A CustomResourceDefinition as JSON on the wire. (client-node's V1CustomResourceDefinition model renames schema
 * keywords such as `x-kubernetes-int-or-string`, so it does not describe this JSON.)
 */
export interface CrdManifest {
  readonly apiVersion: 'apiextensions.k8s.io/v1';
  readonly kind: 'CustomResourceDefinition';
  readonly metadata: { readonly name: string; readonly annotations: Readonly<Record<string, string>> };
  readonly spec: {
    readonly group: string;
    readonly names: Readonly<Record<string, string | readonly string[]>> & {
      readonly plural: string;
      readonly kind: string;
    };
    readonly scope: 'Namespaced';
    readonly versions: readonly {
      readonly name: string;
      readonly served: boolean;
      readonly storage: boolean;
      readonly subresources: { readonly status: Record<string, never> };
      readonly additionalPrinterColumns: readonly PrinterColumn[];
      readonly schema: { readonly openAPIV3Schema: JsonSchema };
    }[];
  };
}

interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly jsonPath: string;
}

interface KindNames {
  readonly crdName: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortName: string;
  /** The API version served and stored. Default API_VERSION (v1beta2). */
  readonly version?: string;
}

// The columns and their order are kubeflow's (kubectl get shows them).
const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const SPARK_APPLICATION_COLUMNS: readonly PrinterColumn[] = [
  { name: 'Suspend', type: 'boolean', jsonPath: '.spec.suspend' },
  { name: 'Status', type: 'string', jsonPath: '.status.applicationState.state' },
  { name: 'Attempts', type: 'string', jsonPath: '.status.executionAttempts' },
  { name: 'Start', type: 'string', jsonPath: '.status.lastSubmissionAttemptTime' },
  { name: 'Finish', type: 'string', jsonPath: '.status.terminationTime' },
  AGE,
];
const SCHEDULED_SPARK_APPLICATION_COLUMNS: readonly PrinterColumn[] = [
  { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule' },
  { name: 'TimeZone', type: 'string', jsonPath: '.spec.timeZone' },
  { name: 'Suspend', type: 'string', jsonPath: '.spec.suspend' },
  { name: 'Last Run', type: 'date', jsonPath: '.status.lastRun' },
  { name: 'Last Run Name', type: 'string', jsonPath: '.status.lastRunName' },
  AGE,
];
const SPARK_CONNECT_COLUMNS: readonly PrinterColumn[] = [
  AGE,
  { name: 'Status', type: 'string', jsonPath: '.status.state' },
  { name: 'PodName', type: 'string', jsonPath: '.status.server.podName' },
];

function crd(names: KindNames, schema: JsonSchema, columns: readonly PrinterColumn[]): CrdManifest {
  const openAPIV3Schema = toStructural(schema, k8sDefinitions.definitions);
  return sortKeys({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: names.crdName,
      annotations: {
        // *.k8s.io groups need an approval reference; kubeflow's group was approved in this pull request.
        'api-approved.kubernetes.io': 'https://github.com/kubeflow/spark-operator/pull/1298',
      },
    },
    spec: {
      group: API_GROUP,
      names: {
        kind: names.kind,
        listKind: names.listKind,
        plural: names.plural,
        singular: names.singular,
        shortNames: [names.shortName],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: names.version ?? API_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: columns.map((c) => ({ ...c })),
          schema: { openAPIV3Schema },
        },
      ],
    },
  } satisfies CrdManifest);
}

export function sparkApplicationCrd(): CrdManifest {
  const names: KindNames = {
    crdName: SPARK_APPLICATION_CRD_NAME,
    kind: SPARK_APPLICATION_KIND,
    listKind: SPARK_APPLICATION_LIST_KIND,
    plural: SPARK_APPLICATION_PLURAL,
    singular: SPARK_APPLICATION_SINGULAR,
    shortName: SPARK_APPLICATION_SHORT_NAME,
  };
  return crd(names, jsonSchemaOf(SparkApplicationSchema), SPARK_APPLICATION_COLUMNS);
}

export function scheduledSparkApplicationCrd(): CrdManifest {
  const names: KindNames = {
    crdName: SCHEDULED_SPARK_APPLICATION_CRD_NAME,
    kind: SCHEDULED_SPARK_APPLICATION_KIND,
    listKind: SCHEDULED_SPARK_APPLICATION_LIST_KIND,
    plural: SCHEDULED_SPARK_APPLICATION_PLURAL,
    singular: SCHEDULED_SPARK_APPLICATION_SINGULAR,
    shortName: SCHEDULED_SPARK_APPLICATION_SHORT_NAME,
  };
  return crd(names, jsonSchemaOf(ScheduledSparkApplicationSchema), SCHEDULED_SPARK_APPLICATION_COLUMNS);
}

export function sparkConnectCrd(): CrdManifest {
  const names: KindNames = {
    crdName: SPARK_CONNECT_CRD_NAME,
    kind: SPARK_CONNECT_KIND,
    listKind: SPARK_CONNECT_LIST_KIND,
    plural: SPARK_CONNECT_PLURAL,
    singular: SPARK_CONNECT_SINGULAR,
    shortName: SPARK_CONNECT_SHORT_NAME,
    version: SPARK_CONNECT_API_VERSION,
  };
  return crd(names, jsonSchemaOf(SparkConnectSchema), SPARK_CONNECT_COLUMNS);
}

export function allCrds(): CrdManifest[] {
  return [sparkApplicationCrd(), scheduledSparkApplicationCrd(), sparkConnectCrd()];
}

/** The committed files under config/crd/, relative to the repository root, with their exact content. */
export function crdFiles(): { readonly path: string; readonly content: string }[] {
  return allCrds().map((c) => ({
    path: `config/crd/${c.spec.group}_${c.spec.names.plural}.yaml`,
    content: `# Generated by \`npm run generate\` from src/api/schema/ and src/api/k8s/definitions.json. Do not edit.\n---\n${stringify(c, { lineWidth: 0 })}`,
  }));
}
