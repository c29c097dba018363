// The meta/v1 messages every object and answer shares, read from protobuf: ObjectMeta (any subset of its fields),
// OwnerReference, Status, watch events and bookmarks. Declared as projections (projection.ts), in JSON's field order,
// so that what they give equals what the JSON answer gives. Field numbers: k8s.io/apimachinery
// pkg/apis/meta/v1/generated.proto.
import type { Readable } from 'node:stream';
import type { ApiStatus } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { MessageProjection, ObjectProjection, type ProjectedField } from './projection.ts';
import { type ProtobufObjectDecoder, ProtoReader, readEnvelope } from './protobuf.ts';
import { WATCH_EVENT_TYPES, type WatchEvent } from './watchstream.ts';

/** The ObjectMeta fields a projection can keep, by their JSON names (managedFields never is). */
export type ObjectMetaField =
  | 'name'
  | 'generateName'
  | 'namespace'
  | 'selfLink'
  | 'uid'
  | 'resourceVersion'
  | 'generation'
  | 'creationTimestamp'
  | 'deletionTimestamp'
  | 'deletionGracePeriodSeconds'
  | 'labels'
  | 'annotations'
  | 'ownerReferences'
  | 'finalizers';

/**
 * OwnerReference in JSON's order: the four strings are always written, the two pointers when set. Its strings are
 * shared: an owner is named by all its objects (a driver by its executors).
 */
const OWNER_REFERENCE = new MessageProjection([
  { name: 'apiVersion', tag: 5, type: 'sharedString', presence: 'always' },
  { name: 'kind', tag: 1, type: 'sharedString', presence: 'always' },
  { name: 'name', tag: 3, type: 'sharedString', presence: 'always' },
  { name: 'uid', tag: 4, type: 'sharedString', presence: 'always' },
  { name: 'controller', tag: 6, type: 'bool', presence: 'whenSet' },
  { name: 'blockOwnerDeletion', tag: 7, type: 'bool', presence: 'whenSet' },
]);

/**
 * ObjectMeta's fields. Strings of one object (name, uid, resourceVersion) are its own, those that repeat across
 * objects (a namespace, a generateName) shared. creationTimestamp is written even when zero (JSON's null), the
 * grace period even when 0.
 */
const OBJECT_META: { readonly [F in ObjectMetaField]: ProjectedField & { readonly name: F } } = {
  name: { name: 'name', tag: 1, type: 'string' },
  generateName: { name: 'generateName', tag: 2, type: 'sharedString' },
  namespace: { name: 'namespace', tag: 3, type: 'sharedString' },
  selfLink: { name: 'selfLink', tag: 4, type: 'string' },
  uid: { name: 'uid', tag: 5, type: 'string' },
  resourceVersion: { name: 'resourceVersion', tag: 6, type: 'string' },
  generation: { name: 'generation', tag: 7, type: 'int64' },
  creationTimestamp: { name: 'creationTimestamp', tag: 8, type: 'time', presence: 'whenSet' },
  deletionTimestamp: { name: 'deletionTimestamp', tag: 9, type: 'time', presence: 'whenSet' },
  deletionGracePeriodSeconds: { name: 'deletionGracePeriodSeconds', tag: 10, type: 'int64', presence: 'whenSet' },
  labels: { name: 'labels', tag: 11, type: 'stringMap' },
  annotations: { name: 'annotations', tag: 12, type: 'stringMap' },
  ownerReferences: { name: 'ownerReferences', tag: 13, type: OWNER_REFERENCE, repeated: true },
  finalizers: { name: 'finalizers', tag: 14, type: 'sharedString', repeated: true },
};

/**
 * ObjectMeta with only the given fields, in that order. As a field of an object it is always there (JSON always
 * writes metadata). Each projection makes its own metadata and label objects, sized by V8 to what they hold
 * (plainObjectMaker): give each cached kind its own.
 */
export class MetadataProjection extends MessageProjection {
  constructor(fields: readonly ObjectMetaField[]) {
    super(
      fields.map((name) => OBJECT_META[name]),
      { defaultPresence: 'always' },
    );
  }
}

const METADATA_PROJECTIONS = new WeakMap<readonly ObjectMetaField[], MetadataProjection>();

