import { matchesEventPattern } from '../eventbridge/event-pattern.ts';

/**
 * An event source mapping's FilterCriteria: a record goes to the function when any of the
 * filters' patterns matches it (EventBridge's pattern syntax), and none set lets every record
 * through. What a pattern sees of a record is the caller's (SQS: the body parsed when it is JSON).
 */
export class EventFilter {
  constructor(private readonly patterns: ReadonlyArray<Record<string, unknown>> = []) {}

  get active(): boolean {
    return this.patterns.length > 0;
  }

  matches(view: unknown): boolean {
    return this.patterns.length === 0 || this.patterns.some((p) => matchesEventPattern(p, view));
  }
}
