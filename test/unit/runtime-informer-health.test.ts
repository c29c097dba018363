// The informer shell's health: a failed watch makes it unhealthy; a watch the server accepts again makes it healthy
// at once, without waiting for an event (a quiet namespace may send none for minutes; /readyz depends on this).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SharedInformer } from '../../src/runtime/cache/informer.ts';
import { realClock } from '../../src/runtime/clock.ts';
import { silentLogger } from '../../src/runtime/log.ts';
import type { KubeObject } from '../../src/runtime/object.ts';
import type { RestClient } from '../../src/runtime/rest/restclient.ts';

/** A REST client whose first watch fails and whose later watches open and then stay quiet until aborted. */
function flakyThenQuietRest() {
  let watches = 0;
  const rest = {
    async request<T>(): Promise<T> {
      return { items: [] as KubeObject[], metadata: { resourceVersion: '10' } } as T;
    },
    async *watch(_path: string, options: { signal: AbortSignal; onOpen?: () => void }) {
      watches++;
      if (watches === 1) throw new Error('connection reset by peer');
      options.onOpen?.();
      await new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve(), { once: true }));
      yield* [];
    },
  };
  return { rest: rest as unknown as RestClient, watches: () => watches };
}

test('health returns as soon as a watch is accepted again, before any event', async (t) => {
  const fake = flakyThenQuietRest();
  const informer = new SharedInformer({
    gvk: { group: '', version: 'v1', kind: 'ConfigMap' },
    mapping: {
      group: '',
      version: 'v1',
      resource: 'configmaps',
      namespaced: true,
      kind: 'ConfigMap',
      subresources: [],
    },
    rest: fake.rest,
    clock: realClock,
    logger: silentLogger(),
    backoff: { initialMs: 20, maxMs: 20, factor: 2, jitter: 0 },
    random: () => 0,
    transform: (o) => o,
    initialState: 'list',
    pageSize: 500,
    watchTimeoutSeconds: 300,
  });
  const ac = new AbortController();
  t.after(() => ac.abort());
  informer.start(ac.signal);

  // The first watch fails: unhealthy, with the error.
  for (let i = 0; i < 100 && informer.health().failures === 0; i++) await sleep(5);
  assert.equal(informer.health().healthy, false);
  assert.match(informer.health().lastError ?? '', /connection reset/);
  // After the backoff the second watch opens and stays quiet: healthy again although no event arrived.
  for (let i = 0; i < 200 && !informer.health().healthy; i++) await sleep(5);
  assert.equal(fake.watches(), 2);
  assert.equal(informer.health().healthy, true);
});
