/**
 * The JSONPath EventBridge evaluates in InputPath and InputTransformer's InputPathsMap: `$`, dot
 * notation (names with dashes, underscores, slashes), array indices `[0]` and the wildcard `*`
 * (which yields the list of what it spans). Undefined where the event has no such path.
 */
export function selectJsonPath(root: unknown, path: string): unknown {
  const steps = jsonPathSteps(path);
  if (!steps) return undefined;
  let current: unknown[] = [root];
  let spread = false;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step === '*') {
        spread = true;
        if (Array.isArray(value)) next.push(...value);
        else if (typeof value === 'object' && value !== null) next.push(...Object.values(value));
      } else if (typeof step === 'number') {
        if (Array.isArray(value) && step < value.length) next.push(value[step]);
      } else if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, step)) {
        next.push((value as Record<string, unknown>)[step]);
      }
    }
    current = next;
  }
  return spread ? current : current[0];
}

/** `$.detail.items[0].id` → ['detail', 'items', 0, 'id']; undefined when it is not a path EventBridge reads. */
export function jsonPathSteps(path: string): Array<string | number> | undefined {
  if (!path.startsWith('$')) return undefined;
  const steps: Array<string | number> = [];
  const re = /\.([^.[\]]+)|\[(\d+|\*)\]|\['([^']+)'\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) return undefined;
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(m[2] === '*' ? '*' : Number(m[2]));
    else steps.push(m[3]!);
  }
  return steps;
}
