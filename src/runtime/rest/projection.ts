// Projections: a message declared once as a list of fields (JSON name, protobuf field number, type), from which both
// its protobuf decoder and the transform of its JSON are made; the one decoder of protobuf messages in the runtime
// (meta/v1's in metav1.ts, a cache's kinds in their scopes). For a cache they say what it keeps of an object: a field a
// reader needs is added to the list and both paths have it; `covers` lets a test check every path a reader reads
// against the list.

import type { KubeObject } from '../object.ts';
import { decodeIntOrString, decodeTime, fitted, type ProtoReader, plainObjectMaker } from './protobuf.ts';

/** How a field's protobuf value is read. JSON values are taken as they are, messages and metadata projected. */
export type ScalarType =
  /** A string of one object's own (a message, a name). */
  | 'string'
  /** A string that repeats across objects (a phase, a reason, a label value): one copy for all of them. */
  | 'sharedString'
  | 'int32'
  | 'int64'
  | 'bool'
  /** metav1.Time as JSON writes it (RFC 3339, whole seconds; Go's zero time is null). */
  | 'time'
  /** intstr.IntOrString (type 1, intVal 2, strVal 3). */
  | 'intOrString'
  /** map<string, string> (entries: key 1, value 2; values shared as sharedString), e.g. labels. */
  | 'stringMap';

/**
 * When a field is kept. `omitEmpty` (the default): as JSON's omitempty, not when '', 0, false, null or an empty
 * message or list. `always`: with its zero value when the wire lacks it (JSON fields without omitempty: a
 * ServicePort's port, an exit code), and for a message the projection's shared empty object. `whenSet`: when on the
 * wire, even empty (a JSON pointer: a ServicePort's appProtocol).
 */
export type Presence = 'omitEmpty' | 'always' | 'whenSet';

export interface ProjectedField {
  /** The JSON name. */
  readonly name: string;
  /** The protobuf field number (k8s.io/api's generated.proto). */
  readonly tag: number;
  readonly type: ScalarType | MessageProjection;
  readonly repeated?: boolean;
  readonly presence?: Presence;
  /**
   * Of a repeated message, the first element (as projected) this accepts is kept, as a list of one; the others are
   * dropped (a pod's failed PodScheduled condition among its conditions).
   */
  readonly first?: (element: Record<string, unknown>) => boolean;
}

type Plain = Record<string, unknown>;

/** A message's kept fields, in the order JSON writes them (the order of the projected objects' keys). */
export class MessageProjection {
  readonly fields: readonly ProjectedField[];
  /** Index into `fields` by field number. */
  readonly #indexByTag: (number | undefined)[] = [];
  // One maker per message: V8 sizes the objects it makes to what they hold (plainObjectMaker).
  readonly #make = plainObjectMaker<Plain>();
  /** The one object a message projects to when empty and kept anyway (frozen: every holder shares it). */
  readonly empty: Readonly<Plain> = Object.freeze({});
  /** A field of this message type without a presence of its own has this one. */
  readonly defaultPresence: Presence;
  /** Makers of the objects of the message's map fields, one per field (plainObjectMaker). */
  readonly #makeMap: ((() => Record<string, string>) | undefined)[] = [];

  /** Set for a top-level object: the protobuf envelope names apiVersion and kind, the message itself does not. */
  readonly #typeMeta: { apiVersion: string; kind: string } | undefined;

