import { rowText, type CapacitySummary } from './summary.ts';

/** The benchmark's answer on stdout: measured vs target with PASS/FAIL, then the supporting numbers. */
export function consoleReport(s: CapacitySummary): string {
  const texts = s.rows.map(rowText);
  const head = { label: 'measurement', measured: 'measured', target: 'target', verdict: 'verdict' };
  const all = [head, ...texts];
  const w = (k: keyof typeof head) => Math.max(...all.map((t) => t[k].length));
  const line = (t: typeof head) => `${t.label.padEnd(w('label'))}  ${t.measured.padStart(w('measured'))}  ${t.target.padStart(w('target'))}  ${t.verdict}`;
  const out = [`harness capacity (${s.mode}) — ${s.machine.cores} cores, ${s.machine.cpuModel}, Node ${s.machine.node}`, '', line(head), ...texts.map(line), ''];
  for (const sec of s.sections) {
    out.push(`${sec.title} (load average ${sec.loadBefore} → ${sec.loadAfter})`);
    if (sec.error) out.push(`  NOT MEASURED: ${sec.error}`);
    for (const l of sec.lines) out.push(`  ${l}`);
    out.push('');
  }
  out.push(`took ${s.wallSeconds.toFixed(0)} s`);
  return `${out.join('\n')}\n`;
}
