const HOUR_MS = 3_600_000;

export function addHours(at: Date, hours: number): Date {
  return new Date(at.getTime() + hours * HOUR_MS);
}

export function hoursBetween(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / HOUR_MS;
}

// Building a DateTimeFormat is costly and these run for every lead of a sync, so each
// (kind, time zone) pair is built once.
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(
  kind: string,
  locale: string,
  timeZone: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  const key = `${kind} ${timeZone}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    formats.set(key, format);
  }

  return format;
}

/** The calendar day (YYYY-MM-DD) that `at` falls on in the team's time zone. */
export function teamDay(at: Date, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD, which is exactly the key we store.
  const options = { year: 'numeric', month: '2-digit', day: '2-digit' } as const;

  return formatFor('day', 'en-CA', timeZone, options).format(at);
}

/** The wall-clock time (HH:MM, 24-hour) that `at` shows in the team's time zone. */
export function teamTime(at: Date, timeZone: string): string {
  const options = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } as const;

  return formatFor('clock', 'en-GB', timeZone, options).format(at);
}

/** How far the zone's wall clock is ahead of UTC at `at`, in milliseconds. */
function zoneOffsetMs(at: Date, timeZone: string): number {
  const format = formatFor('offset', 'en-US', timeZone, {
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });

  const parts = format.formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );

  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The instant a team day (YYYY-MM-DD) begins in the team's time zone. The zone's offset is
 * read at the first guess and again at the corrected one, as a clock change may lie
 * between them.
 */
export function startOfTeamDay(day: string, timeZone: string): Date {
  const [year, month, date] = day.split('-').map(Number);
  const midnightUtc = Date.UTC(year!, month! - 1, date!);

  let start = midnightUtc - zoneOffsetMs(new Date(midnightUtc), timeZone);
  start = midnightUtc - zoneOffsetMs(new Date(start), timeZone);

  return new Date(start);
}

/** The day after `day`, as YYYY-MM-DD. */
export function nextDay(day: string): string {
  const [year, month, date] = day.split('-').map(Number);

  return new Date(Date.UTC(year!, month! - 1, date! + 1)).toISOString().slice(0, 10);
}
