import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { PLAN_MONTH_SEC, peakHoursADay, plannedTraffic } from '../../src/analyses/plan/monthly-cost.ts';
import type { WorkModel } from '../../src/analyses/plan/plan-schema.ts';
import { hourRanges, readTrafficFile } from '../../src/analyses/plan/traffic-file.ts';

/**
 * `plan --traffic file.yaml`: a file read as users write it (a real file on disk), each mistake
 * one line naming the file and the field, and what a daily profile does to the month's totals,
 * worked by hand.
 */
const dir = mkdtempSync(join(tmpdir(), 'plan-traffic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(text: string, ext = 'yaml'): string {
  const f = join(dir, `t${++n}.${ext}`);
  writeFileSync(f, text);
  return f;
}

const BASE = 'connections: 1000\nroomSize: 10\nmessagesPerS: 5\n';

/** The one line a bad file gives. */
function refusal(text: string): { file: string; message: string } {
  const f = file(text);
  try {
    readTrafficFile(f);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).not.toContain('\n');
    return { file: f, message: (err as Error).message };
  }
  throw new Error(`${f} was read without complaint`);
}

describe('a traffic file', () => {
  it('reads the traffic and its daily profile: the peak 1, the overrides theirs, the rest off-peak', () => {
    const f = file(`${BASE}session: 20m\nprofile:\n  peak: "18-22"\n  offPeak: 0.2\n  hours:\n    "8-17": 0.5\n    "22-2": 0.4\n`);
    const t = readTrafficFile(f);
    expect(t).toMatchObject({ connections: 1000, roomSize: 10, messagesPerS: 5, sessionSec: 1200 });
    expect(t.connectsPerS).toBeUndefined();
    const h = t.profile!.hours;
    expect(h.slice(18, 22)).toEqual([1, 1, 1, 1]);
    expect(h.slice(8, 17)).toEqual(new Array(9).fill(0.5));
    expect([h[22], h[23], h[0], h[1]]).toEqual([0.4, 0.4, 0.4, 0.4]);
    expect([h[2], h[7], h[17]]).toEqual([0.2, 0.2, 0.2]);
    expect(t.profile!.source).toBe(`${f}: peak 18-22, off-peak 0.2, 8-17 at 0.5, 22-2 at 0.4 (hours UTC)`);
    // 4 × 1 + 9 × 0.5 + 4 × 0.4 + 7 × 0.2
    expect(peakHoursADay(t.profile)).toBeCloseTo(11.5, 12);
  });

  it('without a profile is flat, with the default session; JSON reads too', () => {
    expect(readTrafficFile(file(BASE))).toEqual({ connections: 1000, roomSize: 10, messagesPerS: 5, sessionSec: 1800 });
    expect(readTrafficFile(file('{"connections": 10, "roomSize": 2, "messagesPerS": 1, "connectsPerS": 0.5}', 'json'))).toEqual({ connections: 10, roomSize: 2, messagesPerS: 1, connectsPerS: 0.5, sessionSec: 1800 });
  });

  it('reads hours as ranges, past midnight, single hours and lists', () => {
    expect(hourRanges('18-22')).toEqual([18, 19, 20, 21]);
    expect(hourRanges('22-2')).toEqual([22, 23, 0, 1]);
    expect(hourRanges(7)).toEqual([7]);
    expect(hourRanges('23')).toEqual([23]);
    expect(hourRanges('0-24')).toHaveLength(24);
    expect(hourRanges('8-10, 18-20')).toEqual([8, 9, 18, 19]);
    for (const bad of ['25-3', '3-3', '24', '8-', 'evening', '-1-2', '1.5-3']) expect(hourRanges(bad), bad).toBeUndefined();
  });

  it.each([
    ['connections: 0\nroomSize: 1\nmessagesPerS: 1\n', 'connections: must be an integer >= 1, got 0'],
    ['connections: 10.5\nroomSize: 1\nmessagesPerS: 1\n', 'connections: must be an integer >= 1, got 10.5'],
    ['connections: 10\nroomSize: 20\nmessagesPerS: 1\n', 'roomSize: 20 is more than connections (10)'],
    ['connections: 10\nroomSize: 2\nmessagesPerS: -3\n', 'messagesPerS: must be more than 0, got -3'],
    [`${BASE}connectsPerS: 0\n`, 'connectsPerS: must be more than 0, got 0'],
    ['connections: 10\nmessagesPerS: 1\n', 'roomSize: missing (expected number)'],
    ['connections: "50k"\nroomSize: 2\nmessagesPerS: 1\n', 'connections: Invalid input: expected number, received string'],
    [`${BASE}session: 0\n`, 'session: must be longer than 0s, got 0'],
    [`${BASE}session: soon\n`, 'session: must be a duration like "30s", "500ms", "2m" or a number of seconds, got "soon"'],
    [`${BASE}sesion: 30m\n`, 'sesion: unknown key'],
    [`${BASE}profile:\n  peak: "25-3"\n  offPeak: 0.2\n`, 'profile.peak: "25-3" is not an hour range (hours UTC as "18-22" (18:00 to 22:00), "22-2" (past midnight), "7" (7:00 to 8:00) or a list "8-10,18-22")'],
    [`${BASE}profile:\n  offPeak: 0.2\n`, 'profile.peak: missing (expected hours such as "18-22")'],
    [`${BASE}profile:\n  peak: "18-22"\n  offPeak: 1.5\n`, 'profile.offPeak: must be a number from 0 to 1 (a share of the peak)'],
    [`${BASE}profile:\n  peak: "18-22"\n`, 'profile.offPeak: missing (hour 0 is neither in profile.peak nor in profile.hours)'],
    [`${BASE}profile:\n  peak: "18-22"\n  offPeak: 0.2\n  hours:\n    "8-19": 0.5\n`, 'profile.hours.8-19: hour 18 is in profile.peak already'],
    [`${BASE}profile:\n  peak: "18-22"\n  offPeak: 0.2\n  hours:\n    "8-12": 0.5\n    "11-13": 0.3\n`, 'profile.hours.11-13: hour 11 is in profile.hours.8-12 already'],
    [`${BASE}profile:\n  peak: "18-22"\n  offPeak: 0.2\n  hours:\n    "morning": 0.5\n`, 'profile.hours.morning: "morning" is not an hour range (hours UTC as "18-22" (18:00 to 22:00), "22-2" (past midnight), "7" (7:00 to 8:00) or a list "8-10,18-22")'],
    [`${BASE}profile:\n  peak: "18-22"\n  offPeak: 0.2\n  hours:\n    "8-12": -1\n`, 'profile.hours.8-12: must be a number from 0 to 1 (a share of the peak)'],
    [`${BASE}profile:\n  peak: "18-22"\n  offPeak: 0.2\n  shape: flat\n`, 'profile.shape: unknown key'],
  ])('%j: one line naming the file and the field', (text, message) => {
    const r = refusal(text);
    expect(r.message).toBe(`${r.file}: ${message}`);
  });

  it('a file that is not there, or not YAML: one line naming it', () => {
    expect(() => readTrafficFile(join(dir, 'none.yaml'))).toThrow(`${join(dir, 'none.yaml')}: cannot read traffic file (ENOENT)`);
    const f = file('connections: [1\n');
    expect(() => readTrafficFile(f)).toThrow(new RegExp(`^${f}:\\d+:\\d+: not valid YAML`));
  });
});

