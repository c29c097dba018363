// The name of a scheduled run: `<schedule>-<run time in unix seconds>`. The same schedule and run time always give
// the same name, so an operator that crashes after creating a run finds it again instead of starting a second one.
// Always a DNS-1035 label of at most 63 characters (a SparkApplication name, also used in label values): a long or
// unusual schedule name is cut and followed by a hash of the full name, so two schedules never share run names
// (kubeflow #2602: the schedule name plus kubeflow's 19-digit nanosecond suffix could exceed 63). Pure.
import { createHash } from 'node:crypto';

export const MAX_RUN_NAME_LENGTH = 63;
const HASH_LENGTH = 8;

export function runName(scheduleName: string, runTime: number): string {
  const suffix = String(Math.floor(runTime / 1000));
  const room = MAX_RUN_NAME_LENGTH - suffix.length - 1;
  if (scheduleName.length <= room && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(scheduleName)) {
    return `${scheduleName}-${suffix}`;
  }
  const hash = createHash('sha256').update(scheduleName).digest('hex').slice(0, HASH_LENGTH);
  const base = scheduleName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, room - HASH_LENGTH - 1)
    .replace(/-+$/, '');
  return base ? `${base}-${hash}-${suffix}` : `run-${hash}-${suffix}`;
}
