import { WorkerPlan } from '../../../src/artillery-interop/plan-schema.ts';
import { fieldPath } from '../../../common/errors.ts';

export type { WorkerPlan } from '../../../src/artillery-interop/plan-schema.ts';
export type WorkerPhase = WorkerPlan['phases'][number];

/**
 * The plan one worker plays, as `fanout-bench artillery export` writes it under
 * `config.engines.fanout`, checked with the harness's own schema and bounds
 * (src/artillery/plan-schema.ts): the part a worker plays (its rooms, timeouts and phases); the
 * plan's `workers`, `seed`, `total` and `scenario` are for the report. A mistake is one line
 * naming the field. The plan's protocol is the script scenario's `protocol` (absent: chat-v1).
 */
export function readPlan(raw: unknown, protocol?: unknown): { plan: WorkerPlan } | { problem: string } {
  const at = 'config.engines.fanout';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { problem: `${at}: missing (write the script with fanout-bench artillery export)` };
  // the protocol comes from the script's scenario (export-script.ts says why), the rest from config
  const parsed = WorkerPlan.safeParse(protocol === undefined ? raw : { ...raw, protocol });
  if (parsed.success) return { plan: parsed.data as WorkerPlan };
  const issue = parsed.error.issues[0];
  const [where, path] = issue.path[0] === 'protocol' && protocol !== undefined ? ['scenarios[0]', issue.path] : [at, issue.path];
  return { problem: `${where}${path.length > 0 ? `.${fieldPath(path)}` : ''}: ${issue.message}` };
}
