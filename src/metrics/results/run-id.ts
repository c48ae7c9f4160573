import { randomBytes } from 'node:crypto';

/** "20251121-061500-fanout-3f2a": sortable by time, readable, unique enough per machine. */
export function newRunId(scenario: string, at = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}-${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}`;
  const safe = scenario.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40);
  return `${stamp}-${safe}-${randomBytes(2).toString('hex')}`;
}
