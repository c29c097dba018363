// `npm run generate`: writes the CRD YAML under config/crd/ from the schema source (src/api/schema/).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crdFiles } from '../../src/api/crd/crds.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
for (const file of crdFiles()) {
  const target = join(root, file.path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, file.content);
  console.error(`[generate] ${file.path} (${Math.round(file.content.length / 1024)} KiB)`);
}