/** ObjectMeta in its JSON shape with only the `fields` asked for (one projection per list, made once). */
export function decodeObjectMeta(
  r: ProtoReader,
  fields: readonly ObjectMetaField[] | MetadataProjection,
): Record<string, unknown> {
  if (fields instanceof MetadataProjection) return fields.decode(r);
  let projection = METADATA_PROJECTIONS.get(fields);
  if (!projection) {
    projection = new MetadataProjection(fields);
    METADATA_PROJECTIONS.set(fields, projection);
  }
  return projection.decode(r);
}

const STATUS_CAUSE = new MessageProjection([
  { name: 'reason', tag: 1, type: 'string' },
  { name: 'message', tag: 2, type: 'string' },
  { name: 'field', tag: 3, type: 'string' },
]);

const STATUS_DETAILS = new MessageProjection([
  { name: 'name', tag: 1, type: 'string' },
  { name: 'group', tag: 2, type: 'string' },
  { name: 'kind', tag: 3, type: 'string' },
  { name: 'uid', tag: 6, type: 'string' },
  { name: 'causes', tag: 4, type: STATUS_CAUSE, repeated: true },
  { name: 'retryAfterSeconds', tag: 5, type: 'int32' },
]);

/** Status; its metadata (a ListMeta, empty in errors) is always written, the rest when not empty. */
const STATUS = new ObjectProjection('v1', 'Status', [
  { name: 'metadata', tag: 1, type: new MessageProjection([]), presence: 'always' },
  { name: 'status', tag: 2, type: 'string' },
  { name: 'message', tag: 3, type: 'string' },
  { name: 'reason', tag: 4, type: 'string' },
  { name: 'details', tag: 5, type: STATUS_DETAILS },
  { name: 'code', tag: 6, type: 'int32' },
]);

/** An error answer's Status (envelope kind "Status"). */
export function decodeStatus(buf: Buffer): ApiStatus {
  return STATUS.decode(readEnvelope(buf).raw) as ApiStatus;
}

/**
 * Reads a protobuf watch stream: frames of a 4-byte big-endian length and a metav1.WatchEvent (type = 1, object =
 * 2 holding the enveloped object). An ERROR event's object is a Status.
 */
export async function* readProtobufWatchEvents(
  body: Readable,
  decodeObject: ProtobufObjectDecoder,
): AsyncGenerator<WatchEvent> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of body) {
    pending = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
    let offset = 0;
    while (pending.length - offset >= 4) {
      const length = pending.readUInt32BE(offset);
      if (pending.length - offset - 4 < length) break;
      yield decodeWatchEvent(pending, offset + 4, offset + 4 + length, decodeObject);
      offset += 4 + length;
    }
    pending = pending.subarray(offset);
  }
  if (pending.length) throw new SyntaxError(`protobuf watch: stream ended inside a frame (${pending.length} bytes)`);
}

export function decodeWatchEvent(
  buf: Buffer,
  start: number,
  end: number,
  decodeObject: ProtobufObjectDecoder,
): WatchEvent {
  const r = new ProtoReader(buf, start, end);
  let type = '';
  let object: ProtoReader | undefined;
  while (r.next()) {
    if (r.field === 1) type = r.string();
    else if (r.field === 2) {
      // runtime.RawExtension: raw = 1.
      const raw = r.message();
      while (raw.next()) {
        if (raw.field === 1) object = raw.message();
        else raw.skip();
      }
    } else r.skip();
  }
  if (!WATCH_EVENT_TYPES.has(type))
    throw new SyntaxError(`protobuf watch: not a watch event type: ${type.slice(0, 50)}`);
  if (!object) throw new SyntaxError(`protobuf watch: ${type} event without an object`);
  const envelope = readEnvelope(object.buf, object.pos, object.end);
  if (type === 'ERROR' || envelope.kind === 'Status') {
    return { type: 'ERROR', object: STATUS.decode(envelope.raw) as ApiStatus };
  }
  if (type === 'BOOKMARK') return { type: 'BOOKMARK', object: BOOKMARK.decode(envelope.raw) as KubeObject };
  return { type: type as 'ADDED', object: decodeObject(envelope.raw) };
}

/**
 * A bookmark's object: only its metadata means anything (resourceVersion, and the annotation that ends a stream's
 * initial events), and a kind's decoder may keep neither. Every built-in kind has its ObjectMeta as field 1.
 */
const BOOKMARK = new MessageProjection([
  { name: 'metadata', tag: 1, type: new MetadataProjection(['resourceVersion', 'annotations']) },
]);
