// When a Schedule runs. Cron schedules match wall-clock time in their zone, as robfig/cron v3 does: a time that
// falls in a spring-forward gap does not run that day; a time in a fall-back overlap runs at both instants the clocks
// show it. `@every` schedules run at fixed intervals from the previous scheduled time, whatever the zone. Pure.
import type { CronFields, Schedule } from './cron.ts';
import { instantsAt, offsetAt } from './zone.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Larger than any offset change of a real zone (the largest are 2 h). */
const TRANSITION_SPAN_MS = 3 * HOUR_MS;
/** How far ahead a match is searched for (leap days, "Feb 29 on a Monday"); parseSchedule rejects impossible days. */
const SEARCH_YEARS = 30;

export class NoNextRunError extends Error {
  override readonly name = 'NoNextRunError';
}

/** The first scheduled instant strictly after `after` (ms since the epoch). */
export function nextRunAfter(schedule: Schedule, after: number): number {
  if (schedule.kind === 'every') return after + schedule.intervalMs;
  const zone = schedule.timeZone;
  const start = after + 1;
  // An instant just after `after` can show an earlier wall time if the clocks go back soon after it.
  let wall = start + Math.min(offsetAt(zone, start), offsetAt(zone, start + TRANSITION_SPAN_MS));
  const limit = new Date(wall).getUTCFullYear() + SEARCH_YEARS;
  let best: number | undefined;
  let lastWallToTry = Number.POSITIVE_INFINITY;
  for (;;) {
    const match = nextWallMatch(schedule.fields, wall, limit);
    if (match === undefined || match > lastWallToTry) break;
    for (const instant of instantsAt(zone, match)) {
      if (instant > after && (best === undefined || instant < best)) best = instant;
    }
    if (best !== undefined && lastWallToTry === Number.POSITIVE_INFINITY) {
      // A later wall time maps to an earlier instant only across a fall-back just before `best`: look that far on.
      const offsetBest = offsetAt(zone, best);
      const fallBack = Math.max(0, offsetAt(zone, best - TRANSITION_SPAN_MS) - offsetBest);
      lastWallToTry = best + offsetBest + fallBack;
    }
    wall = match + MINUTE_MS;
  }
  if (best === undefined) throw new NoNextRunError(`no scheduled time within ${SEARCH_YEARS} years`);
  return best;
}

/** Search windows, smallest first, so a frequent schedule does not walk through days of runs. */
const WINDOWS_MS = [HOUR_MS, 24 * HOUR_MS, 32 * 24 * HOUR_MS, 400 * 24 * HOUR_MS, 31 * 366 * 24 * HOUR_MS];

/** The latest scheduled instant in [from, until], if any. */
export function latestRunBetween(schedule: Schedule, from: number, until: number): number | undefined {
  if (from > until) return undefined;
  if (schedule.kind === 'every') {
    return from + Math.floor((until - from) / schedule.intervalMs) * schedule.intervalMs;
  }
  for (const window of WINDOWS_MS) {
    const start = Math.max(from, until - window);
    let latest: number | undefined;
    for (let t = nextRunAfter(schedule, start - 1); t <= until; t = nextRunAfter(schedule, t)) latest = t;
    if (latest !== undefined || start === from) return latest;
  }
  return undefined;
}

/** Whether `instant` is one of the schedule's times (every instant counts for `@every`, which has no fixed grid). */
export function isScheduledAt(schedule: Schedule, instant: number): boolean {
  if (schedule.kind === 'every') return true;
  try {
    return nextRunAfter(schedule, instant - 1) === instant;
  } catch (err) {
    if (err instanceof NoNextRunError) return false;
    throw err;
  }
}

/** The first wall time at or after `from` (rounded up to the minute) whose fields match, or undefined past `limitYear`. */
function nextWallMatch(fields: CronFields, from: number, limitYear: number): number | undefined {
  const d = new Date(Math.ceil(from / MINUTE_MS) * MINUTE_MS);
  while (d.getUTCFullYear() <= limitYear) {
    if (!fields.month.has(d.getUTCMonth() + 1)) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches(fields, d)) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0, 0);
    } else if (!fields.hour.has(d.getUTCHours())) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
    } else if (!fields.minute.has(d.getUTCMinutes())) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
    } else {
      return d.getTime();
    }
  }
  return undefined;
}

/** Vixie cron's rule: if either day field is `*`, both must match; otherwise either may. */
function dayMatches(fields: CronFields, d: Date): boolean {
  const dom = fields.dayOfMonth.has(d.getUTCDate());
  const dow = fields.dayOfWeek.has(d.getUTCDay());
  return fields.dayOfMonthAny || fields.dayOfWeekAny ? dom && dow : dom || dow;
}
