// Patches as values: the four patch types the API server understands, each with its content type.
import type { KubeObject } from '../object.ts';

/** One RFC 6902 operation. */
export type JsonPatchOperation =
  | { readonly op: 'add' | 'replace' | 'test'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string }
  | { readonly op: 'move' | 'copy'; readonly from: string; readonly path: string };

export type Patch =
  /** RFC 7386 JSON merge patch: objects merge, lists and scalars replace, null deletes. */
  | { readonly type: 'merge'; readonly body: object }
  /** RFC 6902 JSON patch: a list of operations (use a `test` op for a precondition). */
  | { readonly type: 'json'; readonly operations: readonly JsonPatchOperation[] }
  /** Strategic merge patch: lists merge by their key (built-in kinds only; custom resources answer 415). */
  | { readonly type: 'strategic'; readonly body: object }
  /** Server-side apply: the caller's full intent for the fields it owns, under `fieldManager`. */
  | { readonly type: 'apply'; readonly body: KubeObject; readonly fieldManager: string; readonly force?: boolean };

export const mergePatch = (body: object): Patch => ({ type: 'merge', body });
export const jsonPatch = (operations: readonly JsonPatchOperation[]): Patch => ({ type: 'json', operations });
export const strategicMergePatch = (body: object): Patch => ({ type: 'strategic', body });
export const applyPatch = <T extends KubeObject>(
  body: T,
  fieldManager: string,
  options: { force?: boolean } = {},
): Patch => ({
  type: 'apply',
  body,
  fieldManager,
  force: options.force ?? false,
});

export function patchContentType(patch: Patch): string {
  switch (patch.type) {
    case 'merge':
      return 'application/merge-patch+json';
    case 'json':
      return 'application/json-patch+json';
    case 'strategic':
      return 'application/strategic-merge-patch+json';
    case 'apply':
      // JSON is YAML: the apply endpoint takes it as is.
      return 'application/apply-patch+yaml';
  }
}

export function patchBody(patch: Patch): string {
  return JSON.stringify(patch.type === 'json' ? patch.operations : patch.body);
}
