// Tiny flag parsing for benches: numbers (--name value or --name=value) and word lists (--name=a b c).
export function numberFlag(argv: readonly string[], name: string, fallback?: number): number | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    let value: string | undefined;
    if (a === `--${name}`) value = argv[i + 1];
    else if (a.startsWith(`--${name}=`)) value = a.slice(name.length + 3);
    else continue;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: "${value}" is not a positive number`);
    return n;
  }
  return fallback;
}

/** --name=a b c: the space-separated words after `=` (flags passed through to a child, e.g. --node-flags). */
export function wordsFlag(argv: readonly string[], name: string): string[] {
  const prefix = `--${name}=`;
  const value = argv.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? '';
  return value.split(' ').filter(Boolean);
}
