// A watch response is a stream of JSON objects, one per line: {"type": "ADDED", "object": {...}}.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { ApiStatus } from '../errors.ts';
import type { KubeObject } from '../object.ts';

export type WatchEvent =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: KubeObject }
  /** Only metadata.resourceVersion is meaningful: "you are up to date up to here". */
  | { readonly type: 'BOOKMARK'; readonly object: KubeObject }
  /** The watch failed; the object is a Status (410 Gone when the resourceVersion is too old). */
  | { readonly type: 'ERROR'; readonly object: ApiStatus };

/** The `type` of every watch event the API server sends (JSON and protobuf streams alike). */
export const WATCH_EVENT_TYPES: ReadonlySet<string> = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** Parses one line; throws a SyntaxError naming the problem for anything that is not a watch event. */
export function parseWatchLine(line: string): WatchEvent {
  const value = JSON.parse(line) as { type?: unknown; object?: unknown };
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof value.type !== 'string' ||
    !WATCH_EVENT_TYPES.has(value.type)
  ) {
    throw new SyntaxError(`not a watch event: ${line.slice(0, 200)}`);
  }
  if (typeof value.object !== 'object' || value.object === null) {
    throw new SyntaxError(`watch event without an object: ${line.slice(0, 200)}`);
  }
  return value as WatchEvent;
}

export async function* readWatchEvents(body: Readable): AsyncGenerator<WatchEvent> {
  const decoder = new StringDecoder('utf8'); // a chunk may end inside a multi-byte character
  let pending = '';
  for await (const chunk of body) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line) yield parseWatchLine(line);
      newline = pending.indexOf('\n');
    }
  }
  const rest = (pending + decoder.end()).trim();
  if (rest) yield parseWatchLine(rest);
}
