import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A run's first why as the console, summary.md and index.html each say it, for the files that
 * read a failing run's words through the CLI (run-own-words, package-boundary-run).
 */

/**
 * The console with each line the console's writer broke at a clause (": ", "; ") to fit 160
 * columns joined back: a continuation is indented deeper than the line it continues
 * (src/report/shared/console-lines.ts). A line still too long was cut there, its whole in summary.md.
 */
export function unwrapped(stdout: string): string {
  const out: string[] = [];
  const lead = (l: string) => /^ */.exec(l)![0].length;
  for (const l of stdout.split('\n')) {
    const prev = out.at(-1);
    if (prev !== undefined && /[:;]$/.test(prev) && l.trim() !== '' && lead(l) > lead(prev)) out[out.length - 1] = `${prev} ${l.trim()}`;
    else out.push(l);
  }
  return out.join('\n');
}

/** An HTML fragment's text, its entities decoded. */
export const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The first why line as the console (unwrapped), summary.md and index.html each say it. */
export function firstWhys(stdout: string, dir: string): { console: string; md: string; html: string } {
  const consoleLine = stdout.split('\n').find((l) => l.startsWith('  first cause ('));
  const md = readFileSync(join(dir, 'summary.md'), 'utf8').split('\n').find((l) => l.startsWith('> Why: '));
  const html = /<div class="banner danger first-cause">(.*?)<\/div>/s.exec(readFileSync(join(dir, 'index.html'), 'utf8'))?.[1];
  // Markdown escapes its punctuation (`send\_message`) and quotes as entities
  return { console: consoleLine?.trim() ?? '', md: text(md ?? '').replace(/\\(.)/g, '$1'), html: text(html ?? '') };
}
