// Parsing of schedule + timeZone: robfig/cron v3's standard syntax, descriptors, @every, zone prefixes, and errors
// that name the field and the part that is wrong.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSchedule, type Schedule, ScheduleError } from '../../src/spark/schedule/index.ts';

const cron = (s: Schedule) => {
  assert.equal(s.kind, 'cron');
  return s.kind === 'cron' ? s.fields : assert.fail();
};
const sorted = (set: ReadonlySet<number>) => [...set].sort((a, b) => a - b);

test('five fields: lists, ranges, steps, names, N/step', () => {
  const f = cron(parseSchedule('0,30 9-17/4 1,15 JAN-mar/2 mon-FRI', undefined, 'UTC'));
  assert.deepEqual(sorted(f.minute), [0, 30]);
  assert.deepEqual(sorted(f.hour), [9, 13, 17]);
  assert.deepEqual(sorted(f.dayOfMonth), [1, 15]);
  assert.deepEqual(sorted(f.month), [1, 3]);
  assert.deepEqual(sorted(f.dayOfWeek), [1, 2, 3, 4, 5]);
  assert.equal(f.dayOfMonthAny, false);
  assert.deepEqual(sorted(cron(parseSchedule('50/5 * * * *', undefined, 'UTC')).minute), [50, 55]);
});

test('* and ? mark a day field as "any"; */2 does not', () => {
  const f = cron(parseSchedule('0 0 ? * */2', undefined, 'UTC'));
  assert.equal(f.dayOfMonthAny, true);
  assert.equal(f.dayOfWeekAny, false);
});

test('descriptors expand as in robfig/cron', () => {
  const expect: Record<string, string> = {
    '@yearly': '0 0 1 1 *',
    '@annually': '0 0 1 1 *',
    '@monthly': '0 0 1 * *',
    '@weekly': '0 0 * * 0',
    '@daily': '0 0 * * *',
    '@midnight': '0 0 * * *',
    '@hourly': '0 * * * *',
  };
  for (const [descriptor, fields] of Object.entries(expect)) {
    assert.deepEqual(parseSchedule(descriptor, undefined, 'UTC'), parseSchedule(fields, undefined, 'UTC'), descriptor);
  }
});

test('@every takes a Go duration, rounded down to whole seconds', () => {
  assert.deepEqual(parseSchedule('@every 1h30m', undefined, 'UTC'), {
    kind: 'every',
    timeZone: 'UTC',
    intervalMs: 5_400_000,
  });
  assert.equal((parseSchedule('@every 1.5s', undefined, 'UTC') as { intervalMs: number }).intervalMs, 1000);
  assert.equal((parseSchedule('@every 90s', undefined, 'UTC') as { intervalMs: number }).intervalMs, 90_000);
});

test('time zone: timeZone, Local/unset = the operator zone, and a CRON_TZ=/TZ= prefix wins', () => {
  assert.equal(parseSchedule('@daily', 'Europe/Berlin', 'Asia/Tokyo').timeZone, 'Europe/Berlin');
  assert.equal(parseSchedule('@daily', 'Local', 'Asia/Tokyo').timeZone, 'Asia/Tokyo');
  assert.equal(parseSchedule('@daily', undefined, 'Asia/Tokyo').timeZone, 'Asia/Tokyo');
  assert.equal(parseSchedule('CRON_TZ=America/New_York @daily', 'Europe/Berlin', 'UTC').timeZone, 'America/New_York');
  assert.equal(parseSchedule('TZ=America/New_York 0 2 * * *', 'Europe/Berlin', 'UTC').timeZone, 'America/New_York');
});

test('bad input: a ScheduleError naming the field and the part', () => {
  const cases: [string, string | undefined, RegExp][] = [
    ['0 25 * * *', undefined, /^spec\.schedule: hour field "25": 25 is above the maximum 23$/],
    ['* * *', undefined, /^spec\.schedule: "\* \* \*" has 3 fields; expected 5/],
    ['* * * * * *', undefined, /has 6 fields/],
    ['@fortnightly', undefined, /unknown descriptor "@fortnightly"/],
    ['@every', undefined, /expected "@every <duration>"/],
    ['@every 10 minutes', undefined, /"10 minutes" is not a duration/],
    ['@every 500ms', undefined, /shorter than the minimum of 1s/],
    ['TZ=Mars/Olympus 0 0 * * *', undefined, /unknown time zone "Mars\/Olympus" in the TZ= prefix/],
    ['0 0 30 2 *', undefined, /never runs/],
    ['*/0 * * * *', undefined, /minute field "\*\/0": step "0" must be a positive whole number/],
    ['0 0 * * 7', undefined, /day-of-week field "7": 7 is above the maximum 6/],
    ['0 0 * smarch *', undefined, /month field "smarch": "smarch" is not a number or a name/],
    ['5-1 * * * *', undefined, /range start 5 is after its end 1/],
    ['', undefined, /empty schedule/],
    ['0 0 * * *', 'Nowhere/City', /^spec\.timeZone: unknown time zone "Nowhere\/City"/],
  ];
  for (const [schedule, zone, message] of cases) {
    assert.throws(
      () => parseSchedule(schedule, zone, 'UTC'),
      (err: unknown) => err instanceof ScheduleError && message.test(err.message),
      `${schedule} / ${zone}`,
    );
  }
  const err = (() => {
    try {
      parseSchedule('0 0 * * *', 'Nowhere/City', 'UTC');
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof ScheduleError);
  assert.equal(err.field, 'spec.timeZone');
});
