// `sparkctl render -f app.yaml [-o yaml|json]`: prints what native submission would create for a SparkApplication
// (like `helm template`): the driver Pod, then its Service and ConfigMaps, without contacting a cluster.
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { formatIssues, type SparkApplication, validateSparkApplication } from '../api/index.ts';
import { buildNativeSubmission, driverOwnerReference, ownedByDriver } from '../spark/builder.ts';
import { SparkConfError } from '../spark/quantities.ts';
import { submissionSettings } from '../spark/settings.ts';
import { UsageError } from './errors.ts';

export const RENDER_USAGE = `Usage: sparkctl render -f FILE [-o yaml|json] [--attempt N] [--submission-id ID]

  Prints the objects native submission would create for the SparkApplication in FILE ("-" reads stdin):
  the driver Pod, its headless Service, the spark.properties ConfigMap and the executor pod template ConfigMap.
  Generated names derive from the application's uid (or namespace/name without one) and the attempt number.`;

/** A problem with the input file: printed without a stack trace. */
export class RenderInputError extends UsageError {}

function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RenderInputError(code === 'ENOENT' ? `${file}: file not found` : `${file}: cannot read (${code ?? err})`);
  }
}

/** The single SparkApplication of a YAML/JSON text, or an error naming what is wrong and where. */
export function parseApplication(text: string, file: string): SparkApplication {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new RenderInputError(`${file}: not a YAML document`);
  const apps: unknown[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0];
      const where = line ? `line ${line.line}, column ${line.col}` : 'unknown position';
      throw new RenderInputError(`${file}: YAML syntax error at ${where}: ${error.message.split('\n')[0]}`);
    }
    const value: unknown = doc.toJS();
    if (value && typeof value === 'object' && (value as { kind?: unknown }).kind === 'SparkApplication')
      apps.push(value);
  }
  if (apps.length === 0) {
    const kinds = docs.map((d) => String((d.toJS() as { kind?: unknown } | null)?.kind ?? '(no kind)')).join(', ');
    throw new RenderInputError(`${file}: no SparkApplication found (kind: ${kinds || 'empty file'})`);
  }
  if (apps.length > 1) throw new RenderInputError(`${file}: ${apps.length} SparkApplications; render one at a time`);
  const issues = validateSparkApplication(apps[0]);
  if (issues.length > 0) throw new RenderInputError(`${file}: invalid SparkApplication:\n${formatIssues(issues)}`);
  return apps[0] as SparkApplication;
}

export async function renderCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      file: { type: 'string', short: 'f' },
      output: { type: 'string', short: 'o', default: 'yaml' },
      attempt: { type: 'string', default: '1' },
      'submission-id': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(RENDER_USAGE);
    return 0;
  }
  if (!values.file) throw new UsageError(`-f FILE is required\n\n${RENDER_USAGE}`);
  if (values.output !== 'yaml' && values.output !== 'json') {
    throw new UsageError(`-o must be yaml or json, not "${values.output}"`);
  }
  const attempt = Number(values.attempt);
  if (!Number.isInteger(attempt) || attempt < 1) throw new UsageError(`--attempt must be a positive integer`);
  const app = parseApplication(readInput(values.file), values.file);
  const settings = submissionSettings({
    submissionId: values['submission-id'] ?? `${app.metadata?.uid ?? 'render'}-${attempt}`,
    attempt,
    submitTimeMs: 0,
    sparkUser: userInfo().username,
  });
  let built: ReturnType<typeof buildNativeSubmission>;
  try {
    built = buildNativeSubmission(app, settings);
  } catch (err) {
    if (err instanceof SparkConfError) throw new RenderInputError(`${values.file}: ${err.message}`);
    throw err;
  }
  // The driver pod's uid is known only once it is created: shown as a placeholder.
  const owner = driverOwnerReference(built.driverPod, '<driver pod uid>');
  const objects = [built.driverPod, ...built.resources.map((r) => ownedByDriver(r, owner))];
  if (values.output === 'json') {
    console.log(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2));
  } else {
    console.log(objects.map((o) => stringify(o, { sortMapEntries: true })).join('---\n'));
  }
  return 0;
}
