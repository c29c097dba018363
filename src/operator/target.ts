// Which cluster the operator runs against: --local → --kubeconfig → in-cluster → $KUBECONFIG → ~/.kube/config →
// the embedded local control plane.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { OptionError } from './options.ts';

export type Target = { kind: 'kubeconfig'; path: string } | { kind: 'in-cluster' } | { kind: 'local' };

export function chooseTarget(
  options: { local: boolean; kubeconfig?: string },
  env: Readonly<Record<string, string | undefined>>,
  home: string = homedir(),
): Target {
  if (options.local) return { kind: 'local' };
  if (options.kubeconfig) {
    if (!existsSync(options.kubeconfig)) throw new OptionError(`--kubeconfig ${options.kubeconfig}: no such file`);
    return { kind: 'kubeconfig', path: options.kubeconfig };
  }
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) return { kind: 'in-cluster' };
  const fromEnv = env.KUBECONFIG?.split(':').find((p) => p && existsSync(p));
  if (fromEnv) return { kind: 'kubeconfig', path: fromEnv };
  const fromHome = join(home, '.kube', 'config');
  if (existsSync(fromHome)) return { kind: 'kubeconfig', path: fromHome };
  return { kind: 'local' };
}
