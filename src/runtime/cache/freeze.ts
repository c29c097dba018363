// Store objects are shared by every reader and handler, so they are frozen all the way down: a mutation throws
// (in strict mode) instead of silently corrupting the cache. Copy with structuredClone before changing one.

export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}
