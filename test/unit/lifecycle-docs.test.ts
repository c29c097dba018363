import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { LIFECYCLE_DOC_PATH } from '../../scripts/lifecycle/generate-docs.ts';
import { renderLifecycleDoc } from '../../src/spark/lifecycle/docs.ts';
import { STATES, TRANSITIONS } from '../../src/spark/lifecycle/index.ts';

test('docs/lifecycle.md is generated from the table and up to date', () => {
  assert.equal(
    readFileSync(LIFECYCLE_DOC_PATH, 'utf8'),
    renderLifecycleDoc(),
    'docs/lifecycle.md is stale: run node scripts/lifecycle/generate-docs.ts',
  );
});

test('the rendered doc lists every state and every transition row', () => {
  const doc = renderLifecycleDoc();
  for (const s of Object.keys(STATES)) assert.ok(doc.includes(s === '' ? '`""` (new)' : `\`${s}\``), s);
  const rows = doc.split('\n').filter((l) => /^\| .* \| `[a-zA-Z]+` \| .* \| (Normal|Warning) `/.test(l));
  assert.equal(rows.length, TRANSITIONS.length);
});
