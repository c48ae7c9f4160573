import type { Results } from '../../contracts/results-schema.ts';
import { fmtInt, fmtNum } from '../../number-format.ts';

/**
 * The work-per-message table both renderers show: DynamoDB units and Lambda GB-seconds, in total,
 * per message and per 1,000 deliveries. Plain text cells; each renderer escapes them. Pure.
 */
export interface WorkTable {
  head: string[];
  rows: string[][];
  /** per table: its own units, its indexes' units, successful requests by operation */
  tables: { head: string[]; rows: string[][] };
}

export function workTable(r: Results): WorkTable | undefined {
  const d = r.dynamodb;
  const l = r.lambda;
  if (!d && !l) return undefined;
  const rows: string[][] = [];
  if (d) {
    rows.push(['DynamoDB read units', fmtNum(d.readUnits), fmtNum(d.readUnitsPerMessage), fmtNum(d.readUnitsPer1000Deliveries), d.source]);
    rows.push(['DynamoDB write units', fmtNum(d.writeUnits), fmtNum(d.writeUnitsPerMessage), fmtNum(d.writeUnitsPer1000Deliveries), d.source]);
  }
  if (l) rows.push(['Lambda GB-seconds (Duration × memory)', fmtNum(l.gbSeconds), fmtNum(l.gbSecondsPerMessage), fmtNum(l.gbSecondsPer1000Deliveries), l.source]);
  const basis = d ?? l!;
  const tableRows = Object.entries(d?.tables ?? {}).map(([name, t]) => {
    const indexes = Object.entries(t.indexes)
      .filter(([, u]) => u.readUnits > 0 || u.writeUnits > 0)
      .map(([i, u]) => `${i}: ${fmtNum(u.readUnits)} read, ${fmtNum(u.writeUnits)} write`)
      .join('; ');
    const ops = Object.entries(t.operations)
      .map(([op, o]) => `${op} ${fmtInt(o.requests)}${o.throttled > 0 ? ` (+${fmtInt(o.throttled)} throttled)` : ''}`)
      .join(' · ');
    return [name, fmtNum(t.readUnits), fmtNum(t.writeUnits), indexes || '–', ops || '–'];
  });
  return {
    head: ['work', 'total', `per message (${fmtInt(basis.messages)} sent)`, `per 1,000 deliveries (${fmtInt(basis.deliveries)})`, 'source'],
    rows,
    tables: { head: ['table', 'read units', 'write units', 'global indexes', 'requests by operation'], rows: tableRows },
  };
}
