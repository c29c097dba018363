// The heap-growth relaxation while the caches fill: which step the process was started with, what is set and when,
// and, in a real Node process started with the shipped flags, that setting V8's flag at run time and collecting work.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  configuredHeapGrowingPercent,
  type HeapGrowthEffects,
  relaxHeapGrowth,
} from '../../src/operator/heap-growth.ts';
import { OPERATOR_NODE_FLAGS } from '../../src/operator/node-flags.ts';

const root = resolve(fileURLToPath(import.meta.url), '../../..');

test('the configured step is read from the node flags and NODE_OPTIONS, the last one winning', () => {
  assert.equal(configuredHeapGrowingPercent(['--heap-growing-percent=25'], undefined), 25);
  assert.equal(configuredHeapGrowingPercent([...OPERATOR_NODE_FLAGS], ''), 25, 'the shipped flags');
  assert.equal(configuredHeapGrowingPercent(['--heap_growing_percent=40'], undefined), 40);
  assert.equal(configuredHeapGrowingPercent(['--heap-growing-percent', '30'], undefined), 30);
  assert.equal(configuredHeapGrowingPercent([], '--max-semi-space-size=16  --heap-growing-percent=50 '), 50);
  assert.equal(configuredHeapGrowingPercent(['--heap-growing-percent=25'], '--heap-growing-percent=60'), 60);
  assert.equal(configuredHeapGrowingPercent(['--max-semi-space-size=16'], undefined), undefined);
  assert.equal(configuredHeapGrowingPercent(['--heap-growing-percent=abc'], undefined), undefined);
  assert.equal(configuredHeapGrowingPercent(['--heap-growing-percent'], undefined), undefined);
});

function recordingEffects(): { effects: HeapGrowthEffects; calls: string[] } {
  const calls: string[] = [];
  let used = 200;
  let clock = 0;
  return {
    calls,
    effects: {
      setFlags: (flags) => calls.push(`flags ${flags}`),
      collect: () => {
        calls.push('collect');
        used = 150;
        clock += 40;
      },
      heapUsed: () => used,
      now: () => clock,
    },
  };
}

test('relaxing sets V8 own growth, and restoring sets the step back then collects, once', () => {
  const { effects, calls } = recordingEffects();
  const growth = relaxHeapGrowth(25, effects);
  assert.equal(growth.relaxed, true);
  assert.deepEqual(calls, ['flags --heap-growing-percent=0']);
  assert.deepEqual(growth.restore(), {
    percent: 25,
    collectionMs: 40,
    heapUsedBeforeBytes: 200,
    heapUsedAfterBytes: 150,
  });
  assert.deepEqual(calls, ['flags --heap-growing-percent=0', 'flags --heap-growing-percent=25', 'collect']);
  assert.equal(growth.restore(), undefined, 'a second restore does nothing');
  assert.equal(calls.length, 3);
});

test('without a fixed step (no flag, or 0) nothing is changed', () => {
  for (const percent of [undefined, 0]) {
    const { effects, calls } = recordingEffects();
    const growth = relaxHeapGrowth(percent, effects);
    assert.equal(growth.relaxed, false);
    assert.equal(growth.restore(), undefined);
    assert.deepEqual(calls, []);
  }
});

test('in a Node process started with the shipped flags, the flag is set at run time and restore() collects', () => {
  // The child relaxes, fills a heap, restores, and reports what the GC observer saw after restore().
  const script = `
    import { PerformanceObserver, constants } from 'node:perf_hooks';
    import { configuredHeapGrowingPercent, relaxHeapGrowth } from ${JSON.stringify(resolve(root, 'src/operator/heap-growth.ts'))};
    const growth = relaxHeapGrowth(configuredHeapGrowingPercent(process.execArgv, process.env.NODE_OPTIONS));
    const keep = [];
    for (let i = 0; i < 200000; i++) keep.push({ name: 'pod-' + i, labels: { app: 'a' + (i % 100) } });
    let majorAfterRestore = 0;
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorAfterRestore++;
    });
    observer.observe({ entryTypes: ['gc'] });
    const restored = growth.restore();
    setTimeout(() => {
      observer.disconnect();
      console.log(JSON.stringify({ relaxed: growth.relaxed, restored, majorAfterRestore, kept: keep.length }));
    }, 50);
  `;
  const out = execFileSync(process.execPath, [...OPERATOR_NODE_FLAGS, '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  const report = JSON.parse(out.trim()) as {
    relaxed: boolean;
    restored: { percent: number; heapUsedBeforeBytes: number; heapUsedAfterBytes: number } | null;
    majorAfterRestore: number;
    kept: number;
  };
  assert.equal(report.relaxed, true);
  assert.equal(report.restored?.percent, 25);
  assert.ok(report.majorAfterRestore >= 1, 'restore() ran a full collection');
  assert.ok((report.restored?.heapUsedAfterBytes ?? 0) > 0);
  assert.equal(report.kept, 200000);
});
