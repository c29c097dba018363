// Next-run arithmetic in a named zone, DST included. The rules follow robfig/cron v3 (kubeflow's operator and
// Kubernetes CronJobs): a wall-clock time inside a spring-forward gap does not run that day; a wall-clock time inside
// a fall-back overlap runs twice, once at each instant the clocks show it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  instantsAt,
  isScheduledAt,
  latestRunBetween,
  nextRunAfter,
  parseSchedule,
  type Schedule,
} from '../../src/spark/schedule/index.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const schedule = (s: string, zone?: string): Schedule => parseSchedule(s, zone, 'UTC');

function runs(s: Schedule, from: string, count: number): string[] {
  const out: string[] = [];
  for (let t = at(from), i = 0; i < count; i++) {
    t = nextRunAfter(s, t);
    out.push(iso(t));
  }
  return out;
}

test('robfig/cron v3 DST table, America/New_York 2012 (spec_test.go cases)', () => {
  const cases: [string, string, string][] = [
    // spring forward 2012-03-11 02:00 EST → 03:00 EDT
    ['2012-03-11T00:00:00-05:00', 'TZ=America/New_York 0 * * * *', '2012-03-11T01:00:00-05:00'],
    ['2012-03-11T01:00:00-05:00', 'TZ=America/New_York 0 * * * *', '2012-03-11T03:00:00-04:00'],
    ['2012-03-11T00:00:00-05:00', 'TZ=America/New_York 0 1 * * *', '2012-03-11T01:00:00-05:00'],
    ['2012-03-11T01:00:00-05:00', 'TZ=America/New_York 0 1 * * *', '2012-03-12T01:00:00-04:00'],
    ['2012-03-11T00:00:00-05:00', 'TZ=America/New_York 0 2 * * *', '2012-03-12T02:00:00-04:00'],
    ['2012-03-11T00:00:00-05:00', 'TZ=America/New_York 30 2 11 Mar *', '2013-03-11T02:30:00-04:00'],
    // fall back 2012-11-04 02:00 EDT → 01:00 EST
    ['2012-11-04T00:00:00-04:00', 'TZ=America/New_York 30 2 04 Nov *', '2012-11-04T02:30:00-05:00'],
    ['2012-11-04T01:45:00-04:00', 'TZ=America/New_York 30 1 04 Nov *', '2012-11-04T01:30:00-05:00'],
    ['2012-11-04T00:00:00-04:00', 'TZ=America/New_York 0 * * * *', '2012-11-04T01:00:00-04:00'],
    ['2012-11-04T01:00:00-04:00', 'TZ=America/New_York 0 * * * *', '2012-11-04T01:00:00-05:00'],
    ['2012-11-04T01:00:00-05:00', 'TZ=America/New_York 0 * * * *', '2012-11-04T02:00:00-05:00'],
    ['2012-11-04T00:00:00-04:00', 'TZ=America/New_York 0 1 * * *', '2012-11-04T01:00:00-04:00'],
    ['2012-11-04T01:00:00-04:00', 'TZ=America/New_York 0 1 * * *', '2012-11-04T01:00:00-05:00'],
    ['2012-11-04T01:00:00-05:00', 'TZ=America/New_York 0 1 * * *', '2012-11-05T01:00:00-05:00'],
  ];
  for (const [from, spec, expected] of cases) {
    assert.equal(iso(nextRunAfter(schedule(spec), at(from))), iso(at(expected)), `${spec} after ${from}`);
  }
});

test('02:30 daily, America/New_York: skipped on the spring-forward day, once on the fall-back day', () => {
  const s = schedule('30 2 * * *', 'America/New_York');
  // 2026-03-08: 02:00 EST jumps to 03:00 EDT, so 02:30 does not exist that day.
  assert.deepEqual(runs(s, '2026-03-06T12:00:00Z', 3), [
    '2026-03-07T07:30:00Z', // 02:30 EST
    '2026-03-09T06:30:00Z', // 02:30 EDT, the day after: the 8th has no run
    '2026-03-10T06:30:00Z',
  ]);
  // 2026-11-01: 02:00 EDT goes back to 01:00 EST; the repeated hour is 01:xx, so 02:30 happens once (EST).
  assert.deepEqual(runs(s, '2026-10-31T12:00:00Z', 2), ['2026-11-01T07:30:00Z', '2026-11-02T07:30:00Z']);
});

test('02:30 daily, Europe/Berlin: skipped on the spring-forward day, twice on the fall-back day', () => {
  const s = schedule('30 2 * * *', 'Europe/Berlin');
  // 2026-03-29: 02:00 CET jumps to 03:00 CEST.
  assert.deepEqual(runs(s, '2026-03-27T12:00:00Z', 3), [
    '2026-03-28T01:30:00Z', // 02:30 CET
    '2026-03-30T00:30:00Z', // 02:30 CEST: no run on the 29th
    '2026-03-31T00:30:00Z',
  ]);
  // 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:30 is shown twice and runs at both instants.
  assert.deepEqual(runs(s, '2026-10-24T12:00:00Z', 3), [
    '2026-10-25T00:30:00Z', // 02:30 CEST
    '2026-10-25T01:30:00Z', // 02:30 CET
    '2026-10-26T01:30:00Z',
  ]);
});

