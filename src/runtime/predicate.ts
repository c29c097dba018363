// Event filters as values. A Predicate has one hook per event type; `funcs` fills missing hooks with "true", and
// `and` / `or` / `not` combine predicates. Predicates see the informer's objects and must not mutate them.
import type { V1LabelSelector } from '@kubernetes/client-node';
import type { KubeObject } from './object.ts';

export interface CreateEvent<T> {
  readonly object: T;
  /** True when the object came from the informer's (re)list rather than a watch event. */
  readonly isInInitialList: boolean;
}
export interface UpdateEvent<T> {
  readonly objectOld: T;
  readonly objectNew: T;
}
export interface DeleteEvent<T> {
  readonly object: T;
}
export interface GenericEvent<T> {
  readonly object: T;
}

export interface Predicate<T extends KubeObject = KubeObject> {
  create(event: CreateEvent<T>): boolean;
  update(event: UpdateEvent<T>): boolean;
  delete(event: DeleteEvent<T>): boolean;
  generic(event: GenericEvent<T>): boolean;
}

/** A predicate from the hooks given; a missing hook lets its events through. */
export function funcs<T extends KubeObject = KubeObject>(hooks: Partial<Predicate<T>>): Predicate<T> {
  return {
    create: hooks.create ?? (() => true),
    update: hooks.update ?? (() => true),
    delete: hooks.delete ?? (() => true),
    generic: hooks.generic ?? (() => true),
  };
}

/** Filters every event by one object test; updates are judged by the new object. */
export function objectFilter<T extends KubeObject = KubeObject>(test: (obj: T) => boolean): Predicate<T> {
  return {
    create: (e) => test(e.object),
    update: (e) => test(e.objectNew),
    delete: (e) => test(e.object),
    generic: (e) => test(e.object),
  };
}

/** Filters updates by comparing old and new object; other events pass. */
export function updateFilter<T extends KubeObject = KubeObject>(
  changed: (oldObj: T, newObj: T) => boolean,
): Predicate<T> {
  return funcs<T>({ update: (e) => changed(e.objectOld, e.objectNew) });
}

/** Updates that changed metadata.generation (spec changes, for resources with a status subresource). */
export const generationChanged: Predicate = updateFilter((o, n) => o.metadata?.generation !== n.metadata?.generation);

/** Updates that changed anything at all (a resync replays objects with an unchanged resourceVersion). */
export const resourceVersionChanged: Predicate = updateFilter(
  (o, n) => o.metadata?.resourceVersion !== n.metadata?.resourceVersion,
);

export const labelsChanged: Predicate = updateFilter((o, n) => !sameStrings(o.metadata?.labels, n.metadata?.labels));

export const annotationsChanged: Predicate = updateFilter(
  (o, n) => !sameStrings(o.metadata?.annotations, n.metadata?.annotations),
);

function sameStrings(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => b?.[k] === a?.[k]);
}

export class InvalidSelectorError extends Error {
  override readonly name = 'InvalidSelectorError';
}

/** A compiled label selector: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist), all must hold. */
export function compileLabelSelector(selector: V1LabelSelector): (labels: Readonly<Record<string, string>>) => boolean {
  const tests: ((labels: Readonly<Record<string, string>>) => boolean)[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    tests.push((labels) => labels[key] === value);
  }
  for (const [i, expr] of (selector.matchExpressions ?? []).entries()) {
    const where = `matchExpressions[${i}] (key ${JSON.stringify(expr.key)})`;
    if (!expr.key) throw new InvalidSelectorError(`label selector ${where}: key is empty`);
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn': {
        if (values.length === 0) {
          throw new InvalidSelectorError(`label selector ${where}: operator ${expr.operator} needs values`);
        }
        const set = new Set(values);
        const wantIn = expr.operator === 'In';
        tests.push((labels) => {
          const v = labels[expr.key];
          return wantIn ? v !== undefined && set.has(v) : v === undefined || !set.has(v);
        });
        break;
      }
      case 'Exists':
      case 'DoesNotExist': {
        if (values.length > 0) {
          throw new InvalidSelectorError(`label selector ${where}: operator ${expr.operator} takes no values`);
        }
        const wantExists = expr.operator === 'Exists';
        tests.push((labels) => Object.hasOwn(labels, expr.key) === wantExists);
        break;
      }
      default:
        throw new InvalidSelectorError(
          `label selector ${where}: unknown operator ${JSON.stringify(expr.operator)} (In, NotIn, Exists, DoesNotExist)`,
        );
    }
  }
  return (labels) => tests.every((test) => test(labels));
}

/** Objects whose labels match `selector`; invalid selectors fail here, not at the first event. */
export function labelSelector<T extends KubeObject = KubeObject>(selector: V1LabelSelector): Predicate<T> {
  const matches = compileLabelSelector(selector);
  return objectFilter<T>((obj) => matches(obj.metadata?.labels ?? {}));
}

export function and<T extends KubeObject = KubeObject>(...predicates: Predicate<T>[]): Predicate<T> {
  return {
    create: (e) => predicates.every((p) => p.create(e)),
    update: (e) => predicates.every((p) => p.update(e)),
    delete: (e) => predicates.every((p) => p.delete(e)),
    generic: (e) => predicates.every((p) => p.generic(e)),
  };
}

export function or<T extends KubeObject = KubeObject>(...predicates: Predicate<T>[]): Predicate<T> {
  return {
    create: (e) => predicates.some((p) => p.create(e)),
    update: (e) => predicates.some((p) => p.update(e)),
    delete: (e) => predicates.some((p) => p.delete(e)),
    generic: (e) => predicates.some((p) => p.generic(e)),
  };
}

export function not<T extends KubeObject = KubeObject>(predicate: Predicate<T>): Predicate<T> {
  return {
    create: (e) => !predicate.create(e),
    update: (e) => !predicate.update(e),
    delete: (e) => !predicate.delete(e),
    generic: (e) => !predicate.generic(e),
  };
}
