// .dockerignore semantics, enough for the image tests: patterns in order, the last match wins, `!` re-includes, a
// pattern matching a directory matches everything under it, `*` and `?` stay within a path segment, `**` spans
// segments.

function toRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export interface DockerIgnore {
  /** Whether the path (relative to the context, with `/`) is left out of the build context. */
  excludes(path: string): boolean;
}

export function dockerignore(text: string): DockerIgnore {
  const rules = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const p = (negate ? l.slice(1) : l).replace(/^\/+/, '').replace(/\/+$/, '');
      return { negate, re: toRegExp(p) };
    });
  return {
    excludes(path) {
      const parts = path.split('/');
      const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
      let excluded = false;
      for (const r of rules) if (prefixes.some((p) => r.re.test(p))) excluded = !r.negate;
      return excluded;
    },
  };
}
