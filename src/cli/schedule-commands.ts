// sparkctl's ScheduledSparkApplication commands, shaped like kubectl's for CronJobs:
//   sparkctl schedules list [-A]              the schedules, with state, last and next run, and unfinished runs
//   sparkctl schedules status NAME            one schedule: spec summary, status, and its runs
//   sparkctl create NAME --from SCHEDULE      run a schedule now (kubectl create job NAME --from=cronjob/SCHEDULE)
// A run made by `create --from` is labelled and owned like a scheduled run (it counts for Forbid and history) and
// annotated sparkop.dev/run-trigger=manual.
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import type { ScheduledSparkApplication, SparkApplication } from '../api/index.ts';
import { ScheduledSparkApplications, SparkApplications } from '../controllers/scheduledsparkapplication/controller.ts';
import { isAlreadyExists, isNotFound, newClient } from '../runtime/index.ts';
import { buildRun, isFinished, isRunOf, runTimeOf, SCHEDULED_APP_NAME_LABEL } from '../spark/schedule/index.ts';
import { UsageError } from './errors.ts';

export const SCHEDULE_USAGE = `Schedule commands (ScheduledSparkApplications):
  sparkctl schedules list [-A]             schedules with their state, last run, next run and unfinished runs
  sparkctl schedules status NAME           one schedule: schedule, time zone, policy, status and its runs
  sparkctl create NAME --from SCHEDULE     run the schedule now: a SparkApplication NAME from its template
  Common: -n/--namespace NS, --kubeconfig PATH`;

/** A failure on the cluster side (not found, already exists): printed without a stack trace, exit code 1. */
export class ScheduleCommandError extends Error {
  override readonly name = 'ScheduleCommandError';
}

const OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  kubeconfig: { type: 'string' },
  'all-namespaces': { type: 'boolean', short: 'A', default: false },
  from: { type: 'string' },
} as const;

interface Target {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
}

function target(values: { namespace?: string; kubeconfig?: string }): Target {
  const kubeConfig = new KubeConfig();
  try {
    if (values.kubeconfig) kubeConfig.loadFromFile(values.kubeconfig);
    else kubeConfig.loadFromDefault();
  } catch (err) {
    throw new UsageError(`cannot load the kubeconfig: ${(err as Error).message}`, { cause: err });
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw new UsageError('no cluster configured: set KUBECONFIG or pass --kubeconfig');
  }
  const contextNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  return { kubeConfig, namespace: values.namespace ?? contextNamespace ?? 'default' };
}

