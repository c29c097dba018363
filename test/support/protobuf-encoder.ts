// A minimal protobuf encoder for tests: the messages the API server would send, field by field.

/** A varint (negative values as 64-bit two's complement, as Go writes int32 and int64). */
export function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

/** A varint field (int32, int64, bool, enum). */
export const int = (field: number, value: number | bigint): number[] => [...varint(field * 8), ...varint(value)];

/** A length-delimited field: a nested message or bytes. */
export const bytes = (field: number, content: number[]): number[] => [
  ...varint(field * 8 + 2),
  ...varint(content.length),
  ...content,
];

export const str = (field: number, value: string): number[] => bytes(field, [...Buffer.from(value, 'utf8')]);

/** meta/v1 Time (seconds 1) from an RFC 3339 text. */
export const time = (field: number, iso: string): number[] => bytes(field, int(1, Date.parse(iso) / 1000));
