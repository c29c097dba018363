// kubeflow's spark-operator (the Go operator sparkop replaces) for the side-by-side bench and the fixture recording:
// its cached build (scripts/kubeflow/build.sh), its CRDs and examples from the same module source, the pyspark
// spark-submit it shells out to, and the operator in a child process (`operator controller start`, no webhook, no
// leader election, metrics and probes on loopback).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import type { CrdManifest } from '../src/api/crd/crds.ts';
import type { KubeObject } from '../src/runtime/index.ts';
import { ServedProcess, spawnServed } from './served-process.ts';

const ROOT = join(import.meta.dirname, '..');

export interface KubeflowBuild {
  readonly version: string;
  /** The operator binary. */
  readonly operator: string;
  /** The module's source (CRDs under config/crd/bases, examples/). */
  readonly src: string;
}

/** The last `KEY=value` lines of a build script's stdout. */
function keyValues(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1] ?? '', m[2] ?? '');
  }
  return out;
}

/** Builds (first time: minutes) or finds the cached kubeflow operator; progress goes to this process's stderr. */
export function kubeflowBuild(): KubeflowBuild {
  const stdout = execFileSync('bash', [join(ROOT, 'scripts', 'kubeflow', 'build.sh')], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const kv = keyValues(stdout);
  const operator = kv.get('KUBEFLOW_OPERATOR');
  const src = kv.get('KUBEFLOW_SRC');
  if (!operator || !src)
    throw new Error(`scripts/kubeflow/build.sh printed no KUBEFLOW_OPERATOR/KUBEFLOW_SRC:\n${stdout}`);
  const version = /kubeflow-operator-([^/]+)\/bin\/operator$/.exec(operator)?.[1] ?? 'unknown';
  return { version, operator, src };
}

/** SPARK_HOME of the cached pyspark `version` (installed on first use by scripts/pyspark/install.sh). */
export function pysparkHome(version = '3.5.8'): string {
  const stdout = execFileSync('bash', [join(ROOT, 'scripts', 'pyspark', 'install.sh'), version], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const home = keyValues(stdout).get(`PYSPARK_${version.replaceAll('.', '_')}_HOME`);
  if (!home) throw new Error(`scripts/pyspark/install.sh ${version} printed no SPARK_HOME:\n${stdout}`);
  return home;
}

/** kubeflow's own CRDs (SparkApplication, ScheduledSparkApplication, SparkConnect) as its release ships them. */
export function kubeflowCrds(build: KubeflowBuild): CrdManifest[] {
  const dir = join(build.src, 'config', 'crd', 'bases');
  return ['sparkapplications', 'scheduledsparkapplications', 'sparkconnects'].map(
    (plural) => parse(readFileSync(join(dir, `sparkoperator.k8s.io_${plural}.yaml`), 'utf8')) as CrdManifest,
  );
}

/** One of kubeflow's example manifests (examples/<file>) from the built release, renamed into `namespace`. */
export function kubeflowExample<T extends KubeObject>(
  build: KubeflowBuild,
  file: string,
  name: string,
  namespace: string,
): T {
  const obj = parse(readFileSync(join(build.src, 'examples', file), 'utf8')) as T;
  return { ...obj, metadata: { ...obj.metadata, name, namespace } };
}

export interface KubeflowOperatorOptions {
  readonly build: KubeflowBuild;
  /** A kubeconfig the operator and its spark-submit (fabric8) can both use: a ServiceAccount token one. */
  readonly kubeconfigPath: string;
  /** The API server's URL (https://host:port): spark-submit's master URL comes from KUBERNETES_SERVICE_HOST/PORT. */
  readonly server: string;
  readonly sparkHome: string;
  /** --namespaces (comma-separated). */
  readonly namespaces: string;
  readonly logFile: string;
  readonly flags?: readonly string[];
}

export class KubeflowOperator extends ServedProcess {
  /** Starts `operator controller start …`; resolves once its SparkApplication controller has started its workers. */
  static async start(options: KubeflowOperatorOptions, timeoutMs = 60_000): Promise<KubeflowOperator> {
    const server = new URL(options.server);
    const spawned = await spawnServed({
      command: options.build.operator,
      args: ({ metrics, health }) => [
        'controller',
        'start',
        `--kubeconfig=${options.kubeconfigPath}`,
        `--namespaces=${options.namespaces}`,
        '--leader-election=false',
        '--enable-metrics=true',
        `--metrics-bind-address=${metrics}`,
        `--health-probe-bind-address=${health}`,
        ...(options.flags ?? []),
      ],
      env: {
        ...process.env,
        SPARK_HOME: options.sparkHome,
        // spark-submit's master URL (kubeflow reads these as in a pod) and its fabric8 client's credentials: the
        // admin kubeconfig's client key is one fabric8 may not read, a token works.
        KUBERNETES_SERVICE_HOST: server.hostname,
        KUBERNETES_SERVICE_PORT: server.port || '443',
        KUBECONFIG: options.kubeconfigPath,
      },
      logFile: options.logFile,
    });
    const op = new KubeflowOperator("kubeflow's operator", spawned);
    const { child } = op;
    const deadline = Date.now() + timeoutMs;
    while (!op.ready()) {
      if (child.exitCode !== null) {
        const tail = op.logText().split('\n').slice(-15).join('\n');
        throw new Error(`kubeflow's operator exited (${child.exitCode}); its log ends:\n${tail}`);
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        const tail = op.logText().split('\n').slice(-15).join('\n');
        throw new Error(`kubeflow's operator was not ready within ${timeoutMs} ms; its log ends:\n${tail}`);
      }
      await sleep(100);
    }
    return op;
  }

  /** controller-runtime logs "Starting workers" per controller once its caches synced; the SparkApplication one. */
  ready(): boolean {
    return this.logText()
      .split('\n')
      .some((l) => l.includes('Starting workers') && /"controller":\s*"sparkapplication"/.test(l));
  }
}
