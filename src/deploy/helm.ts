// helm, built from the Go module proxy by scripts/helm/build.sh (cached per version), and the chart rendered with it.
import { execFile, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const CHART_PATH = resolve(ROOT, 'charts/sparkop');
const BUILD_SCRIPT = resolve(ROOT, 'scripts/helm/build.sh');

let cached: Promise<string> | undefined;

/** The path of the helm binary; builds it first when it is not cached (progress on this process's stderr). */
export function ensureHelm(): Promise<string> {
  cached ??= new Promise((resolvePath, reject) => {
    const child = spawn('bash', [BUILD_SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const dir = /^HELM_BIN=(.+)$/m.exec(out)?.[1];
      if (code !== 0 || !dir) reject(new Error(`scripts/helm/build.sh failed (exit ${code})`));
      else resolvePath(`${dir}/helm`);
    });
  });
  return cached;
}

/** Runs helm; rejects with helm's stderr in the message when it fails. */
export async function helm(args: readonly string[]): Promise<string> {
  const bin = await ensureHelm();
  try {
    const { stdout } = await promisify(execFile)(bin, [...args], { maxBuffer: 64 << 20, cwd: ROOT });
    return stdout;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`helm ${args.join(' ')} failed: ${stderr.trim()}`, { cause: err });
  }
}

export interface RenderOptions {
  readonly release?: string;
  readonly namespace?: string;
  /** Values files (-f), in order, e.g. a kubeflow values file. */
  readonly valuesFiles?: readonly string[];
  /** --set arguments as a user types them, e.g. 'spark.jobNamespaces={ns1,ns2}'; after the files. */
  readonly setText?: readonly string[];
  /** --set-json pairs, e.g. { replicaCount: 2, 'spark.jobNamespaces': ['a', 'b'] }. */
  readonly set?: Readonly<Record<string, unknown>>;
  readonly includeCrds?: boolean;
}

export function templateArgs(options: RenderOptions = {}): string[] {
  const release = options.release ?? 'spark-operator';
  const args = ['template', release, CHART_PATH, '--namespace', options.namespace ?? 'spark-operator'];
  for (const file of options.valuesFiles ?? []) args.push('--values', file);
  for (const text of options.setText ?? []) args.push('--set', text);
  for (const [key, value] of Object.entries(options.set ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    args.push('--set-json', `${key}=${JSON.stringify(value)}`);
  }
  if (options.includeCrds) args.push('--include-crds');
  return args;
}

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [k: string]: unknown };
  readonly [k: string]: unknown;
}

/** `helm template` of the chart, as objects (in helm's order). */
export async function renderChart(options: RenderOptions = {}): Promise<{ text: string; objects: K8sObject[] }> {
  const text = await helm(templateArgs(options));
  const objects = parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
  return { text, objects };
}
