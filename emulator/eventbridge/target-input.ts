import type { RuleTarget } from '../stack-model/stack-description.ts';
import { selectJsonPath } from '../json-path.ts';
import type { EventEnvelope } from './event-envelope.ts';

/** What a rule knows of itself when a target's input is rendered (InputTransformer's predefined variables). */
export interface RuleContext {
  ruleArn: string;
  ruleName: string;
  /** ISO 8601: when EventBridge received the event */
  ingestionTime: string;
}

/**
 * The text a rule's target receives, as EventBridge renders it: `Input` verbatim, `InputPath`'s part
 * of the event, `InputTransformer`'s template with its variables substituted, or else the event.
 */
export function targetInput(target: Pick<RuleTarget, 'input' | 'inputPath' | 'inputTransformer'>, event: EventEnvelope, rule: RuleContext): string {
  if (target.input !== undefined) return target.input;
  if (target.inputPath !== undefined) return JSON.stringify(selectJsonPath(event, target.inputPath) ?? null);
  if (target.inputTransformer) return renderInputTemplate(target.inputTransformer.inputTemplate, target.inputTransformer.inputPathsMap ?? {}, event, rule);
  return JSON.stringify(event);
}

/**
 * InputTemplate's `<name>` placeholders, as EventBridge fills them: inside a JSON string a value is
 * written bare (`"<state>"` → `"RUNNING"`, `"in <state>"` → `"in RUNNING"`), outside one as JSON (a
 * string gets its quotes: `{"state": <state>}` → `{"state": "RUNNING"}`, `is in <state>` → `is in
 * "RUNNING"`); a path the event lacks is `null` outside a string and empty inside one.
 * `<aws.events.event>` (the event without `detail`) and `<aws.events.event.json>` are written as
 * JSON wherever they stand; a name that is no variable is left as written.
 */
export function renderInputTemplate(template: string, pathsMap: Record<string, string>, event: EventEnvelope, rule: RuleContext): string {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(pathsMap)) values.set(name, selectJsonPath(event, path));
  values.set('aws.events.rule-arn', rule.ruleArn);
  values.set('aws.events.rule-name', rule.ruleName);
  values.set('aws.events.event.ingestion-time', rule.ingestionTime);
  const { detail: _detail, ...withoutDetail } = event;
  const raw = new Map<string, string>([
    ['aws.events.event', JSON.stringify(withoutDetail)],
    ['aws.events.event.json', JSON.stringify(event)],
  ]);

  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '\\' && inString) {
      out += c + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    if (c === '<') {
      const end = template.indexOf('>', i + 1);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (raw.has(name)) {
        out += raw.get(name)!;
        i = end;
        continue;
      }
      if (values.has(name)) {
        const value = values.get(name);
        if (inString) out += value === undefined ? '' : typeof value === 'string' ? JSON.stringify(value).slice(1, -1) : JSON.stringify(JSON.stringify(value)).slice(1, -1);
        else out += value === undefined ? 'null' : JSON.stringify(value);
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}