test('an interleaved overlap: every 30 minutes through the New York fall-back, in instant order', () => {
  assert.deepEqual(runs(schedule('TZ=America/New_York */30 * * * *'), '2026-11-01T04:45:00Z', 5), [
    '2026-11-01T05:00:00Z', // 01:00 EDT
    '2026-11-01T05:30:00Z', // 01:30 EDT
    '2026-11-01T06:00:00Z', // 01:00 EST
    '2026-11-01T06:30:00Z', // 01:30 EST
    '2026-11-01T07:00:00Z', // 02:00 EST
  ]);
});

test('instantsAt: none in a gap, two in an overlap', () => {
  assert.deepEqual(instantsAt('Europe/Berlin', at('2026-03-29T02:30:00Z')), []);
  assert.deepEqual(instantsAt('Europe/Berlin', at('2026-10-25T02:30:00Z')).map(iso), [
    '2026-10-25T00:30:00Z',
    '2026-10-25T01:30:00Z',
  ]);
  assert.deepEqual(instantsAt('Europe/Berlin', at('2026-07-01T12:00:00Z')).map(iso), ['2026-07-01T10:00:00Z']);
});

test('day-of-month and day-of-week: either matches unless one is *; leap days', () => {
  // The 13th or any Friday.
  assert.deepEqual(runs(schedule('0 0 13 * 5'), '2026-02-01T00:00:00Z', 3), [
    '2026-02-06T00:00:00Z',
    '2026-02-13T00:00:00Z',
    '2026-02-20T00:00:00Z',
  ]);
  assert.deepEqual(runs(schedule('@weekly'), '2026-01-01T00:00:00Z', 1), ['2026-01-04T00:00:00Z']);
  assert.deepEqual(runs(schedule('0 0 29 2 *'), '2026-01-01T00:00:00Z', 2), [
    '2028-02-29T00:00:00Z',
    '2032-02-29T00:00:00Z',
  ]);
});

test('@every runs at fixed intervals from the previous time, across DST', () => {
  const s = parseSchedule('@every 1h', 'Europe/Berlin', 'UTC');
  assert.deepEqual(runs(s, '2026-03-29T00:30:00Z', 2), ['2026-03-29T01:30:00Z', '2026-03-29T02:30:00Z']);
});

test('latestRunBetween: the last scheduled time in a range, across window sizes', () => {
  assert.equal(
    iso(latestRunBetween(schedule('* * * * *'), at('2026-01-01T00:00:00Z'), at('2026-01-09T00:00:30Z')) ?? 0),
    '2026-01-09T00:00:00Z',
  );
  assert.equal(
    iso(
      latestRunBetween(schedule('@yearly', 'Europe/Berlin'), at('2020-01-01T00:00:00Z'), at('2026-06-01T00:00:00Z')) ??
        0,
    ),
    '2025-12-31T23:00:00Z',
  );
  assert.equal(
    latestRunBetween(schedule('@yearly'), at('2026-01-02T00:00:00Z'), at('2026-06-01T00:00:00Z')),
    undefined,
  );
  assert.equal(
    iso(
      latestRunBetween(
        parseSchedule('@every 90s', undefined, 'UTC'),
        at('2026-01-01T00:00:00Z'),
        at('2026-01-01T00:10:00Z'),
      ) ?? 0,
    ),
    '2026-01-01T00:09:00Z',
  );
});

test('property: nextRunAfter is strictly later, scheduled, and nothing scheduled lies between', () => {
  const specs = ['*/7 * * * *', '30 2 * * *', '0 */5 * * 1-5', '15 1 1,15 * *', '@hourly'];
  const zones = ['UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata'];
  fc.assert(
    fc.property(
      fc.constantFrom(...specs),
      fc.constantFrom(...zones),
      fc.integer({ min: at('2024-01-01T00:00:00Z'), max: at('2028-01-01T00:00:00Z') }),
      (spec, zone, from) => {
        const s = schedule(spec, zone);
        const next = nextRunAfter(s, from);
        assert.ok(next > from);
        assert.ok(isScheduledAt(s, next));
        // Minute by minute between: none is scheduled (checks the gap/overlap handling finds the earliest).
        for (let t = Math.floor(from / 60_000) * 60_000 + 60_000; t < next && t - from < 6 * 3_600_000; t += 60_000) {
          if (t > from)
            assert.ok(!isScheduledAt(s, t), `${spec} ${zone}: ${iso(t)} is scheduled but next gave ${iso(next)}`);
        }
      },
    ),
    { numRuns: 150, seed: 20260101 },
  );
});
