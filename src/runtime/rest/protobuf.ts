// Kubernetes' protobuf encoding, read without generated code: the wire reader, the `k8s\0` envelope (runtime.Unknown),
// lists, and the scalar messages (Time, IntOrString). Messages are decoded from field lists (projection.ts; meta/v1's
// in metav1.ts), a kind's own by a function its user supplies (KindScope.decodeProtobuf), which reads what it keeps
// and skips the rest: protobuf prefixes every nested message with its length, so a skipped spec or managedFields
// costs one jump, where JSON.parse must build every object of it. Built-in kinds only; custom resources are served as
// JSON. Field numbers: k8s.io/apimachinery pkg/apis/meta/v1/generated.proto and pkg/runtime/generated.proto.
import type { KubeObject } from '../object.ts';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
/** What a client that can read protobuf asks for: the server answers JSON where it has no protobuf (CRDs). */
export const PROTOBUF_ACCEPT = `${PROTOBUF_CONTENT_TYPE}, application/json`;

export function isProtobuf(contentType: string | undefined): boolean {
  return contentType?.startsWith(PROTOBUF_CONTENT_TYPE) ?? false;
}

const WIRE_VARINT = 0;
const WIRE_64BIT = 1;
const WIRE_LENGTH = 2;
const WIRE_32BIT = 5;

/** A cursor over one protobuf message (a range of `buf`). Throws a SyntaxError on malformed input. */
export class ProtoReader {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;
  /** Field number and wire type of the field read by the last next(). */
  field = 0;
  wireType = 0;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  /** Reads the next field's tag; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.end) return false;
    const tag = this.varint();
    this.field = Math.floor(tag / 8);
    this.wireType = tag & 7;
    return true;
  }

  /** An unsigned varint as a number (exact up to 2^53). */
  varint(): number {
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new SyntaxError('protobuf: varint runs past the end of the message');
      const b = this.buf[this.pos++] as number;
      result += (b & 0x7f) * multiplier;
      if (b < 0x80) return result;
      multiplier *= 128;
    }
    throw new SyntaxError('protobuf: varint longer than 10 bytes');
  }

  /** int64 (two's complement in 10 bytes when negative: Go's zero time is -62135596800 s). */
  int64(): number {
    const start = this.pos;
    const value = this.varint();
    if (value < 2 ** 53) return value;
    // Re-read exactly: only negative or huge values get here.
    let big = 0n;
    let shift = 0n;
    for (let p = start; p < this.pos; p++) {
      big |= BigInt((this.buf[p] as number) & 0x7f) << shift;
      shift += 7n;
    }
    return Number(BigInt.asIntN(64, big));
  }

  /** int32: negative values are sign-extended to 10 bytes; their low 32 bits are the value. */
  int32(): number {
    const value = this.int64();
    return value | 0;
  }

  bool(): boolean {
    return this.varint() !== 0;
  }

  /** The bounds of a length-delimited field's bytes (the cursor moves past them). */
  #span(): [number, number] {
    const length = this.varint();
    const start = this.pos;
    const end = start + length;
    if (end > this.end) throw new SyntaxError('protobuf: field runs past the end of the message');
    this.pos = end;
    return [start, end];
  }

  string(): string {
    const [start, end] = this.#span();
    return this.buf.toString('utf8', start, end);
  }

  /**
   * A string that repeats across objects (a label value, a namespace, an owner's kind, a phase), shared with its
   * earlier copies. A cache holds every copy; V8's JSON.parse dedupes short values, a decoder must do it itself.
   */
  sharedString(): string {
    return SHARED_STRINGS.intern(this.string());
  }

  /** A reader over a nested message. */
  message(): ProtoReader {
    const [start, end] = this.#span();
    return new ProtoReader(this.buf, start, end);
  }

  /** Skips the current field's value. */
  skip(): void {
    switch (this.wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_64BIT:
        this.pos += 8;
        break;
      case WIRE_LENGTH:
        this.#span();
        return;
      case WIRE_32BIT:
        this.pos += 4;
        break;
      default:
        throw new SyntaxError(`protobuf: unsupported wire type ${this.wireType} (field ${this.field})`);
    }
    if (this.pos > this.end) throw new SyntaxError('protobuf: field runs past the end of the message');
  }
}

/**
 * A bounded pool of strings: intern(s) returns the first copy of s it saw. When full it starts over, so a long-lived
 * process does not keep strings of objects long gone (the copies already handed out stay shared).
 */
export class StringPool {
  readonly #strings = new Map<string, string>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  intern(value: string): string {
    // Long strings (a message, an annotation holding a manifest) rarely repeat and would crowd the pool.
    if (value.length > 128) return value;
    const known = this.#strings.get(value);
    if (known !== undefined) return known;
    if (this.#strings.size >= this.#capacity) this.#strings.clear();
    this.#strings.set(value, value);
    return value;
  }

  get size(): number {
    return this.#strings.size;
  }
}

const SHARED_STRINGS = new StringPool(100_000);

/**
 * Replaces, in place, the string members of `value` (at any depth, up to 128 characters) with their copies in the
 * shared pool the protobuf decoders use: for objects freshly parsed from JSON, whose repeated values (an image, a
 * main class, the API version) JSON.parse copies once per object. A frozen object is left as it is.
 */
