// Parsing of a ScheduledSparkApplication's `schedule` and `timeZone` into a Schedule value, with the syntax and
// meaning of robfig/cron v3's ParseStandard (what kubeflow's operator and Kubernetes CronJobs use): five fields
// (minute hour day-of-month month day-of-week), `*`/`?`, ranges, steps, lists, month and weekday names, the
// descriptors @yearly/@annually, @monthly, @weekly, @daily/@midnight, @hourly and @every <Go duration>, and a
// `CRON_TZ=<zone>` or `TZ=<zone>` prefix that wins over `timeZone`. Pure.
import { isValidTimeZone } from './zone.ts';

export interface CronFields {
  readonly minute: ReadonlySet<number>;
  readonly hour: ReadonlySet<number>;
  readonly dayOfMonth: ReadonlySet<number>;
  readonly month: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday. */
  readonly dayOfWeek: ReadonlySet<number>;
  /** Day of month was `*` or `?`: then a day matches by day of week alone (and the other way round). */
  readonly dayOfMonthAny: boolean;
  readonly dayOfWeekAny: boolean;
}

export type Schedule =
  | { readonly kind: 'cron'; readonly timeZone: string; readonly fields: CronFields }
  /** `@every`: runs `intervalMs` apart (whole seconds, at least 1 s), anchored on the previous scheduled time. */
  | { readonly kind: 'every'; readonly timeZone: string; readonly intervalMs: number };

/** The spec field a problem is in, as the API server would name it. */
export type ScheduleField = 'spec.schedule' | 'spec.timeZone';

/** A schedule that cannot be parsed: `field` names the spec field, the message says which part is wrong. */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
  readonly field: ScheduleField;
  constructor(field: ScheduleField, message: string, options?: ErrorOptions) {
    super(`${field}: ${message}`, options);
    this.field = field;
  }
}

