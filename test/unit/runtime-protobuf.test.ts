// The protobuf reader on hand-encoded messages: varints (negative int64/int32), Go's zero time, the envelope, watch
// frames split across chunks, and malformed input. Decoding real objects is compared with JSON against the API
// server in test/integration/runtime-protobuf.test.ts.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../src/runtime/object.ts';
import {
  decodeObjectMeta,
  decodeStatus,
  MetadataProjection,
  readProtobufWatchEvents,
} from '../../src/runtime/rest/metav1.ts';
import {
  decodeList,
  decodeTime,
  ProtoReader,
  plainObjectMaker,
  readEnvelope,
  StringPool,
  shareStrings,
} from '../../src/runtime/rest/protobuf.ts';
import { bytes, int, str, varint } from '../support/protobuf-encoder.ts';

const envelope = (apiVersion: string, kind: string, raw: number[]) => [
  ...Buffer.from('k8s\0', 'latin1'),
  ...bytes(1, [...str(1, apiVersion), ...str(2, kind)]),
  ...bytes(2, raw),
];
const reader = (data: number[]) => new ProtoReader(Buffer.from(data));
/** A decoder of a message whose field 1 is an ObjectMeta: keeps its name. */
function decodeName(r: ProtoReader): KubeObject {
  let metadata = {};
  while (r.next()) {
    if (r.field === 1) metadata = decodeObjectMeta(r.message(), ['name']);
    else r.skip();
  }
  return { metadata };
}

