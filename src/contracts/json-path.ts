/**
 * The JSON path an answer matcher reads: `$`, then `.name`, `['name']` or `[index]` steps
 * (JSONPath's plain member and index selectors; no wildcards, filters or recursion: an answer is
 * matched by one field). Parsed once when the protocol is checked.
 */
export type PathStep = string | number;

const STEP = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\])/;

/** The steps of `path`; throws an Error saying what is wrong with it. */
export function parseJsonPath(path: string): PathStep[] {
  if (!path.startsWith('$')) throw new Error(`"${path}" is not a JSON path (it starts with $, e.g. $.type)`);
  const steps: PathStep[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const m = STEP.exec(rest);
    if (!m) throw new Error(`"${path}" is not a JSON path: cannot read "${rest}" (steps are .name, ['name'] or [index])`);
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(Number(m[2]));
    else steps.push((m[3] ?? m[4]).replace(/\\(.)/g, '$1'));
    rest = rest.slice(m[0].length);
  }
  if (steps.length === 0) throw new Error(`"${path}" selects the whole frame: name a field, e.g. $.type`);
  return steps;
}

/** The value at `steps` in `v`, or undefined. */
export function readJsonPath(v: unknown, steps: readonly PathStep[]): unknown {
  let cur = v;
  for (const s of steps) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}
