import { z } from 'zod';
import { readDataFile } from '../../../common/data-file.ts';
import { fieldPath, UserError } from '../../../common/errors.ts';
import { DURATION_HINT, parseDuration } from '../../contracts/duration.ts';
import { describeIssue } from '../../contracts/schema-issue.ts';
import type { TrafficInput } from './monthly-cost.ts';
import type { DailyProfile } from './plan-schema.ts';
import { checkTraffic, DEFAULT_SESSION, type TrafficField } from './traffic-check.ts';

/**
 * `plan --traffic <file.yaml>`: the traffic as a YAML (or JSON) file, with a daily profile of
 * peak and off-peak hours. The traffic it gives is the peak's; `profile` says what share of it
 * each hour of the day (UTC) carries:
 *
 *   connections: 50000
 *   roomSize: 200
 *   messagesPerS: 250
 *   session: 30m            # optional (default 30m), or connectsPerS
 *   profile:                # optional: absent, the peak is held 24 h a day
 *     peak: "18-22"         # 18:00 to 22:00 UTC at the traffic above; "8-10,18-22" for two
 *     offPeak: 0.2          # every other hour at 0.2 of it
 *     hours: { "8-17": 0.5 } # optional: some hours at a share of their own
 *
 * Every mistake is one line naming the file and the field; the traffic is held to exactly what
 * the flags are (traffic-check.ts).
 */

const HOUR_RANGE_HINT = 'hours UTC as "18-22" (18:00 to 22:00), "22-2" (past midnight), "7" (7:00 to 8:00) or a list "8-10,18-22"';

const FACTOR_HINT = 'must be a number from 0 to 1 (a share of the peak)';
const Factor = z.number({ error: FACTOR_HINT }).min(0, { error: FACTOR_HINT }).max(1, { error: FACTOR_HINT });

const HourRanges = z.union([z.string(), z.number()], {
  error: (i) => (i.input === undefined ? 'missing (expected hours such as "18-22")' : `must be ${HOUR_RANGE_HINT}`),
});

const TrafficFile = z.strictObject({
  connections: z.number(),
  roomSize: z.number(),
  messagesPerS: z.number(),
  connectsPerS: z.number().optional(),
  session: z.union([z.string(), z.number()], { error: DURATION_HINT }).optional(),
  profile: z
    .strictObject({
      peak: HourRanges,
      offPeak: Factor.optional(),
      hours: z.record(z.string(), Factor).optional(),
    })
    .optional(),
});
type TrafficFile = z.infer<typeof TrafficFile>;

/** The traffic a file gives, its profile with it. */
export function readTrafficFile(file: string): TrafficInput {
  const parsed = TrafficFile.safeParse(readDataFile(file, { what: 'traffic file' }));
  if (!parsed.success) throw new UserError(`${file}: ${describeIssue(parsed.error.issues[0]!)}`);
  const t = parsed.data;
  const sessionMs = parseDuration(t.session ?? DEFAULT_SESSION);
  if (sessionMs === undefined) throw new UserError(`${file}: session: ${DURATION_HINT}, got ${JSON.stringify(t.session)}`);
  const raw: Record<TrafficField, unknown> = { connections: t.connections, roomSize: t.roomSize, messagesPerS: t.messagesPerS, connectsPerS: t.connectsPerS, session: t.session };
  const traffic = checkTraffic(
    { connections: t.connections, roomSize: t.roomSize, messagesPerS: t.messagesPerS, sessionSec: sessionMs / 1000, ...(t.connectsPerS !== undefined ? { connectsPerS: t.connectsPerS } : {}) },
    { where: file, names: { connections: 'connections', roomSize: 'roomSize', messagesPerS: 'messagesPerS', connectsPerS: 'connectsPerS', session: 'session' }, got: (f) => JSON.stringify(raw[f]) },
  );
  return t.profile ? { ...traffic, profile: dailyProfile(t.profile, file) } : traffic;
}

/** The 24 hourly shares of the peak: the peak's hours 1, each of `hours` its own, the rest `offPeak`. */
export function dailyProfile(p: NonNullable<TrafficFile['profile']>, file: string): DailyProfile {
  const fail = (path: PropertyKey[], what: string) => new UserError(`${file}: ${fieldPath(['profile', ...path])}: ${what}`);
  const factors: Array<number | undefined> = new Array<number | undefined>(24).fill(undefined);
  // which field set each hour, so that an hour set twice names both
  const setBy: string[] = [];
  const set = (path: PropertyKey[], spec: string | number, factor: number) => {
    const hours = hourRanges(spec);
    if (!hours) throw fail(path, `${JSON.stringify(spec)} is not an hour range (${HOUR_RANGE_HINT})`);
    for (const h of hours) {
      if (setBy[h] !== undefined) throw fail(path, `hour ${h} is in ${setBy[h]} already`);
      setBy[h] = fieldPath(['profile', ...path]);
      factors[h] = factor;
    }
  };
  set(['peak'], p.peak, 1);
  for (const [key, factor] of Object.entries(p.hours ?? {})) set(['hours', key], key, factor);
  const unset = factors.findIndex((f) => f === undefined);
  if (unset >= 0 && p.offPeak === undefined) {
    throw fail(['offPeak'], `missing (hour ${unset} is neither in profile.peak nor in profile.hours)`);
  }
  const given = Object.entries(p.hours ?? {}).map(([k, f]) => `, ${k} at ${f}`).join('');
  return {
    hours: factors.map((f) => f ?? p.offPeak!),
    source: `${file}: peak ${p.peak}${p.offPeak !== undefined ? `, off-peak ${p.offPeak}` : ''}${given} (hours UTC)`,
  };
}

/**
 * The hours (0-23) of "18-22" (18:00 to 22:00: 18, 19, 20, 21), "22-2" (22, 23, 0, 1), "7" or
 * 7 (7:00 to 8:00), "0-24" (all day), or a comma-separated list of them (their union); undefined
 * when it is none of these.
 */
export function hourRanges(spec: string | number): number[] | undefined {
  const hours = new Set<number>();
  for (const part of String(spec).split(',')) {
    const m = /^\s*(\d{1,2})\s*(?:-\s*(\d{1,2})\s*)?$/.exec(part);
    if (!m) return undefined;
    const start = Number(m[1]);
    const end = m[2] === undefined ? start + 1 : Number(m[2]);
    if (start > 23 || end > 24 || start === end) return undefined;
    // an end before the start runs past midnight; 0-24 is the whole day
    const count = (end - start + 24) % 24 || 24;
    for (let i = 0; i < count; i++) hours.add((start + i) % 24);
  }
  return [...hours];
}
