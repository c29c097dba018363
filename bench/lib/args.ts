// Tiny flag parsing for benches: --name value or --name=value, numbers only.
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
