// Wall-clock time in an IANA time zone over Intl (the tz database Node ships): the offset at an instant, and the
// instants a wall-clock time maps to — none in a spring-forward gap, two in a fall-back overlap. Pure.
// "Wall time" here is a local date and time encoded as if it were UTC milliseconds (Date.UTC of its fields).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when Intl knows the zone (IANA names, "UTC", fixed offsets such as "+05:30"). */
export function isValidTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch (err) {
    if (err instanceof RangeError) return false;
    throw err;
  }
}

/** The zone's UTC offset at `instant`, in ms (wall time − UTC), to the second. */
export function offsetAt(zone: string, instant: number): number {
  if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
  const seconds = Math.floor(instant / 1000) * 1000;
  const p: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(seconds)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const wall = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
  return wall - seconds;
}

/** The wall time shown in the zone at `instant`. */
export function wallTimeOf(zone: string, instant: number): number {
  return instant + offsetAt(zone, instant);
}

const DAY_MS = 86_400_000;

/**
 * The instants at which the zone's clocks show `wall`, earliest first: one normally, none when the wall time falls
 * in a gap (clocks jumped over it), two when it falls in an overlap (clocks went back and showed it twice).
 * Assumes at most one offset change within a day either side, which holds for every real zone.
 */
export function instantsAt(zone: string, wall: number): number[] {
  const offsets = new Set([offsetAt(zone, wall - DAY_MS), offsetAt(zone, wall), offsetAt(zone, wall + DAY_MS)]);
  const instants = new Set<number>();
  for (const offset of offsets) {
    const instant = wall - offset;
    if (offsetAt(zone, instant) === offset) instants.add(instant);
  }
  return [...instants].sort((a, b) => a - b);
}