  constructor(
    fields: readonly ProjectedField[],
    options: { typeMeta?: { apiVersion: string; kind: string }; defaultPresence?: Presence } = {},
  ) {
    this.fields = fields;
    this.#typeMeta = options.typeMeta;
    this.defaultPresence = options.defaultPresence ?? 'omitEmpty';
    for (const [i, f] of fields.entries()) {
      if (this.#indexByTag[f.tag] !== undefined) throw new Error(`projection: field number ${f.tag} used twice`);
      this.#indexByTag[f.tag] = i;
      if (f.type === 'stringMap') this.#makeMap[i] = plainObjectMaker<Record<string, string>>();
    }
  }

  /** The kept fields of a JSON object. */
  fromJson(obj: Plain): Plain {
    const out = this.#make();
    let kept = 0;
    if (this.#typeMeta) {
      if (obj.apiVersion) out.apiVersion = obj.apiVersion;
      if (obj.kind) out.kind = obj.kind;
    }
    for (const f of this.fields) {
      const value = jsonValue(f, obj[f.name]);
      if (value === undefined) continue;
      out[f.name] = value;
      kept++;
    }
    return kept === 0 && !this.#typeMeta ? this.empty : out;
  }

  /** The kept fields of a protobuf message; what fromJson gives for the same object's JSON. */
  decode(r: ProtoReader): Plain {
    const found: unknown[] = new Array(this.fields.length);
    while (r.next()) {
      const i = this.#indexByTag[r.field];
      if (i === undefined) {
        r.skip();
        continue;
      }
      const f = this.fields[i] as ProjectedField;
      if (f.type === 'stringMap') {
        const map =
          (found[i] as Record<string, string> | undefined) ?? (this.#makeMap[i] as () => Record<string, string>)();
        readMapEntry(r.message(), map);
        found[i] = map;
        continue;
      }
      const value = protoValue(f.type, r);
      if (f.repeated) {
        const list = (found[i] as unknown[] | undefined) ?? [];
        if (!f.first) list.push(value);
        else if (list.length === 0 && f.first(value as Plain)) list.push(value);
        found[i] = list;
      } else {
        found[i] = value;
      }
    }
    const out = this.#make();
    let kept = 0;
    if (this.#typeMeta) {
      out.apiVersion = this.#typeMeta.apiVersion;
      out.kind = this.#typeMeta.kind;
    }
    for (let i = 0; i < this.fields.length; i++) {
      const f = this.fields[i] as ProjectedField;
      const value = keptProtoValue(f, found[i]);
      if (value === undefined) continue;
      out[f.name] = value;
      kept++;
    }
    return kept === 0 && !this.#typeMeta ? this.empty : out;
  }

  /**
   * Whether a reader reading `path` (JSON names; `[]` for any element of a list) reads what this projection keeps:
   * the path runs through kept fields down to a kept value (or into one: a label of kept labels).
   */
  covers(path: readonly string[]): boolean {
    if (path.length === 0) return true;
    const [head, ...rest] = path;
    const f = this.fields.find((x) => x.name === head);
    if (!f) return false;
    let tail = rest;
    if (f.repeated) {
      if (tail.length === 0) return true;
      if (tail[0] !== '[]') return tail[0] === 'length';
      tail = tail.slice(1);
    }
    if (f.type instanceof MessageProjection) return f.type.covers(tail);
    return true; // a scalar, or into one (a string's length)
  }
}

/**
 * What a cache keeps of one kind's objects: apiVersion, kind and the projected top-level fields. `transform` is the
 * cache's transform of JSON objects, `decodeProtobuf` its decoder of protobuf ones (KindScope); both give the same
 * object for the same pod, Service….
 */
export class ObjectProjection extends MessageProjection {
  constructor(apiVersion: string, kind: string, fields: readonly ProjectedField[]) {
    super(fields, { typeMeta: { apiVersion, kind } });
  }

  readonly transform = (obj: KubeObject): KubeObject => this.fromJson(obj as unknown as Plain) as KubeObject;

  readonly decodeProtobuf = (r: ProtoReader): KubeObject => this.decode(r) as KubeObject;

  override covers(path: readonly string[]): boolean {
    return path[0] === 'apiVersion' || path[0] === 'kind' || super.covers(path);
  }
}

function jsonValue(f: ProjectedField, value: unknown): unknown {
  const t = f.type;
  if (!(t instanceof MessageProjection)) return value;
  if (f.repeated) {
    if (!Array.isArray(value)) return undefined;
    const list = (value as Plain[]).map((e) => t.fromJson(e));
    if (f.first) {
      const kept = list.find(f.first);
      return kept ? [kept] : undefined;
    }
    return list.length > 0 ? list : undefined;
  }
  const presence = f.presence ?? t.defaultPresence;
  if (value === undefined || value === null) return presence === 'always' ? t.empty : undefined;
  const kept = t.fromJson(value as Plain);
  return kept === t.empty && presence === 'omitEmpty' ? undefined : kept;
}

function keptProtoValue(f: ProjectedField, value: unknown): unknown {
  const t = f.type;
  if (f.repeated) {
    const list = value as unknown[] | undefined;
    return list && list.length > 0 ? fitted(list) : undefined;
  }
  if (t instanceof MessageProjection) {
    const presence = f.presence ?? t.defaultPresence;
    if (value === undefined) return presence === 'always' ? t.empty : undefined;
    return value === t.empty && presence === 'omitEmpty' ? undefined : value;
  }
  const presence = f.presence ?? 'omitEmpty';
  if (value === undefined) return presence === 'always' ? zeroOf(t) : undefined;
  if (presence === 'omitEmpty' && (value === '' || value === 0 || value === false || value === null)) return undefined;
  return value;
}

function zeroOf(t: ScalarType): unknown {
  switch (t) {
    case 'string':
    case 'sharedString':
      return '';
    case 'bool':
      return false;
    case 'time':
      return null;
    case 'stringMap':
      return {};
    default:
      return 0;
  }
}

function protoValue(t: ProjectedField['type'], r: ProtoReader): unknown {
  if (t instanceof MessageProjection) return t.decode(r.message());
  switch (t) {
    case 'string':
      return r.string();
    case 'sharedString':
      return r.sharedString();
    case 'int32':
      return r.int32();
    case 'int64':
      return r.int64();
    case 'bool':
      return r.bool();
    case 'time':
      return decodeTime(r.message());
    case 'intOrString':
      return decodeIntOrString(r.message());
    case 'stringMap': // read by decode, entry by entry
      throw new Error('projection: a map read as one value');
  }
}

/** One map entry (key 1, value 2) into `map`. Keys are property names (V8 interns them), values shared strings. */
function readMapEntry(r: ProtoReader, map: Record<string, string>): void {
  let key = '';
  let value = '';
  while (r.next()) {
    if (r.field === 1) key = r.string();
    else if (r.field === 2) value = r.sharedString();
    else r.skip();
  }
  map[key] = value;
}
