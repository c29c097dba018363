// Projections: one field list gives the JSON transform and the protobuf decoder, and they agree.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type KubeObject,
  MessageProjection,
  MetadataProjection,
  ObjectProjection,
  ProtoReader,
} from '../../src/runtime/index.ts';
import { bytes, int, str, time } from '../support/protobuf-encoder.ts';

const port = new MessageProjection([
  { name: 'name', tag: 1, type: 'sharedString' },
  { name: 'appProtocol', tag: 6, type: 'string', presence: 'whenSet' },
  { name: 'port', tag: 3, type: 'int32', presence: 'always' },
  { name: 'targetPort', tag: 4, type: 'intOrString', presence: 'always' },
]);
const state = new MessageProjection([
  { name: 'terminated', tag: 3, type: new MessageProjection([{ name: 'exitCode', tag: 1, type: 'int32' }]) },
]);
const widget = new ObjectProjection('example.com/v1', 'Widget', [
  { name: 'metadata', tag: 1, type: new MetadataProjection(['name', 'labels']) },
  {
    name: 'status',
    tag: 3,
    type: new MessageProjection([
      { name: 'phase', tag: 1, type: 'sharedString' },
      { name: 'since', tag: 2, type: 'time' },
      { name: 'ready', tag: 5, type: 'bool' },
      { name: 'count', tag: 6, type: 'int64' },
      { name: 'ports', tag: 7, repeated: true, type: port },
      {
        name: 'conditions',
        tag: 8,
        repeated: true,
        first: (c) => c.type === 'Stuck',
        type: new MessageProjection([{ name: 'type', tag: 1, type: 'sharedString' }]),
      },
      { name: 'state', tag: 9, presence: 'always', type: state },
    ]),
  },
]);

const decode = (message: number[]) => widget.decodeProtobuf(new ProtoReader(Buffer.from(message)));

test('the protobuf decoder gives what the transform gives of the JSON form, in the same key order', () => {
  const json = {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', uid: 'dropped', labels: { a: 'b' }, managedFields: [{}] },
    spec: { size: 3 },
    status: {
      phase: 'Ready',
      since: '2026-01-02T03:04:05Z',
      ready: true,
      count: 7,
      ports: [
        { name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' },
        { port: 0, targetPort: 8080 },
      ],
      conditions: [{ type: 'Ok' }, { type: 'Stuck' }, { type: 'Stuck', reason: 'second' }],
      ignored: 'x',
    },
  };
  const message = [
    ...bytes(1, [...str(1, 'w'), ...str(5, 'dropped'), ...bytes(11, [...str(1, 'a'), ...str(2, 'b')])]),
    ...bytes(2, str(1, 'spec is skipped')),
    ...bytes(3, [
      ...str(1, 'Ready'),
      ...time(2, '2026-01-02T03:04:05Z'),
      ...int(5, 1),
      ...int(6, 7),
      ...bytes(7, [...str(1, 'http'), ...str(2, 'TCP'), ...int(3, 80), ...bytes(4, [...int(1, 1), ...str(3, 'web')])]),
      ...bytes(7, bytes(4, int(2, 8080))),
      ...bytes(8, str(1, 'Ok')),
      ...bytes(8, str(1, 'Stuck')),
      ...bytes(8, [...str(1, 'Stuck'), ...str(2, 'second')]),
      ...str(10, 'ignored'),
    ]),
  ];
  const decoded = decode(message);
  assert.equal(JSON.stringify(decoded), JSON.stringify(widget.transform(json)));
  assert.deepEqual(decoded, {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', labels: { a: 'b' } },
    status: {
      phase: 'Ready',
      since: '2026-01-02T03:04:05Z',
      ready: true,
      count: 7,
      ports: [
        { name: 'http', port: 80, targetPort: 'web' },
        { port: 0, targetPort: 8080 },
      ],
      conditions: [{ type: 'Stuck' }],
      state: {},
    },
  });
});

test('presence: omitEmpty drops zero values, always supplies them, whenSet keeps an empty value on the wire', () => {
  const decoded = decode(bytes(3, [...str(1, ''), ...int(5, 0), ...bytes(7, str(6, ''))])) as {
    status: Record<string, unknown>;
  };
  assert.deepEqual(decoded.status, { ports: [{ appProtocol: '', port: 0, targetPort: 0 }], state: {} });
});

test("a message kept empty is the projection's one frozen empty object; a message with content is its own", () => {
  const running = decode(bytes(3, bytes(9, bytes(1, [])))) as { status: { state: object } };
  const noState = decode(bytes(3, str(1, 'Running'))) as { status: { state: object } };
  assert.equal(running.status.state, state.empty);
  assert.equal(noState.status.state, state.empty);
  assert.ok(Object.isFrozen(state.empty));
  const terminated = decode(bytes(3, bytes(9, bytes(3, int(1, 137))))) as { status: { state: object } };
  assert.deepEqual(terminated.status.state, { terminated: { exitCode: 137 } });
  const runningJson = { apiVersion: 'example.com/v1', kind: 'Widget', status: { phase: 'Running' } } as KubeObject;
  const fromJson = widget.transform(runningJson);
  assert.equal((fromJson as unknown as { status: { state: object } }).status.state, state.empty);
});

test('covers: paths through kept fields, into kept values and list elements; nothing else', () => {
  assert.ok(widget.covers(['apiVersion']));
  assert.ok(widget.covers(['metadata', 'labels', 'any-label']));
  assert.ok(widget.covers(['status', 'ports', '[]', 'targetPort']));
  assert.ok(widget.covers(['status', 'ports', 'length']));
  assert.ok(widget.covers(['status', 'state', 'terminated', 'exitCode']));
  assert.ok(!widget.covers(['metadata', 'uid']));
  assert.ok(!widget.covers(['spec']));
  assert.ok(!widget.covers(['status', 'ports', '[]', 'protocol']));
  assert.ok(!widget.covers(['status', 'state', 'running']));
});

test('a projection with one field number twice is refused', () => {
  assert.throws(
    () =>
      new MessageProjection([
        { name: 'a', tag: 1, type: 'string' },
        { name: 'b', tag: 1, type: 'string' },
      ]),
    /field number 1 used twice/,
  );
});
