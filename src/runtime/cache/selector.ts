// Label selectors in the API's string syntax, parsed once and matched against objects in the cache:
// `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a` (exists), `!a` (does not exist), joined by commas.

export type Requirement =
  | { readonly key: string; readonly op: 'in' | 'notin'; readonly values: readonly string[] }
  | { readonly key: string; readonly op: 'exists' | 'doesnotexist' };

export type LabelMatcher = (labels: Readonly<Record<string, string>> | undefined) => boolean;

export class SelectorSyntaxError extends Error {
  override readonly name = 'SelectorSyntaxError';
}

// Qualified names: an optional DNS prefix and a name (also valid for values, which may be empty).
const KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

export function parseLabelSelector(selector: string): Requirement[] {
  const requirements: Requirement[] = [];
  for (const raw of splitTopLevel(selector)) {
    const part = raw.trim();
    if (!part) throw new SelectorSyntaxError(`empty requirement in label selector "${selector}"`);
    const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part);
    let requirement: Requirement;
    if (set) {
      const values = set[3]!.split(',').map((v) => v.trim());
      requirement = { key: set[1]!, op: set[2] as 'in' | 'notin', values };
    } else if (part.startsWith('!')) {
      requirement = { key: part.slice(1).trim(), op: 'doesnotexist' };
    } else {
      const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
      if (eq) {
        requirement = { key: eq[1]!, op: eq[2] === '!=' ? 'notin' : 'in', values: [eq[3]!.trim()] };
      } else {
        requirement = { key: part, op: 'exists' };
      }
    }
    if (!KEY.test(requirement.key)) {
      throw new SelectorSyntaxError(`invalid label key "${requirement.key}" in selector "${selector}"`);
    }
    if ('values' in requirement) {
      const bad = requirement.values.find((v) => !VALUE.test(v));
      if (bad !== undefined) throw new SelectorSyntaxError(`invalid label value "${bad}" in selector "${selector}"`);
    }
    requirements.push(requirement);
  }
  return requirements;
}

export function labelMatcher(selector: string | Readonly<Record<string, string>>): LabelMatcher {
  const requirements: Requirement[] =
    typeof selector === 'string'
      ? parseLabelSelector(selector)
      : Object.keys(selector)
          .sort()
          .map((key) => ({ key, op: 'in', values: [selector[key]!] }));
  return (labels) => requirements.every((r) => matches(r, labels ?? {}));
}

function matches(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.op) {
    case 'exists':
      return has;
    case 'doesnotexist':
      return !has;
    case 'in':
      return has && r.values.includes(labels[r.key]!);
    case 'notin':
      return !has || !r.values.includes(labels[r.key]!);
  }
}

// Commas separate requirements except inside the parentheses of a set.
function splitTopLevel(selector: string): string[] {
  if (!selector.trim()) return [];
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw new SelectorSyntaxError(`unbalanced ")" in label selector "${selector}"`);
  }
  if (depth !== 0) throw new SelectorSyntaxError(`unbalanced "(" in label selector "${selector}"`);
  parts.push(selector.slice(start));
  return parts;
}
