/**
 * The one rule every console line is held to: no wider than the terminal it is written to, or
 * 160 characters when it is not a terminal (a CI log, a pipe). A longer line is cut at a word
 * with "…" and says where the whole is (summary.md, the report), so nothing is lost, only moved.
 */

/** The width when stdout is not a terminal: a CI log's line, readable without scrolling. */
export const CONSOLE_WIDTH = 160;

/** A terminal's columns where the stream is one; else $COLUMNS where the shell says it (as `ls` and `git` read it); else CONSOLE_WIDTH. */
export function consoleWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): number {
  if (stream.isTTY && stream.columns && stream.columns > 0) return stream.columns;
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns >= 40 ? columns : CONSOLE_WIDTH;
}

/** Length as a terminal counts it: code points, not UTF-16 units ("≈", "…" are one each). */
const width = (s: string) => [...s].length;

/**
 * `line` as it fits `max` columns: unchanged when it does; else cut at the last word boundary
 * (space, comma, semicolon) that keeps most of it, with "… (whole in <where>)" or "…" after it.
 */
export function fitLine(line: string, max: number = CONSOLE_WIDTH, where?: string): string {
  if (width(line) <= max) return line;
  const chars = [...line];
  const tail = where && width(` … (whole in ${where})`) < max / 2 ? ` … (whole in ${where})` : '…';
  const room = Math.max(1, max - width(tail));
  let cut = room;
  // a word boundary in the last third of the room, else mid-word rather than losing most of the line
  for (let k = room; k > (room * 2) / 3; k--) {
    if (/[\s,;]/.test(chars[k] ?? '')) {
      cut = k;
      break;
    }
  }
  return `${chars.slice(0, cut).join('').replace(/[\s,;]+$/, '')}${tail}`;
}

/**
 * A long line broken at its clauses (after ": " or "; ") into a first line and continuation lines
 * under `indent`, each within `max` where a clause boundary allows; what still does not fit is
 * cut by fitLine. For sentences worth reading whole on the console (a warning, a finding's why).
 */
export function wrapClauses(line: string, max: number = CONSOLE_WIDTH, indent = '    '): string[] {
  const out: string[] = [];
  let rest = line;
  let lead = '';
  while (width(lead + rest) > max) {
    const text = lead + rest;
    const room = [...text].slice(0, max).join('');
    const at = Math.max(room.lastIndexOf(': '), room.lastIndexOf('; '));
    if (at <= lead.length + 20) break;
    out.push(text.slice(0, at + 1));
    rest = text.slice(at + 2);
    lead = indent;
  }
  out.push(lead + rest);
  return out;
}

/** Every line of a console text fitted (a text's own newlines split it into lines first). */
export function fitLines(lines: readonly string[], max: number = CONSOLE_WIDTH, where?: string): string[] {
  return lines.flatMap((l) => l.split('\n')).map((l) => fitLine(l, max, where));
}

/**
 * The console's lines as a person reads them: each long line broken at its clauses, continued
 * under its label ("  warning: …", "  host         …"), and whatever still does not fit cut with
 * where the whole is. Every console renderer's lines pass through here.
 */
export function consoleLines(lines: readonly string[], max: number = CONSOLE_WIDTH, where?: string): string[] {
  // a continuation goes under its label's value ("  host         "), else two deeper than its line
  const indentOf = (l: string) => /^ {2}[a-z][\w/-]*(?: {2,}|: )/.exec(l)?.[0].length ?? (/^ */.exec(l)![0].length + 2);
  const wrapped = lines.flatMap((l) => l.split('\n')).flatMap((l) => wrapClauses(l, max, ' '.repeat(Math.min(indentOf(l), max / 4))));
  return fitLines(wrapped, max, where);
}

/** Writes lines to a stream, fitted to it (consoleLines), one newline each. */
export function writeLines(stream: { write(s: string): unknown; isTTY?: boolean; columns?: number }, lines: readonly string[], where?: string): void {
  if (lines.length === 0) return;
  stream.write(`${consoleLines(lines, consoleWidth(stream), where).join('\n')}\n`);
}
