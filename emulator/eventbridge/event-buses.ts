import { UserError } from '../../common/errors.ts';
import type { RuleDescription, RuleTarget } from '../stack-model/stack-description.ts';
import { eventPatternProblem } from './event-pattern.ts';

/** A rule as EventBridge keeps it: the description's fields, its pattern as written and parsed. */
export interface Rule {
  name: string;
  arn: string;
  busName: string;
  /** the EventPattern text as given (DescribeRule answers it back) */
  eventPatternText?: string;
  eventPattern?: Record<string, unknown>;
  scheduleExpression?: string;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  targets: RuleTarget[];
}

export interface EventBus {
  name: string;
  arn: string;
  /** by rule name, in creation order */
  rules: Map<string, Rule>;
}

/**
 * The account's event buses in this region: `default` always, the stack's own, those CreateEventBus
 * adds; each with its rules. A bus is named by its name or its ARN, as PutEvents and the rule APIs
 * take either. A stack rule whose pattern EventBridge would refuse is a UserError naming it.
 */
export class EventBuses {
  private readonly buses = new Map<string, EventBus>();

  constructor(
    readonly region: string,
    readonly accountId: string,
    buses: ReadonlyArray<{ name: string; arn: string }> = [],
    rules: readonly RuleDescription[] = [],
  ) {
    this.add('default');
    for (const bus of buses) this.add(bus.name, bus.arn);
    for (const r of rules) {
      const problem = r.eventPattern ? eventPatternProblem(r.eventPattern) : undefined;
      if (problem) throw new UserError(`EventBridge rule ${r.logicalId} (${r.name}): EventPattern is not valid: ${problem}`);
      const bus = this.get(r.busName) ?? this.add(r.busName);
      bus.rules.set(r.name, {
        name: r.name,
        arn: r.arn,
        busName: bus.name,
        ...(r.eventPattern ? { eventPattern: r.eventPattern, eventPatternText: JSON.stringify(r.eventPattern) } : {}),
        ...(r.scheduleExpression ? { scheduleExpression: r.scheduleExpression } : {}),
        state: r.state,
        targets: [...r.targets],
      });
    }
  }

  add(name: string, arn = `arn:aws:events:${this.region}:${this.accountId}:event-bus/${name}`): EventBus {
    const bus: EventBus = { name, arn, rules: new Map() };
    this.buses.set(name, bus);
    return bus;
  }

  /** The bus a name or ARN names (undefined: none; no name: `default`). */
  get(nameOrArn: string | undefined): EventBus | undefined {
    if (nameOrArn === undefined || nameOrArn === '') return this.buses.get('default');
    if (nameOrArn.startsWith('arn:')) return [...this.buses.values()].find((b) => b.arn === nameOrArn);
    return this.buses.get(nameOrArn);
  }

  all(): EventBus[] {
    return [...this.buses.values()];
  }

  /** A rule's ARN as EventBridge forms it: `rule/<name>` on the default bus, `rule/<bus>/<name>` elsewhere. */
  ruleArn(bus: EventBus, name: string): string {
    return `arn:aws:events:${this.region}:${this.accountId}:rule/${bus.name === 'default' ? '' : `${bus.name}/`}${name}`;
  }

  /** Whether an ARN names one of these buses (a target another service may deliver to). */
  hasBusArn(arn: string): boolean {
    return [...this.buses.values()].some((b) => b.arn === arn);
  }
}
