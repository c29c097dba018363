// A small Dockerfile reader for the image tests: stages with their name, instructions, last USER, ENTRYPOINT and ENV.
// It understands what our Dockerfile uses (line continuations, comments, exec-form ENTRYPOINT, ENV k=v).

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

export interface Stage {
  readonly from: string;
  readonly name?: string;
  readonly instructions: Instruction[];
  user?: string;
  entrypoint?: string[];
  env: Record<string, string>;
}

export function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const keyword = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (keyword === 'FROM') {
      const [image, as, name] = args.split(/\s+/);
      const parent = stages.find((s) => s.name === image);
      // A stage FROM another stage inherits its user, entrypoint and environment.
      stages.push({
        from: image ?? '',
        ...(as?.toUpperCase() === 'AS' && name ? { name } : {}),
        instructions: [],
        ...(parent?.user ? { user: parent.user } : {}),
        ...(parent?.entrypoint ? { entrypoint: parent.entrypoint } : {}),
        env: { ...(parent?.env ?? {}) },
      });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) continue; // ARG before the first FROM
    stage.instructions.push({ keyword, args });
    if (keyword === 'USER') stage.user = args;
    if (keyword === 'ENTRYPOINT') stage.entrypoint = JSON.parse(args) as string[];
    if (keyword === 'ENV') for (const kv of args.matchAll(/(\w+)=(\S+)/g)) stage.env[kv[1]!] = kv[2]!;
  }
  return stages;
}