describe("a daily profile's month, worked by hand", () => {
  const model = { joinsPerConnect: 1, posts: { perRecipient: 1 } } as WorkModel;

  it('peak 4 h at 1, the other 20 h at 0.25: 9 peak hours a day, 270 a month', () => {
    const t = readTrafficFile(file(`connections: 1000\nroomSize: 10\nmessagesPerS: 5\nconnectsPerS: 2\nprofile:\n  peak: "18-22"\n  offPeak: 0.25\n`));
    expect(peakHoursADay(t.profile)).toBe(9);
    const traffic = plannedTraffic(model, t);
    // 270 peak hours × 3,600 s = 972,000 s at the peak's rates
    expect(traffic.totals.messages).toBe(5 * 972_000);
    expect(traffic.totals.recipients).toBe(5 * 972_000 * 10);
    expect(traffic.totals.posts).toBe(5 * 972_000 * 10);
    expect(traffic.totals.connects).toBe(2 * 972_000);
    expect(traffic.totals.joins).toBe(2 * 972_000);
    // 1,000 connections × 60 minutes × 270 hours
    expect(traffic.totals.connectionMinutes).toBe(16_200_000);
    // the rooms the peak holds, as flat
    expect(traffic.totals.rooms).toBe(100);
    expect(traffic).toMatchObject({ periodSec: PLAN_MONTH_SEC, connections: 1000, messagesPerS: 5, connectsPerS: 2, profile: t.profile });
    expect(traffic.periodLabel).toBe('month (30 days, a daily profile of 9 peak hours a day)');
  });

  it('the connects a session gives scale with the hour too', () => {
    const t = readTrafficFile(file(`connections: 1800\nroomSize: 10\nmessagesPerS: 5\nsession: 30m\nprofile:\n  peak: "0-12"\n  offPeak: 0\n`));
    // 1 connect/s at the peak, 12 peak hours a day
    expect(plannedTraffic(model, t).totals.connects).toBe(1 * 12 * 3600 * 30);
  });

  it('a profile of 1 every hour gives the flat month, labelled as a profile', () => {
    const flat = plannedTraffic(model, { connections: 1000, roomSize: 10, messagesPerS: 5, sessionSec: 1800 });
    const all = plannedTraffic(model, readTrafficFile(file(`${BASE}profile:\n  peak: "0-24"\n`)));
    expect(all.totals).toEqual(flat.totals);
    expect(flat.periodLabel).toBe('month (30 days × 24 h, flat)');
    expect(flat.profile).toBeUndefined();
  });
});
