/**
 * A scheduled action's `Schedule`, as Application Auto Scaling reads it (UTC): `at(yyyy-mm-ddThh:mm:ss)`
 * once, `rate(N minute|minutes|hour|hours|day|days)` from the moment it is created, or
 * `cron(minutes hours day-of-month month day-of-week year)` (the fields of EventBridge's cron:
 * `*`, `?`, lists, ranges and steps; day-of-week 1-7 or SUN-SAT, 1 being Sunday). `L`, `W` and
 * `#` are not read: such a schedule is refused by name.
 */
export interface Schedule {
  /** the first time at or after `from` the action runs; undefined: never again */
  next(from: number): number | undefined;
}

const MINUTE = 60_000;
const RATE_UNITS: Record<string, number> = { minute: MINUTE, minutes: MINUTE, hour: 60 * MINUTE, hours: 60 * MINUTE, day: 1_440 * MINUTE, days: 1_440 * MINUTE };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
/** how far ahead a cron schedule is searched for its next minute */
const CRON_HORIZON_MINUTES = 366 * 1_440 * 5;

export class ScheduleError extends Error {}

/** `created`: when the action was created (a rate counts from it). */
export function parseSchedule(text: string, created: number): Schedule {
  const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(text);
  if (at) {
    const when = Date.parse(`${at[1]}Z`);
    if (Number.isNaN(when)) throw new ScheduleError(`${text}: not a date and time`);
    return { next: (from) => (when >= from ? when : undefined) };
  }
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(text);
  if (rate) {
    const every = Number(rate[1]) * RATE_UNITS[rate[2]!]!;
    if (every <= 0) throw new ScheduleError(`${text}: a rate of 0`);
    return { next: (from) => created + Math.max(1, Math.ceil((from - created) / every)) * every };
  }
  const cron = /^cron\((.+)\)$/.exec(text);
  if (cron) return cronSchedule(text, cron[1]!.trim().split(/\s+/));
  throw new ScheduleError(`${text}: a schedule is at(yyyy-mm-ddThh:mm:ss), rate(N minutes|hours|days) or cron(minutes hours day-of-month month day-of-week year)`);
}

function cronSchedule(text: string, fields: string[]): Schedule {
  if (fields.length !== 6) throw new ScheduleError(`${text}: cron takes 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`);
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  const m = field(text, 'minutes', minutes, 0, 59);
  const h = field(text, 'hours', hours, 0, 23);
  const d = field(text, 'day-of-month', dom, 1, 31);
  const mo = field(text, 'month', month, 1, 12, MONTHS);
  const w = field(text, 'day-of-week', dow, 1, 7, DAYS);
  const y = field(text, 'year', year, 1970, 2199);
  return {
    next(from) {
      let t = Math.ceil(from / MINUTE) * MINUTE;
      for (let i = 0; i < CRON_HORIZON_MINUTES; i++, t += MINUTE) {
        const at = new Date(t);
        if (m(at.getUTCMinutes()) && h(at.getUTCHours()) && d(at.getUTCDate()) && mo(at.getUTCMonth() + 1) && w(at.getUTCDay() + 1) && y(at.getUTCFullYear())) return t;
      }
      return undefined;
    },
  };
}

/** One cron field as a test of a value: `*`, `?`, `a`, `a-b`, `a/n`, `a-b/n`, `*\/n`, and lists of them. */
function field(text: string, name: string, spec: string, min: number, max: number, names: readonly string[] = []): (v: number) => boolean {
  if (spec === '*' || spec === '?') return () => true;
  const value = (s: string): number => {
    const byName = names.indexOf(s.toUpperCase());
    const n = byName >= 0 ? byName + 1 : /^\d+$/.test(s) ? Number(s) : Number.NaN;
    if (!(n >= min && n <= max)) throw new ScheduleError(`${text}: ${name} ${spec}: ${s} is not from ${min} to ${max}${/[LW#]/.test(s) ? ' (L, W and # are not read here)' : ''}`);
    return n;
  };
  const parts = spec.split(',').map((part) => {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ScheduleError(`${text}: ${name} ${spec}: a step must be a whole number of at least 1`);
    const [lo, hi] = range === '*' ? [min, max] : range.includes('-') ? (range.split('-').map(value) as [number, number]) : [value(range), stepText === undefined ? value(range) : max];
    return (v: number) => v >= lo && v <= hi && (v - lo) % step === 0;
  });
  return (v) => parts.some((p) => p(v));
}
