// The chart files (and the kubeflow values table of docs/install.md) that are generated (or copied) from the
// project's sources, with their expected contents.
// scripts/helm/generate-chart.ts writes them; test/unit/deploy-chart.test.ts fails when one is stale.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  argsTemplate,
  README_MARKERS,
  rbacRulesTemplate,
  readmeFlagTable,
  replaceSection,
  VALUES_MARKERS,
  valuesSection,
} from './chart.ts';
import { KUBEFLOW_TABLE_MARKERS, kubeflowTemplate, kubeflowValuesTable } from './kubeflow-values.ts';

export const CHART_DIR = 'charts/sparkop';

/** Paths (relative to the repository root) → the content they must have. */
export function expectedChartFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const read = (p: string) => readFileSync(join(root, p), 'utf8');
  files.set(`${CHART_DIR}/templates/_args.tpl`, argsTemplate());
  files.set(`${CHART_DIR}/templates/_rbac-rules.tpl`, rbacRulesTemplate());
  files.set(`${CHART_DIR}/templates/_kubeflow.tpl`, kubeflowTemplate());
  const values = `${CHART_DIR}/values.yaml`;
  files.set(values, replaceSection(read(values), valuesSection(), VALUES_MARKERS.begin, VALUES_MARKERS.end));
  const readme = `${CHART_DIR}/README.md`;
  files.set(readme, replaceSection(read(readme), readmeFlagTable(), README_MARKERS.begin, README_MARKERS.end));
  const install = 'docs/install.md';
  const { begin, end } = KUBEFLOW_TABLE_MARKERS;
  files.set(install, replaceSection(read(install), kubeflowValuesTable(), begin, end));
  // The chart ships exactly the generated CRDs (npm run generate writes config/crd).
  for (const name of readdirSync(join(root, 'config/crd'))
    .filter((n) => n.endsWith('.yaml'))
    .sort()) {
    files.set(`${CHART_DIR}/crds/${name}`, read(`config/crd/${name}`));
  }
  return files;
}
