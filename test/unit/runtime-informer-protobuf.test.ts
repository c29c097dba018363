// The informer with a protobuf decoder: an answer the decoder cannot read does not keep the informer from syncing;
// it retries the list in JSON and stays with JSON (lists and watches), saying so in its log.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { SharedInformer } from '../../src/runtime/cache/informer.ts';
import { realClock } from '../../src/runtime/clock.ts';
import type { KubeObject } from '../../src/runtime/object.ts';
import { decodeList } from '../../src/runtime/rest/protobuf.ts';
import type { RestClient } from '../../src/runtime/rest/restclient.ts';

test('an undecodable protobuf answer: the list is retried in JSON, and watches are read as JSON too', async (t) => {
  const calls: string[] = [];
  const rest = {
    async requestNegotiated<T>(_req: unknown, decodeProtobuf: (body: Buffer) => T): Promise<T> {
      calls.push('list protobuf');
      return decodeProtobuf(Buffer.from('k8s\0\x0a\xff', 'latin1')); // a typeMeta field running past the end
    },
    async request<T>(): Promise<T> {
      calls.push('list json');
      const item = { metadata: { namespace: 'n', name: 'a', resourceVersion: '5' } };
      return { items: [item], metadata: { resourceVersion: '10' } } as T;
    },
    async *watch(_path: string, options: { signal: AbortSignal; decodeProtobuf?: unknown }) {
      calls.push(options.decodeProtobuf ? 'watch protobuf' : 'watch json');
      await new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve(), { once: true }));
      yield* [];
    },
  };
  const logged: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(line) });
  const informer = new SharedInformer({
    gvk: { group: '', version: 'v1', kind: 'Pod' },
    mapping: { group: '', version: 'v1', resource: 'pods', namespaced: true, kind: 'Pod', subresources: [] },
    rest: rest as unknown as RestClient,
    clock: realClock,
    logger,
    backoff: { initialMs: 10, maxMs: 10, factor: 2, jitter: 0 },
    random: () => 0,
    transform: (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, labels: { transformed: 'yes' } } }),
    decodeProtobuf: (r) => decodeList(r.buf, () => ({})).items[0] ?? {},
    initialState: 'list',
    pageSize: 500,
    watchTimeoutSeconds: 300,
  });
  const ac = new AbortController();
  t.after(() => ac.abort());
  informer.start(ac.signal);
  assert.ok(await informer.whenSynced(AbortSignal.timeout(5000)));
  for (let i = 0; i < 100 && !calls.includes('watch json'); i++) await sleep(5);

  assert.deepEqual(calls, ['list protobuf', 'list json', 'watch json']);
  // The JSON path's objects went through the transform.
  assert.deepEqual(informer.get({ namespace: 'n', name: 'a' })?.metadata?.labels, { transformed: 'yes' });
  assert.equal(logged.length, 2, logged.join('\n')); // the failed list's retry warning, and the switch to JSON
  assert.ok(logged.some((l) => l.includes('reading this kind as JSON from now on')));
});