export function shareStrings<T>(value: T): T {
  if (typeof value === 'string') return SHARED_STRINGS.intern(value) as T;
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = shareStrings(value[i]);
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) record[key] = shareStrings(record[key]);
  return value;
}

/** A decoder of one kind's message (the bytes inside the envelope) into its JSON shape. */
export type ProtobufObjectDecoder = (message: ProtoReader) => KubeObject;

const MAGIC = [0x6b, 0x38, 0x73, 0x00]; // "k8s\0"

/** What the `k8s\0` envelope (runtime.Unknown) says and holds. */
export interface Envelope {
  readonly apiVersion: string;
  readonly kind: string;
  /** The object's own message. */
  readonly raw: ProtoReader;
}

export function readEnvelope(buf: Buffer, start = 0, end = buf.length): Envelope {
  for (let i = 0; i < MAGIC.length; i++) {
    if (buf[start + i] !== MAGIC[i]) throw new SyntaxError('protobuf: missing the k8s envelope');
  }
  const r = new ProtoReader(buf, start + MAGIC.length, end);
  let apiVersion = '';
  let kind = '';
  let raw: ProtoReader | undefined;
  while (r.next()) {
    if (r.field === 1) {
      const t = r.message();
      while (t.next()) {
        if (t.field === 1) apiVersion = t.string();
        else if (t.field === 2) kind = t.string();
        else t.skip();
      }
    } else if (r.field === 2) raw = r.message();
    else if (r.field === 3 || r.field === 4) {
      // contentEncoding / contentType: the API server sends neither for plain protobuf.
      const value = r.string();
      if (value && r.field === 3) throw new SyntaxError(`protobuf: unsupported content encoding ${value}`);
    } else r.skip();
  }
  return { apiVersion, kind, raw: raw ?? new ProtoReader(buf, end, end) };
}

export interface DecodedList {
  readonly items: KubeObject[];
  readonly metadata: { readonly resourceVersion?: string; readonly continue?: string };
}

/** A list answer (envelope, then ListMeta = 1 and items = 2), each item through `decodeItem`. */
export function decodeList(buf: Buffer, decodeItem: ProtobufObjectDecoder): DecodedList {
  const envelope = readEnvelope(buf);
  const r = envelope.raw;
  const items: KubeObject[] = [];
  let resourceVersion: string | undefined;
  let continueToken: string | undefined;
  while (r.next()) {
    if (r.field === 1) {
      const m = r.message();
      while (m.next()) {
        if (m.field === 2) resourceVersion = m.string();
        else if (m.field === 3) continueToken = m.string();
        else m.skip();
      }
    } else if (r.field === 2) items.push(decodeItem(r.message()));
    else r.skip();
  }
  return {
    items,
    metadata: {
      ...(resourceVersion ? { resourceVersion } : {}),
      ...(continueToken ? { continue: continueToken } : {}),
    },
  };
}

/**
 * A maker of plain objects (prototype Object.prototype, as `{}` makes) whose properties V8 keeps inside the object.
 * `{}` has room for four; a fifth and later ones go to a separate property array (an ObjectMeta of eight fields:
 * 120 heap bytes instead of a literal's 88). Objects a constructor makes are sized, after its first few, to what
 * those got (V8's slack tracking), so each maker should make one kind of object. A cache holding 80 000 pods and
 * Services saves about 4.5 MB on their metadata and labels.
 */
export function plainObjectMaker<T extends object>(): () => T {
  function Plain(): void {}
  Plain.prototype = Object.prototype;
  const PlainObject = Plain as unknown as new () => T;
  return () => new PlainObject();
}

/**
 * A list built by push, copied to its exact length. push reserves room for 17 elements, so a one-element list (an
 * owner reference, a container status, a port) takes 184 heap bytes instead of 56: about 17 MiB over the 130 000
 * such lists of a cache holding 10 000 applications. For lists that are kept (cached), not for temporaries.
 */
export function fitted<T>(list: T[]): T[] {
  return list.length === 0 ? list : list.slice();
}

/** Go's zero time.Time (0001-01-01T00:00:00Z), which JSON writes as null. */
const GO_ZERO_TIME_SECONDS = -62135596800;

/** metav1.Time (seconds = 1, nanos = 2) as JSON writes it: RFC 3339 in UTC, whole seconds. */
export function decodeTime(r: ProtoReader): string | null {
  let seconds = 0;
  while (r.next()) {
    if (r.field === 1) seconds = r.int64();
    else r.skip();
  }
  if (seconds === GO_ZERO_TIME_SECONDS) return null;
  let text = TIMES.get(seconds);
  if (text === undefined) {
    // Objects made in the same second share the string. Built flat: a slice plus "Z" would keep three strings.
    text = Buffer.from(`${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`, 'latin1').toString('latin1');
    if (TIMES.size >= 50_000) TIMES.clear();
    TIMES.set(seconds, text);
  }
  return text;
}

const TIMES = new Map<number, string>();

/** intstr.IntOrString (type 1, intVal 2, strVal 3) as JSON writes it: a number or a string. */
export function decodeIntOrString(r: ProtoReader): number | string {
  let isString = false;
  let intVal = 0;
  let strVal = '';
  while (r.next()) {
    if (r.field === 1) isString = r.int64() === 1;
    else if (r.field === 2) intVal = r.int32();
    else if (r.field === 3) strVal = r.sharedString();
    else r.skip();
  }
  return isString ? strVal : intVal;
}
