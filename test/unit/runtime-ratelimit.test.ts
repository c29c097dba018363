// Client-side QPS/burst with a FakeClock, and Retry-After honoured by the REST client (against a loopback server).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, type TestContext, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { type Clock, FakeClock, realClock } from '../../src/runtime/clock.ts';
import { TooManyRequestsError } from '../../src/runtime/errors.ts';
import { backoffDelay, DEFAULT_BACKOFF } from '../../src/runtime/rest/backoff.ts';
import { TokenBucket } from '../../src/runtime/rest/ratelimit.ts';
import { parseRetryAfter, RestClient } from '../../src/runtime/rest/restclient.ts';

describe('token bucket', () => {
  test('a burst passes at once, then requests are spaced 1/qps apart', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(10, 3, clock);
    assert.deepEqual([bucket.reserve(), bucket.reserve(), bucket.reserve()], [0, 0, 0]);
    assert.deepEqual([bucket.reserve(), bucket.reserve(), bucket.reserve()], [100, 200, 300]);
    clock.advance(1000);
    // 1 s refilled 10 tokens, minus the 3 owed, capped at the burst of 3.
    assert.deepEqual([bucket.reserve(), bucket.reserve(), bucket.reserve(), bucket.reserve()], [0, 0, 0, 100]);
  });

  test('waiters resolve as the fake clock advances: 5 qps lets through burst + 5 per second', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(5, 2, clock);
    let done = 0;
    const all = Array.from({ length: 12 }, () => bucket.wait().then(() => done++));
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    assert.equal(done, 2, 'the burst');
    clock.advance(1000);
    await new Promise((r) => setImmediate(r));
    assert.equal(done, 7, 'burst + 5 in the first second');
    clock.advance(1000);
    await Promise.all(all);
    assert.equal(done, 12);
  });

  test('unlimited when qps ≤ 0; a waiter aborts with its signal', async () => {
    const clock = new FakeClock();
    const free = new TokenBucket(0, 0, clock);
    for (let i = 0; i < 100; i++) assert.equal(free.reserve(), 0);
    const negative = new TokenBucket(-1, 30, clock);
    for (let i = 0; i < 100; i++) assert.equal(negative.reserve(), 0);
    const bucket = new TokenBucket(1, 1, clock);
    bucket.reserve();
    const ac = new AbortController();
    const waiting = bucket.wait(ac.signal);
    ac.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
    assert.throws(() => new TokenBucket(5, 0, clock), /burst must be at least 1/);
  });

  test('backoff grows from 0.8 s to 30 s', () => {
    const mid = () => 0.5;
    assert.deepEqual(
      [0, 1, 2, 5, 6, 10].map((n) => backoffDelay(DEFAULT_BACKOFF, n, mid)),
      [800, 1600, 3200, 25600, 30000, 30000],
    );
  });
});

function kubeConfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }], // client-node refuses plain http otherwise
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

/** A clock whose sleeps return at once, recording how long they were asked to be. */
function recordingClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return { ...realClock, slept, sleep: async (ms) => void slept.push(ms) };
}

describe('Retry-After', () => {
  test('parseRetryAfter reads delta-seconds', () => {
    assert.equal(parseRetryAfter('3'), 3);
    assert.equal(parseRetryAfter(['2']), 2);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });

  test('a 429 is retried after the time the server asks, then succeeds; bounded retries give a typed error', async (t) => {
    let answers429 = 2;
    let calls = 0;
    const server = createServer((req, res) => {
      calls++;
      if (req.url?.startsWith('/always') || answers429-- > 0) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
        res.end(JSON.stringify({ kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'slow down' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.after(() => server.close());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const clock = recordingClock();
    const rest = new RestClient({ kubeConfig: kubeConfigFor(url), clock, maxRetries: 3, qps: 0 });
    t.after(() => rest.transport.close());
    assert.deepEqual(await rest.request({ method: 'GET', path: '/ok' }), { ok: true });
    assert.equal(calls, 3);
    assert.deepEqual(clock.slept, [2000, 2000]);
    calls = 0;
    await assert.rejects(rest.request({ method: 'POST', path: '/always', body: {} }), (err) => {
      assert.ok(err instanceof TooManyRequestsError);
      assert.equal(err.retryAfterSeconds, 2);
      return true;
    });
    assert.equal(calls, 4, 'one try and three retries');
  });
});

/** A loopback server answering each request with `answer(path, attempt)`: attempt counts from 0 per path. */
async function serve(
  t: TestContext,
  answer: (path: string, attempt: number) => number,
): Promise<{ url: string; calls: Map<string, number> }> {
  const calls = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    const attempt = calls.get(path) ?? 0;
    calls.set(path, attempt + 1);
    const code = answer(path, attempt);
    if (code === 429) {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'busy' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

describe('defaults: no client-side limit, the server decides', () => {
  test('a REST client without qps has no limiter: a burst of 200 requests goes out without waiting', async (t) => {
    const { url, calls } = await serve(t, () => 200);
    const clock = recordingClock();
    const rest = new RestClient({ kubeConfig: kubeConfigFor(url), clock });
    t.after(() => rest.transport.close());
    assert.equal(rest.limiter.unlimited, true);
    await Promise.all(Array.from({ length: 200 }, (_, i) => rest.request({ method: 'GET', path: `/r${i}` })));
    assert.equal(calls.size, 200);
    assert.deepEqual(clock.slept, [], 'no request waited');
  });

  test('an explicit qps still limits: 20 qps with a burst of 30 makes the 31st request wait', (t) => {
    const rest = new RestClient({ kubeConfig: kubeConfigFor('http://127.0.0.1:1'), qps: 20, burst: 30 });
    t.after(() => rest.transport.close());
    assert.equal(rest.limiter.unlimited, false);
    const waits = Array.from({ length: 31 }, () => rest.limiter.reserve());
    assert.deepEqual(waits.slice(0, 30), Array(30).fill(0));
    assert.ok(waits[30]! > 0, 'the request after the burst waits');
  });

  test('a burst answered 429 (Retry-After: 1) is retried after 1 s each, at most maxRetries times', async (t) => {
    // Every path is refused twice, then served; the "/full" ones are always refused.
    const { url, calls } = await serve(t, (path, attempt) => (path.startsWith('/full') || attempt < 2 ? 429 : 200));
    const clock = recordingClock();
    const rest = new RestClient({ kubeConfig: kubeConfigFor(url), clock });
    t.after(() => rest.transport.close());
    const burst = Array.from({ length: 50 }, (_, i) => rest.request({ method: 'GET', path: `/r${i}` }));
    assert.equal((await Promise.all(burst)).length, 50);
    assert.deepEqual(
      [...calls.values()].filter((n) => n !== 3),
      [],
      'each request: one try, two retries',
    );
    assert.equal(clock.slept.length, 100);
    assert.ok(
      clock.slept.every((ms) => ms === 1000),
      'each retry waits what Retry-After asks',
    );
    const refused = Array.from({ length: 10 }, (_, i) => rest.request({ method: 'GET', path: `/full${i}` }));
    const results = await Promise.allSettled(refused);
    assert.ok(results.every((r) => r.status === 'rejected' && r.reason instanceof TooManyRequestsError));
    for (let i = 0; i < 10; i++) assert.equal(calls.get(`/full${i}`), 6, 'one try and the default 5 retries');
  });
});
