// Writes the generated parts of the Helm chart: the operator flag values (values.yaml section, README table, the
// container args), the RBAC rules from src/operator/rbac.ts, and the CRDs copied from config/crd.
// Run after changing OPERATOR_FLAGS, src/operator/rbac.ts or the CRDs; then `bash scripts/manifests/render.sh`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectedChartFiles } from '../../src/deploy/chart-files.ts';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
let changed = 0;
for (const [path, content] of expectedChartFiles(root)) {
  const full = join(root, path);
  if (existsSync(full) && readFileSync(full, 'utf8') === content) continue;
  writeFileSync(full, content);
  changed++;
  console.error(`[chart] wrote ${path}`);
}
console.error(`[chart] ${changed === 0 ? 'up to date' : `${changed} file(s) updated`}`);