describe('protobuf reader', () => {
  test('varints: large, negative int64 and int32', () => {
    const r = reader([...int(1, 2 ** 40 + 5), ...int(2, -62135596800n), ...int(3, -1), ...int(4, 137)]);
    const values: number[] = [];
    while (r.next()) values.push(r.field === 3 ? r.int32() : r.int64());
    assert.deepEqual(values, [2 ** 40 + 5, -62135596800, -1, 137]);
  });

  test('Time: RFC 3339 in whole seconds, Go zero time as null', () => {
    assert.equal(decodeTime(reader([...int(1, 1795919523), ...int(2, 999_000_000)])), '2026-11-29T02:32:03Z');
    assert.equal(decodeTime(reader(int(1, -62135596800n))), null);
  });

  test('ObjectMeta: only the wanted fields, in their order; omitempty values left out; maps and lists', () => {
    const meta = [
      ...str(1, 'p'),
      ...str(2, ''), // generateName, empty: JSON omits it
      ...str(3, 'ns'),
      ...int(7, 0), // generation 0: omitted
      ...bytes(11, [...str(1, 'b'), ...str(2, '')]),
      ...bytes(11, [...str(1, 'a'), ...str(2, 'x')]),
      ...bytes(13, [...str(1, 'Pod'), ...str(3, 'owner'), ...str(4, 'u1'), ...str(5, 'v1'), ...int(6, 1)]),
      ...bytes(17, [...str(1, 'kubectl')]), // managedFields: never decoded
      ...str(14, 'f1'),
    ];
    assert.deepEqual(
      JSON.stringify(decodeObjectMeta(reader(meta), ['namespace', 'name', 'generation', 'labels', 'ownerReferences'])),
      JSON.stringify({
        namespace: 'ns',
        name: 'p',
        labels: { b: '', a: 'x' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'owner', uid: 'u1', controller: true }],
      }),
    );
    assert.deepEqual(decodeObjectMeta(reader(meta), ['finalizers', 'generateName']), { finalizers: ['f1'] });
    // A projection of its own decodes the same; its objects are plain objects, as JSON.parse makes them.
    const layout = new MetadataProjection(['name', 'labels', 'ownerReferences']);
    for (let i = 0; i < 10; i++) {
      const decoded = decodeObjectMeta(reader(meta), layout);
      assert.deepStrictEqual(decoded, {
        name: 'p',
        labels: { b: '', a: 'x' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'owner', uid: 'u1', controller: true }],
      });
      assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
      assert.equal(Object.getPrototypeOf(decoded.labels), Object.prototype);
    }
  });

  test('Status: details and causes as JSON writes them (empty values left out, metadata always there)', () => {
    const status = envelope('v1', 'Status', [
      ...bytes(1, []),
      ...str(2, 'Failure'),
      ...str(3, 'Pod "p" is invalid'),
      ...str(4, 'Invalid'),
      ...bytes(5, [
        ...str(1, 'p'),
        ...str(2, ''),
        ...str(3, 'pods'),
        ...bytes(4, [...str(1, 'FieldValueRequired'), ...str(2, 'Required value'), ...str(3, 'spec.containers')]),
        ...bytes(4, [...str(1, 'FieldValueInvalid'), ...str(3, 'metadata.name')]),
        ...int(5, 0),
      ]),
      ...int(6, 422),
    ]);
    assert.deepStrictEqual(decodeStatus(Buffer.from(status)), {
      apiVersion: 'v1',
      kind: 'Status',
      metadata: {},
      status: 'Failure',
      message: 'Pod "p" is invalid',
      reason: 'Invalid',
      details: {
        name: 'p',
        kind: 'pods',
        causes: [
          { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' },
          { reason: 'FieldValueInvalid', field: 'metadata.name' },
        ],
      },
      code: 422,
    });
    const throttled = envelope('v1', 'Status', [...str(4, 'TooManyRequests'), ...bytes(5, int(5, 3)), ...int(6, 429)]);
    assert.deepStrictEqual(decodeStatus(Buffer.from(throttled)), {
      apiVersion: 'v1',
      kind: 'Status',
      metadata: {},
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 3 },
      code: 429,
    });
  });

  test('shareStrings keeps every value (strings pooled in place, frozen objects left alone)', () => {
    const parsed = JSON.parse(`{"a":"x","b":[1,"y",null,{"c":"z"}],"d":true,"e":{"f":"${'w'.repeat(200)}"}}`);
    const copy = structuredClone(parsed);
    assert.equal(shareStrings(parsed), parsed);
    assert.deepStrictEqual(parsed, copy);
    const frozen = Object.freeze({ a: 'x', b: Object.freeze(['y']) });
    assert.equal(shareStrings(frozen), frozen);
    assert.equal(shareStrings('s'), 's');
    assert.equal(shareStrings(undefined), undefined);
  });

  test('plainObjectMaker makes objects indistinguishable from literals', () => {
    const make = plainObjectMaker<Record<string, unknown>>();
    const made = make();
    made.b = 1;
    made.a = [2];
    assert.deepStrictEqual(made, { b: 1, a: [2] });
    assert.equal(Object.getPrototypeOf(made), Object.prototype);
    assert.equal(made.constructor, Object);
    assert.equal(JSON.stringify(made), '{"b":1,"a":[2]}');
    assert.deepEqual(Object.keys(Object.freeze(made)), ['b', 'a']);
    assert.notEqual(make(), made); // a new object each time
  });

  test('lists: ListMeta and items through the item decoder; the envelope is required', () => {
    const item = (name: string) => bytes(2, bytes(1, str(1, name)));
    const list = envelope('v1', 'PodList', [
      ...bytes(1, [...str(2, '42'), ...str(3, 'next')]),
      ...item('a'),
      ...item('b'),
    ]);
    assert.deepEqual(decodeList(Buffer.from(list), decodeName), {
      items: [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }],
      metadata: { resourceVersion: '42', continue: 'next' },
    });
    assert.throws(() => readEnvelope(Buffer.from('{"kind":"PodList"}')), /missing the k8s envelope/);
  });

  test('malformed messages throw a SyntaxError, never read past their end', () => {
    const unfinished = reader([0x08, 0x80]); // field 1, a varint whose last byte is missing
    unfinished.next();
    assert.throws(() => unfinished.skip(), /past the end/);
    const truncated = reader([...varint(BigInt(1 * 8 + 2)), 10, 1, 2]);
    truncated.next();
    assert.throws(() => truncated.string(), /past the end/);
    const badWire = reader([...varint(BigInt(1 * 8 + 3))]);
    badWire.next();
    assert.throws(() => badWire.skip(), /wire type 3/);
  });

  test('watch frames: events split across chunks at every byte; ERROR carries a Status; BOOKMARK its metadata', async () => {
    const podEvent = (type: string, name: string) => [
      ...str(1, type),
      ...bytes(2, bytes(1, envelope('v1', 'Pod', bytes(1, str(1, name))))),
    ];
    const status = envelope('v1', 'Status', [
      ...str(2, 'Failure'),
      ...str(3, 'too old'),
      ...str(4, 'Expired'),
      ...int(6, 410),
    ]);
    // A bookmark's metadata whatever the kind's decoder keeps (decodeName keeps only the name, which it has none of).
    const bookmarkMeta = [...str(6, '42'), ...bytes(12, [...str(1, 'k8s.io/initial-events-end'), ...str(2, 'true')])];
    const frames = [
      podEvent('ADDED', 'a'),
      podEvent('DELETED', 'b'),
      [...str(1, 'BOOKMARK'), ...bytes(2, bytes(1, envelope('v1', 'Pod', bytes(1, bookmarkMeta))))],
      [...str(1, 'ERROR'), ...bytes(2, bytes(1, status))],
    ];
    const stream = frames.flatMap((f) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(f.length);
      return [...length, ...f];
    });
    const events = [];
    for await (const e of readProtobufWatchEvents(Readable.from(stream.map((b) => Buffer.from([b]))), decodeName)) {
      events.push(e);
    }
    assert.deepEqual(events, [
      { type: 'ADDED', object: { metadata: { name: 'a' } } },
      { type: 'DELETED', object: { metadata: { name: 'b' } } },
      {
        type: 'BOOKMARK',
        object: { metadata: { resourceVersion: '42', annotations: { 'k8s.io/initial-events-end': 'true' } } },
      },
      {
        type: 'ERROR',
        object: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'too old',
          reason: 'Expired',
          code: 410,
        },
      },
    ]);
    // A stream that ends inside a frame is an error, not a silent end.
    await assert.rejects(async () => {
      for await (const _ of readProtobufWatchEvents(Readable.from([Buffer.from(stream.slice(0, 10))]), decodeName)) {
        // drain
      }
    }, /ended inside a frame/);
  });

  test('StringPool: one entry per value, long values not pooled, starts over when full', () => {
    const pool = new StringPool(3);
    for (const v of ['a', 'b', 'a', 'b', 'a']) assert.equal(pool.intern(v), v);
    assert.equal(pool.size, 2);
    assert.equal(pool.intern('x'.repeat(129)), 'x'.repeat(129));
    assert.equal(pool.size, 2, 'a long value is returned as is, not kept');
    pool.intern('c');
    assert.equal(pool.size, 3);
    assert.equal(pool.intern('d'), 'd');
    assert.equal(pool.size, 1, 'full: the pool started over with the new value');
  });
});
