// The watcher state machine, step by step, without a server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  INITIAL_EVENTS_END_ANNOTATION,
  startWatcher,
  step,
  type WatcherConfig,
  type WatcherState,
  type WatcherStep,
} from '../../src/runtime/cache/watcher.ts';
import type { KubeObject } from '../../src/runtime/object.ts';
import type { WatchEvent } from '../../src/runtime/rest/watchstream.ts';

const config: WatcherConfig = {
  backoff: { initialMs: 800, maxMs: 30_000, factor: 2, jitter: 0 },
  random: () => 0.5,
};

function cm(name: string, rv: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'ns', name, resourceVersion: rv } };
}

function watching(rv = '10'): WatcherState {
  return { phase: 'watching', resourceVersion: rv, delivered: 0, initial: 'list', failures: 0 };
}

function bookmark(rv: string, initialEventsEnd = false): WatchEvent {
  return {
    type: 'BOOKMARK',
    object: {
      metadata: {
        resourceVersion: rv,
        ...(initialEventsEnd ? { annotations: { [INITIAL_EVENTS_END_ANNOTATION]: 'true' } } : {}),
      },
    },
  };
}

describe('watcher state machine', () => {
  test('starts by streaming the state from scratch, or by listing it when told to', () => {
    const streamed = startWatcher();
    assert.deepEqual(streamed.command, { type: 'stream' });
    assert.equal(streamed.state.phase, 'streaming');
    const listed = startWatcher('list');
    assert.deepEqual(listed.command, { type: 'list', continueToken: undefined });
    assert.equal(listed.state.phase, 'listing');
  });

  test('paginated list: follows continue tokens, then replaces with every page and watches from the last rv', () => {
    let s: WatcherStep = startWatcher('list');
    s = step(s.state, { type: 'listPage', items: [cm('a', '5')], resourceVersion: '9', continueToken: 'c1' }, config);
    assert.deepEqual(s.command, { type: 'list', continueToken: 'c1' });
    assert.deepEqual(s.effects, []);
    s = step(s.state, { type: 'listPage', items: [cm('b', '7')], resourceVersion: '12' }, config);
    assert.deepEqual(s.effects, [{ type: 'replace', items: [cm('a', '5'), cm('b', '7')], resourceVersion: '12' }]);
    assert.deepEqual(s.command, { type: 'watch', resourceVersion: '12' });
    assert.deepEqual(s.state, watching('12'));
  });

  test('stream: initial events are held until the bookmark that ends them, then replace the store; the watch goes on', () => {
    let s = startWatcher();
    s = step(s.state, { type: 'watchEvent', event: { type: 'ADDED', object: cm('a', '5') } }, config);
    s = step(s.state, { type: 'watchEvent', event: { type: 'ADDED', object: cm('b', '7') } }, config);
    s = step(s.state, { type: 'watchEvent', event: bookmark('8') }, config);
    assert.deepEqual(s.effects, [], 'an ordinary bookmark does not end the initial events');
    s = step(s.state, { type: 'watchEvent', event: { type: 'MODIFIED', object: cm('a', '9') } }, config);
    assert.deepEqual(s.effects, []);
    assert.equal(s.command, undefined);
    s = step(s.state, { type: 'watchEvent', event: bookmark('12', true) }, config);
    assert.deepEqual(s.effects, [{ type: 'replace', items: [cm('a', '9'), cm('b', '7')], resourceVersion: '12' }]);
    assert.equal(s.command, undefined, 'the same watch delivers the changes from here');
    assert.deepEqual(s.state, {
      phase: 'watching',
      resourceVersion: '12',
      delivered: 3,
      initial: 'stream',
      failures: 0,
    });
    s = step(s.state, { type: 'watchEvent', event: { type: 'DELETED', object: cm('b', '13') } }, config);
    assert.deepEqual(s.effects, [{ type: 'apply', event: 'DELETED', object: cm('b', '13') }]);
    // It ends like any watch that delivered something: watched again from its last resourceVersion.
    s = step(s.state, { type: 'watchEnded' }, config);
    assert.deepEqual(s.command, { type: 'watch', resourceVersion: '13' });
  });

  test('stream: a server that refuses it (400, 422) is listed instead, from then on, relists included', async () => {
    const { apiErrorFrom } = await import('../../src/runtime/errors.ts');
    for (const code of [400, 422]) {
      const error = apiErrorFrom(code, { kind: 'Status', code, message: 'sendInitialEvents is forbidden for watch' });
      let s = step(startWatcher().state, { type: 'watchFailed', error }, config);
      assert.deepEqual(s.command, { type: 'list', continueToken: undefined }, `${code}`);
      assert.deepEqual(s.effects, [{ type: 'streamingRefused', error }]);
      s = step(s.state, { type: 'listPage', items: [cm('a', '5')], resourceVersion: '9' }, config);
      assert.deepEqual(s.command, { type: 'watch', resourceVersion: '9' });
      const gone = apiErrorFrom(410, { kind: 'Status', code: 410, reason: 'Gone', message: 'gone' });
      s = step(s.state, { type: 'watchFailed', error: gone }, config);
      assert.deepEqual(s.command, { type: 'list', continueToken: undefined }, 'a relist lists');
    }
  });

  test('stream: other failures, an ERROR event or an early end back off and stream again from scratch', async () => {
    const { apiErrorFrom } = await import('../../src/runtime/errors.ts');
    const failures = [
      { type: 'watchFailed', error: new Error('connection refused') },
      { type: 'watchFailed', error: apiErrorFrom(403, { kind: 'Status', code: 403, message: 'forbidden' }) },
      { type: 'watchEvent', event: { type: 'ERROR', object: { kind: 'Status', code: 500, reason: 'InternalError' } } },
      { type: 'watchEnded' },
    ] as const;
    for (const failure of failures) {
      let s = startWatcher();
      s = step(s.state, { type: 'watchEvent', event: { type: 'ADDED', object: cm('a', '5') } }, config);
      s = step(s.state, failure, config);
      assert.equal(s.command?.type, 'wait', failure.type);
      assert.equal(s.effects[0]?.type, 'failed');
      s = step(s.state, { type: 'backoffElapsed' }, config);
      assert.deepEqual(s.command, { type: 'stream' });
      s = step(s.state, { type: 'watchEvent', event: bookmark('20', true) }, config);
      assert.deepEqual(s.effects, [{ type: 'replace', items: [], resourceVersion: '20' }], 'earlier events dropped');
    }
  });

  test('stream: 410 Gone on a later watch streams the state again', async () => {
    const { apiErrorFrom } = await import('../../src/runtime/errors.ts');
    let s = step(startWatcher().state, { type: 'watchEvent', event: bookmark('12', true) }, config);
    s = step(s.state, { type: 'watchEnded' }, config);
    const gone = apiErrorFrom(410, { kind: 'Status', code: 410, reason: 'Gone', message: 'gone' });
    s = step(s.state, { type: 'watchFailed', error: gone }, config);
    assert.deepEqual(s.command, { type: 'stream' });
    assert.equal(s.effects[0]?.type, 'expired');
  });

  test('watch events are applied and advance the resourceVersion; bookmarks advance it without a store change', () => {
    let s = step(watching('10'), { type: 'watchEvent', event: { type: 'ADDED', object: cm('a', '11') } }, config);
    assert.deepEqual(s.effects, [{ type: 'apply', event: 'ADDED', object: cm('a', '11') }]);
    assert.equal(s.command, undefined, 'keeps watching');
    s = step(
      s.state,
      { type: 'watchEvent', event: { type: 'BOOKMARK', object: { metadata: { resourceVersion: '20' } } } },
      config,
    );
    assert.deepEqual(s.effects, []);
    assert.deepEqual(s.state, { phase: 'watching', resourceVersion: '20', delivered: 2, initial: 'list', failures: 0 });
  });

  test('a watch that ends after delivering events is resumed at once from the last resourceVersion', () => {
    let s = step(watching('10'), { type: 'watchEvent', event: { type: 'MODIFIED', object: cm('a', '15') } }, config);
    s = step(s.state, { type: 'watchEnded' }, config);
    assert.deepEqual(s.command, { type: 'watch', resourceVersion: '15' });
    assert.deepEqual(s.effects, []);
  });

  test('a watch that ends without delivering anything backs off before watching again from the same rv', () => {
    let s = step(watching('10'), { type: 'watchEnded' }, config);
    assert.deepEqual(s.command, { type: 'wait', ms: 800 });
    assert.equal(s.state.phase, 'backoff');
    s = step(s.state, { type: 'backoffElapsed' }, config);
    assert.deepEqual(s.command, { type: 'watch', resourceVersion: '10' });
  });

  test('410 Gone as an ERROR event relists from scratch, reporting the expiry', () => {
    const s = step(
      watching('10'),
      {
        type: 'watchEvent',
        event: {
          type: 'ERROR',
          object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' },
        },
      },
      config,
    );
    assert.deepEqual(s.command, { type: 'list', continueToken: undefined });
    assert.equal(s.effects.length, 1);
    assert.equal(s.effects[0]?.type, 'expired');
  });

  test('410 Gone as the answer to opening the watch relists too', async () => {
    const { apiErrorFrom } = await import('../../src/runtime/errors.ts');
    const error = apiErrorFrom(410, { kind: 'Status', code: 410, reason: 'Gone', message: 'gone' });
    const s = step(watching('10'), { type: 'watchFailed', error }, config);
    assert.deepEqual(s.command, { type: 'list', continueToken: undefined });
  });

  test('other failures back off exponentially up to the ceiling, and a delivered event resets the count', () => {
    let state: WatcherState = watching('10');
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const failed = step(state, { type: 'watchFailed', error: new Error('connection refused') }, config);
      assert.equal(failed.command?.type, 'wait');
      waits.push(failed.command?.type === 'wait' ? failed.command.ms : -1);
      assert.equal(failed.effects[0]?.type, 'failed');
      state = step(failed.state, { type: 'backoffElapsed' }, config).state;
    }
    assert.deepEqual(waits, [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
    assert.equal(state.failures, 8);
    const recovered = step(state, { type: 'watchEvent', event: { type: 'ADDED', object: cm('x', '11') } }, config);
    assert.equal(recovered.state.failures, 0);
  });

  test('a non-410 ERROR event backs off and resumes from the same resourceVersion', () => {
    let s = step(
      watching('10'),
      { type: 'watchEvent', event: { type: 'ERROR', object: { kind: 'Status', code: 500, reason: 'InternalError' } } },
      config,
    );
    assert.equal(s.command?.type, 'wait');
    s = step(s.state, { type: 'backoffElapsed' }, config);
    assert.deepEqual(s.command, { type: 'watch', resourceVersion: '10' });
  });

  test('a failed list page backs off, then lists from scratch (pages so far are dropped)', () => {
    let s = startWatcher('list');
    s = step(s.state, { type: 'listPage', items: [cm('a', '5')], resourceVersion: '9', continueToken: 'c1' }, config);
    s = step(s.state, { type: 'listFailed', error: new Error('boom') }, config);
    assert.equal(s.command?.type, 'wait');
    s = step(s.state, { type: 'backoffElapsed' }, config);
    assert.deepEqual(s.command, { type: 'list', continueToken: undefined });
    s = step(s.state, { type: 'listPage', items: [cm('b', '8')], resourceVersion: '13' }, config);
    assert.deepEqual(s.effects, [{ type: 'replace', items: [cm('b', '8')], resourceVersion: '13' }]);
  });

  test('jitter spreads the delay within ±jitter of the base', () => {
    const jittered: WatcherConfig = { backoff: { ...config.backoff, jitter: 0.2 }, random: () => 0 };
    const low = step(watching(), { type: 'watchFailed', error: new Error('x') }, jittered);
    assert.deepEqual(low.command, { type: 'wait', ms: 640 });
    const high = step(
      watching(),
      { type: 'watchFailed', error: new Error('x') },
      { ...jittered, random: () => 0.999999 },
    );
    assert.deepEqual(high.command, { type: 'wait', ms: 960 });
  });

  test('inputs that do not fit the state change nothing', () => {
    const state = watching('10');
    assert.deepEqual(step(state, { type: 'backoffElapsed' }, config), { state, effects: [] });
    assert.deepEqual(step(state, { type: 'listPage', items: [], resourceVersion: '1' }, config), {
      state,
      effects: [],
    });
  });
});