/** `sparkctl schedules <list|status> …` */
export async function schedulesCommand(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  const [sub, name, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}\n\n${SCHEDULE_USAGE}`);
  if (sub === 'list') {
    if (name) throw new UsageError(`schedules list takes no NAME (got "${name}")`);
    return listSchedules(target(values), values['all-namespaces'], out);
  }
  if (sub === 'status') {
    if (!name) throw new UsageError(`schedules status needs a NAME\n\n${SCHEDULE_USAGE}`);
    return scheduleStatus(target(values), name, out);
  }
  throw new UsageError(`unknown schedules command "${sub ?? ''}"\n\n${SCHEDULE_USAGE}`);
}

/** `sparkctl create NAME --from SCHEDULE` */
export async function createFromScheduleCommand(
  argv: string[],
  out: (line: string) => void = console.log,
): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  const [name, ...extra] = positionals;
  if (!values.from) throw new UsageError('create --from needs a schedule name: create NAME --from SCHEDULE');
  if (!name || extra.length > 0) {
    throw new UsageError(`create --from needs exactly one NAME for the new SparkApplication\n\n${SCHEDULE_USAGE}`);
  }
  if (name.length > 63 || !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    throw new UsageError(
      `"${name}" is not a valid SparkApplication name: at most 63 lower case letters, digits and "-", starting with a letter`,
    );
  }
  const t = target(values);
  const client = newClient({ kubeConfig: t.kubeConfig });
  const schedule = await client
    .get(ScheduledSparkApplications, { namespace: t.namespace, name: values.from })
    .catch((err: unknown) => {
      if (isNotFound(err)) {
        throw new ScheduleCommandError(
          `ScheduledSparkApplication ${values.from} not found in namespace ${t.namespace}`,
          {
            cause: err,
          },
        );
      }
      throw err;
    });
  const run = buildRun(schedule, name, Date.now(), 'manual');
  await client.create(run).catch((err: unknown) => {
    if (isAlreadyExists(err)) {
      throw new ScheduleCommandError(`SparkApplication ${name} already exists in namespace ${t.namespace}`, {
        cause: err,
      });
    }
    throw err;
  });
  out(`sparkapplication/${name} created from scheduledsparkapplication/${values.from}`);
  return 0;
}

async function listSchedules(t: Target, allNamespaces: boolean, out: (line: string) => void): Promise<number> {
  const client = newClient({ kubeConfig: t.kubeConfig });
  const namespace = allNamespaces ? undefined : t.namespace;
  const [schedules, apps] = await Promise.all([
    client.list(ScheduledSparkApplications, namespace ? { namespace } : {}),
    client.list(SparkApplications, { ...(namespace ? { namespace } : {}), labelSelector: SCHEDULED_APP_NAME_LABEL }),
  ]);
  if (schedules.length === 0) {
    out(allNamespaces ? 'No schedules found.' : `No schedules found in namespace ${t.namespace}.`);
    return 0;
  }
  const rows = [...schedules]
    .sort((a, b) => keyOf(a).localeCompare(keyOf(b)))
    .map((s) => {
      const active = apps.filter(
        (a) =>
          a.metadata.namespace === s.metadata.namespace && isRunOf(a, s.metadata.uid ?? '') && !isFinished(stateOf(a)),
      ).length;
      return [
        ...(allNamespaces ? [s.metadata.namespace ?? ''] : []),
        s.metadata.name ?? '',
        s.spec.schedule,
        s.spec.timeZone || 'Local',
        String(s.spec.suspend === true),
        s.status?.scheduleState || '-',
        s.status?.lastRunName || '-',
        s.status?.nextRun || '-',
        String(active),
      ];
    });
  const header = [
    ...(allNamespaces ? ['NAMESPACE'] : []),
    'NAME',
    'SCHEDULE',
    'TIMEZONE',
    'SUSPEND',
    'STATE',
    'LAST RUN',
    'NEXT RUN',
    'ACTIVE',
  ];
  for (const line of table([header, ...rows])) out(line);
  return 0;
}

async function scheduleStatus(t: Target, name: string, out: (line: string) => void): Promise<number> {
  const client = newClient({ kubeConfig: t.kubeConfig });
  const schedule = await client
    .get(ScheduledSparkApplications, { namespace: t.namespace, name })
    .catch((err: unknown) => {
      if (isNotFound(err)) {
        throw new ScheduleCommandError(`ScheduledSparkApplication ${name} not found in namespace ${t.namespace}`, {
          cause: err,
        });
      }
      throw err;
    });
  const runs = (
    await client.list(SparkApplications, {
      namespace: t.namespace,
      labelSelector: `${SCHEDULED_APP_NAME_LABEL}=${name}`,
    })
  )
    .filter((a) => isRunOf(a, schedule.metadata.uid ?? ''))
    .sort((a, b) => runTimeOf(b) - runTimeOf(a) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  const { spec, status = {} } = schedule;
  const fields: [string, string][] = [
    ['Name', `${t.namespace}/${name}`],
    ['Schedule', spec.schedule],
    ['Time zone', spec.timeZone || 'Local (the operator’s zone)'],
    ['Suspend', String(spec.suspend === true)],
    ['Concurrency policy', spec.concurrencyPolicy || 'Allow'],
    ['History limits', `successful ${spec.successfulRunHistoryLimit ?? 1}, failed ${spec.failedRunHistoryLimit ?? 1}`],
    ['State', status.scheduleState || '(not reconciled yet)'],
    ['Reason', status.reason || '-'],
    ['Last run', status.lastRun ? `${status.lastRunName ?? '?'} at ${status.lastRun}` : '-'],
    ['Next run', status.nextRun || '-'],
  ];
  const width = Math.max(...fields.map(([k]) => k.length)) + 1;
  for (const [k, v] of fields) out(`${`${k}:`.padEnd(width)} ${v}`);
  out('');
  if (runs.length === 0) {
    out('Runs: none');
    return 0;
  }
  out('Runs:');
  const rows = runs.map((a) => [
    a.metadata.name ?? '',
    new Date(runTimeOf(a)).toISOString().replace('.000Z', 'Z'),
    stateOf(a) || '(new)',
    a.metadata.annotations?.['sparkop.dev/run-trigger'] ?? 'schedule',
  ]);
  for (const line of table([['NAME', 'RUN TIME', 'STATE', 'TRIGGER'], ...rows])) out(`  ${line}`);
  return 0;
}

const stateOf = (a: SparkApplication): string => a.status?.applicationState?.state ?? '';
const keyOf = (s: ScheduledSparkApplication): string => `${s.metadata.namespace}/${s.metadata.name}`;

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}
