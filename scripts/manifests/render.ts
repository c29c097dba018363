// Writes the plain manifests (config/manager, config/rbac) from the Helm chart with its default values.
// Run after changing the chart (and after scripts/helm/generate-chart.ts). Builds helm first if needed (cached).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderManifests } from '../../src/deploy/manifests.ts';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
for (const [path, content] of await renderManifests()) {
  const full = join(root, path);
  const same = existsSync(full) && readFileSync(full, 'utf8') === content;
  if (!same) writeFileSync(full, content);
  console.error(`[manifests] ${path}: ${same ? 'up to date' : 'written'}`);
}