interface FieldBounds {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const BOUNDS: readonly FieldBounds[] = [
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day-of-month', min: 1, max: 31 },
  { label: 'month', min: 1, max: 12, names: Object.fromEntries(MONTH_NAMES.map((n, i) => [n, i + 1])) },
  { label: 'day-of-week', min: 0, max: 6, names: Object.fromEntries(DAY_NAMES.map((n, i) => [n, i])) },
];

const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Days in each month of a leap year: a day-of-month is possible in a month if it is at most this. */
const MAX_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The Schedule of a spec. `timeZone` unset, empty or "Local" means `localTimeZone` (the operator's zone); a
 * `CRON_TZ=`/`TZ=` prefix in `schedule` wins over `timeZone`. Throws a ScheduleError naming the field and the part.
 */
export function parseSchedule(schedule: string, timeZone: string | undefined, localTimeZone: string): Schedule {
  const specZone = resolveZone(timeZone, localTimeZone);
  if (specZone === undefined) {
    throw new ScheduleError(
      'spec.timeZone',
      `unknown time zone "${timeZone}" (expected an IANA name such as "Europe/Berlin", or "Local")`,
    );
  }
  let text = schedule.trim();
  let zone = specZone;
  const prefix = /^(CRON_TZ|TZ)=(\S*)/.exec(text);
  if (prefix) {
    const named = resolveZone(prefix[2], localTimeZone);
    if (!prefix[2] || named === undefined) {
      throw new ScheduleError('spec.schedule', `unknown time zone "${prefix[2]}" in the ${prefix[1]}= prefix`);
    }
    zone = named;
    text = text.slice(prefix[0].length).trim();
  }
  if (text === '') throw new ScheduleError('spec.schedule', 'empty schedule');
  if (text.startsWith('@every')) return { kind: 'every', timeZone: zone, intervalMs: parseEvery(text) };
  if (text.startsWith('@')) {
    const expansion = DESCRIPTORS[text.toLowerCase()];
    if (!expansion) {
      throw new ScheduleError(
        'spec.schedule',
        `unknown descriptor "${text}" (known: ${[...Object.keys(DESCRIPTORS), '@every <duration>'].join(', ')})`,
      );
    }
    text = expansion;
  }
  return { kind: 'cron', timeZone: zone, fields: parseFields(text) };
}

function resolveZone(zone: string | undefined, localTimeZone: string): string | undefined {
  if (zone === undefined || zone === '' || zone === 'Local') return localTimeZone;
  return isValidTimeZone(zone) ? zone : undefined;
}

function parseFields(text: string): CronFields {
  const parts = text.split(/\s+/);
  if (parts.length !== 5) {
    throw new ScheduleError(
      'spec.schedule',
      `"${text}" has ${parts.length} fields; expected 5 (minute hour day-of-month month day-of-week) or a descriptor such as @daily`,
    );
  }
  const parsed = parts.map((part, i) => parseField(part, BOUNDS[i] as FieldBounds));
  const [minute, hour, dayOfMonth, month, dayOfWeek] = parsed as [Parsed, Parsed, Parsed, Parsed, Parsed];
  const fields: CronFields = {
    minute: minute.values,
    hour: hour.values,
    dayOfMonth: dayOfMonth.values,
    month: month.values,
    dayOfWeek: dayOfWeek.values,
    dayOfMonthAny: dayOfMonth.any,
    dayOfWeekAny: dayOfWeek.any,
  };
  // Day of month alone decides when day of week is `*`: "0 0 30 2 *" would never run.
  if (
    fields.dayOfWeekAny &&
    ![...fields.month].some((m) => [...fields.dayOfMonth].some((d) => d <= (MAX_DAYS[m - 1] ?? 0)))
  ) {
    throw new ScheduleError(
      'spec.schedule',
      `"${text}" never runs: no month in the month field has any of its days of month`,
    );
  }
  return fields;
}

interface Parsed {
  readonly values: ReadonlySet<number>;
  readonly any: boolean;
}

function parseField(text: string, bounds: FieldBounds): Parsed {
  const values = new Set<number>();
  let any = false;
  for (const item of text.split(',')) {
    const fail = (why: string): never => {
      throw new ScheduleError('spec.schedule', `${bounds.label} field "${text}": ${why}`);
    };
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined || range === undefined) fail(`"${item}" has more than one "/"`);
    let start: number;
    let end: number;
    let star = false;
    if (range === '*' || range === '?') {
      [start, end, star] = [bounds.min, bounds.max, true];
    } else {
      const [low, high, more] = (range as string).split('-');
      if (more !== undefined) fail(`"${range}" has more than one "-"`);
      start = parseValue(low ?? '', bounds, fail);
      end = high === undefined ? start : parseValue(high, bounds, fail);
    }
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) fail(`step "${stepText}" must be a positive whole number`);
      step = Number(stepText);
      // "N/step" means "N-max/step".
      if (!star && !(range as string).includes('-')) end = bounds.max;
    }
    if (start < bounds.min) fail(`${start} is below the minimum ${bounds.min}`);
    if (end > bounds.max) fail(`${end} is above the maximum ${bounds.max}`);
    if (start > end) fail(`range start ${start} is after its end ${end}`);
    for (let v = start; v <= end; v += step) values.add(v);
    if (star && step === 1) any = true;
  }
  return { values, any };
}

function parseValue(text: string, bounds: FieldBounds, fail: (why: string) => never): number {
  const named = bounds.names?.[text.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(text)) {
    const names = bounds.names ? ` or a name (${Object.keys(bounds.names).join(', ')})` : '';
    return fail(`"${text}" is not a number${names}`);
  }
  return Number(text);
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** `@every <Go duration>` → whole seconds in ms (robfig rounds down to the second). At least 1 s. */
function parseEvery(text: string): number {
  const duration = text.slice('@every'.length).trim();
  const fail = (why: string): never => {
    throw new ScheduleError('spec.schedule', `"${text}": ${why}`);
  };
  if (!/^\s/.test(text.slice('@every'.length)) || duration === '')
    fail('expected "@every <duration>", e.g. "@every 1h30m"');
  if (!/^((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/.test(duration)) {
    fail(`"${duration}" is not a duration (a sequence of numbers with units h, m, s, ms, e.g. "1h30m", "90s")`);
  }
  let ms = 0;
  for (const match of duration.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    ms += Number(match[1]) * (DURATION_UNITS[match[2] as string] ?? 0);
  }
  const whole = Math.floor(ms / 1000) * 1000;
  if (whole < 1000) fail(`the interval "${duration}" is shorter than the minimum of 1s`);
  return whole;
}
