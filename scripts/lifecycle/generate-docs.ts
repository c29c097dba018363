// Writes docs/lifecycle.md from the lifecycle transition table. `--check`: exit 1 if the file is stale instead.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderLifecycleDoc } from '../../src/spark/lifecycle/docs.ts';

export const LIFECYCLE_DOC_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'lifecycle.md');

function main(args: readonly string[]): number {
  const wanted = renderLifecycleDoc();
  if (args.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(LIFECYCLE_DOC_PATH, 'utf8');
    } catch {
      // A missing file is stale.
    }
    if (current === wanted) return 0;
    process.stderr.write(`${LIFECYCLE_DOC_PATH} is stale: run node scripts/lifecycle/generate-docs.ts\n`);
    return 1;
  }
  writeFileSync(LIFECYCLE_DOC_PATH, wanted);
  process.stdout.write(`wrote ${LIFECYCLE_DOC_PATH}\n`);
  return 0;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
