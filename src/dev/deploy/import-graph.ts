// The files and packages a module needs, following its static and dynamic imports (for the image checks).
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The entrypoint's files (relative imports and files opened next to a module) and its package imports. `skip`
 * leaves files out and does not follow them (the development tooling the image does not carry); `dynamic: false`
 * follows only what loads at run time whatever the flags: static imports, not type-only or dynamic ones.
 */
export function importGraph(
  root: string,
  entry: string,
  options: { readonly skip?: (file: string) => boolean; readonly dynamic?: boolean } = {},
): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file) || options.skip?.(file)) continue;
    files.add(file);
    const text = readFileSync(join(root, file), 'utf8');
    const specs = importSpecifiers(text, options);
    for (const spec of specs) {
      if (spec.startsWith('.')) queue.push(relative(root, resolve(root, dirname(file), spec)));
      else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
    // Data files a module opens next to itself: new URL('./x.json', import.meta.url).
    for (const m of text.matchAll(/new URL\(\s*'(\.[^']+)',\s*import\.meta\.url\s*\)/g)) {
      const data = relative(root, resolve(root, dirname(file), m[1]!));
      if (existsSync(join(root, data))) files.add(data);
    }
  }
  return { files, packages };
}

/**
 * The specifiers a module's source imports: static imports and re-exports, side-effect imports, and (unless
 * `dynamic: false`, the run-time view) dynamic and type-only imports too.
 */
export function importSpecifiers(text: string, options: { readonly dynamic?: boolean } = {}): string[] {
  return [
    ...[...text.matchAll(/^\s*(?:import|export)\s[^'";]*?from\s+'([^']+)'/gm)].filter(
      // The run-time view (dynamic: false) leaves out type-only imports: they are erased.
      (m) => options.dynamic !== false || !/^\s*(?:import|export)\s+type\s/.test(m[0]),
    ),
    ...text.matchAll(/^\s*import\s+'([^']+)'/gm),
    ...(options.dynamic === false ? [] : text.matchAll(/import\(\s*'([^']+)'\s*\)/g)),
  ].map((m) => m[1]!);
}
