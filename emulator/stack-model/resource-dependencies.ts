import { templateError } from './template-errors.ts';

/**
 * The resources each resource refers to (Ref, Fn::GetAtt, `${…}` in Fn::Sub, DependsOn), and the
 * refusal of resources that refer to each other in a cycle, named as CloudFormation names it
 * ("Circular dependency between resources"). Both branches of an Fn::If count, as in
 * CloudFormation, which checks before it knows the parameters.
 */
export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string | string[];
  Metadata?: Record<string, unknown>;
}

export function dependenciesOf(resource: TemplateResource, names: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  const add = (name: unknown) => {
    if (typeof name === 'string' && names.has(name)) out.add(name);
  };
  for (const d of typeof resource.DependsOn === 'string' ? [resource.DependsOn] : (resource.DependsOn ?? [])) add(d);
  // an explicit stack: a deeply nested template must not exhaust the call stack here either
  const stack: unknown[] = [resource.Properties];
  for (let visited = 0; stack.length > 0; visited++) {
    if (visited > 1_000_000) break;
    const value = stack.pop();
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      stack.push(...value);
      continue;
    }
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0]!;
      if (key === 'Ref') add(arg);
      else if (key === 'Fn::GetAtt') add(typeof arg === 'string' ? arg.split('.')[0] : Array.isArray(arg) ? arg[0] : undefined);
      else if (key === 'Fn::Sub') {
        const [text, vars] = Array.isArray(arg) ? [arg[0], (arg[1] ?? {}) as Record<string, unknown>] : [arg, {}];
        if (typeof text === 'string') {
          for (const m of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
            const name = m[1]!.trim();
            if (!Object.hasOwn(vars, name)) add(name.split('.')[0]);
          }
        }
      }
    }
    for (const [, v] of entries) stack.push(v);
  }
  return out;
}

/** Refuses a cycle among the resources, naming it: `A → B → A`. */
export function refuseResourceCycles(file: string, resources: Record<string, TemplateResource>): void {
  const names = new Set(Object.keys(resources));
  const edges = new Map<string, string[]>();
  for (const [id, r] of Object.entries(resources)) edges.set(id, [...dependenciesOf(r, names)].sort());
  // iterative depth-first search: white (absent), grey (on the path), black (done)
  const state = new Map<string, 'grey' | 'black'>();
  for (const start of [...names].sort()) {
    if (state.has(start)) continue;
    const path: string[] = [];
    const iters: number[] = [];
    path.push(start);
    iters.push(0);
    state.set(start, 'grey');
    while (path.length > 0) {
      const node = path[path.length - 1]!;
      const next = edges.get(node)![iters[iters.length - 1]!];
      if (next === undefined) {
        state.set(node, 'black');
        path.pop();
        iters.pop();
        continue;
      }
      iters[iters.length - 1]!++;
      const s = state.get(next);
      if (s === 'grey') {
        const loop = [...path.slice(path.indexOf(next)), next];
        throw templateError(file, ['Resources', next], `resources refer to each other in a cycle: ${loop.join(' → ')} (CloudFormation refuses a circular dependency)`);
      }
      if (s === undefined) {
        state.set(next, 'grey');
        path.push(next);
        iters.push(0);
      }
    }
  }
}
