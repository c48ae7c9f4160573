import { CfnCondition, CfnParameter, CfnResource, Fn, Token, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { CfnFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { DEFAULT_NODE_RUNTIME, NODE_RUNTIMES } from '../../common/node-runtimes.ts';
import { DEFAULT_POST_TIMEOUT_MS, DEFAULT_PUSH_FANOUT, DEFAULT_TOKEN_IDENTITY, NO_AUTHORIZER, PUSH_FANOUTS, TOKEN_IDENTITIES, type PushFanout, type TokenIdentity } from '../functions/manifest.ts';

/**
 * The stack's shape as template parameters: whether $connect has an authorizer and where its token
 * goes, which token parameter it reads, how the server push fans out, whether the naive broadcast
 * route is deployed, and the stage's name (and two settings: how long a function waits on one post,
 * the functions' runtime). CloudFormation decides them when it creates the stack,
 * through the conditions below, not the CDK when it synthesizes: one template is every shape.
 * The app's context (`-c auth=false`, `-c pushFanout=queued`, …) gives the parameters their
 * defaults, so `cdk deploy -c …` deploys what it always did, and the emulator reads the same
 * template with the parameters a config asks for.
 */
export interface ShapeDefaults {
  /** A Lambda REQUEST authorizer on $connect (connect-authorizer.ts): where its token goes, the parameter holding it; none when absent. */
  auth?: { identity?: TokenIdentity; parameterName?: string };
  /** The server push's fan-out (push-path.ts): direct (default) or queued. */
  pushFanout?: PushFanout;
  /**
   * Deploy the naive `broadcast` route (a Scan of every connection per message, posted to all).
   * Off by default: on an open endpoint one frame would fan out to every connected client.
   */
  broadcast?: boolean;
  /** the stage's name (default prod) */
  stageName?: string;
  /** provisioned environments for $connect's function and sendMessage's (0 or absent: none, the route invokes the function unqualified) */
  provisioned?: Partial<Record<ProvisionedRoute, number>>;
}

/** The routes whose function may have provisioned concurrency, and the template parameter of each. */
export const PROVISIONED_ROUTES = { $connect: 'ConnectProvisioned', sendMessage: 'SendProvisioned' } as const;
export type ProvisionedRoute = keyof typeof PROVISIONED_ROUTES;

export class StackShape {
  readonly authIdentity: CfnParameter;
  readonly tokenParameter: CfnParameter;
  readonly pushFanout: CfnParameter;
  readonly broadcast: CfnParameter;
  readonly stageName: CfnParameter;
  readonly postTimeoutMs: CfnParameter;
  readonly nodeRuntime: CfnParameter;
  /** an authorizer on $connect */
  readonly authOn: CfnCondition;
  /** its token in the query string (else in the x-api-key header) */
  readonly tokenInQuery: CfnCondition;
  /** the stack makes the token parameter (no existing one named) */
  readonly makesTokenParameter: CfnCondition;
  readonly pushDirect: CfnCondition;
  readonly pushQueued: CfnCondition;
  readonly withBroadcast: CfnCondition;
  /** per route of PROVISIONED_ROUTES: its environments, and whether there are any */
  readonly provisioned: Record<ProvisionedRoute, { environments: CfnParameter; on: CfnCondition }>;

  constructor(stack: Stack, defaults: ShapeDefaults) {
    this.authIdentity = new CfnParameter(stack, 'AuthIdentity', {
      type: 'String',
      allowedValues: [NO_AUTHORIZER, ...TOKEN_IDENTITIES],
      default: defaults.auth ? (defaults.auth.identity ?? DEFAULT_TOKEN_IDENTITY) : NO_AUTHORIZER,
      description: `Where clients put the $connect token: ${TOKEN_IDENTITIES.join(' or ')}; ${NO_AUTHORIZER} deploys no authorizer (an open endpoint)`,
    });
    this.tokenParameter = new CfnParameter(stack, 'AuthParameter', {
      type: 'String',
      allowedPattern: '^(/[a-zA-Z0-9_.\\-/]{1,1000})?$',
      default: defaults.auth?.parameterName ?? '',
      description: 'An existing Parameter Store parameter holding the $connect token (a SecureString); empty: the stack creates /fanout-bench/<stack>/connect-token with a placeholder',
    });
    this.pushFanout = new CfnParameter(stack, 'PushFanout', {
      type: 'String',
      allowedValues: [...PUSH_FANOUTS],
      default: defaults.pushFanout ?? DEFAULT_PUSH_FANOUT,
      description: 'The server push: direct (one function posts) or queued (a fan-out function queues, workers post)',
    });
    this.broadcast = new CfnParameter(stack, 'Broadcast', {
      type: 'String',
      allowedValues: ['true', 'false'],
      default: String(defaults.broadcast ?? false),
      description: 'Deploy the naive broadcast route (a Scan of every connection per message)',
    });
    this.stageName = new CfnParameter(stack, 'ApiStage', {
      type: 'String',
      allowedPattern: '^[A-Za-z0-9_-]{1,128}$',
      default: defaults.stageName ?? 'prod',
      description: "The WebSocket API's stage",
    });
    // not the shape, a tuning: how long a function waits on one @connections post (functions/shared/env.ts)
    this.postTimeoutMs = new CfnParameter(stack, 'PostTimeoutMs', {
      type: 'Number',
      minValue: 1,
      default: DEFAULT_POST_TIMEOUT_MS,
      description: 'How long a function waits for one @connections post before giving it up (ms): AWS answers in milliseconds, so this only cuts off stuck posts',
    });
    this.nodeRuntime = new CfnParameter(stack, 'NodeRuntime', {
      type: 'String',
      allowedValues: [...NODE_RUNTIMES],
      default: DEFAULT_NODE_RUNTIME,
      description: "Every function's Lambda runtime (their bundles target Node 22's syntax, which each of these runs)",
    });
    const condition = (id: string, expression: ReturnType<typeof Fn.conditionEquals>) => new CfnCondition(stack, id, { expression });
    this.authOn = condition('AuthOn', Fn.conditionNot(Fn.conditionEquals(this.authIdentity.valueAsString, NO_AUTHORIZER)));
    this.tokenInQuery = condition('TokenInQuery', Fn.conditionEquals(this.authIdentity.valueAsString, 'query'));
    this.makesTokenParameter = condition('MakesTokenParameter', Fn.conditionAnd(this.authOn, Fn.conditionEquals(this.tokenParameter.valueAsString, '')));
    this.pushDirect = condition('PushDirect', Fn.conditionEquals(this.pushFanout.valueAsString, 'direct'));
    this.pushQueued = condition('PushQueued', Fn.conditionEquals(this.pushFanout.valueAsString, 'queued'));
    this.withBroadcast = condition('WithBroadcast', Fn.conditionEquals(this.broadcast.valueAsString, 'true'));
    const provisioned = (route: ProvisionedRoute) => {
      const id = PROVISIONED_ROUTES[route];
      const environments = new CfnParameter(stack, id, {
        type: 'Number',
        minValue: 0,
        default: defaults.provisioned?.[route] ?? 0,
        description: `Provisioned concurrency for the ${route} function, on its alias live (0: none; the route invokes the function unqualified, $LATEST)`,
      });
      return { environments, on: condition(`${id}On`, Fn.conditionNot(Fn.conditionEquals(environments.valueAsString, '0'))) };
    };
    this.provisioned = { $connect: provisioned('$connect'), sendMessage: provisioned('sendMessage') };
  }

  /** `fn` on the NodeRuntime parameter's runtime (the CDK's Runtime fixed its bundle's target). */
  runsOnNodeRuntime(fn: LambdaFunction): void {
    (fn.node.defaultChild as CfnFunction).runtime = this.nodeRuntime.valueAsString;
  }
}

/** Every resource of `scope` (its own and its children's) created only when `condition` holds. */
export function onlyIf(condition: CfnCondition, ...scopes: IConstruct[]): void {
  for (const scope of scopes) {
    for (const c of scope.node.findAll()) if (c instanceof CfnResource) c.cfnOptions.condition = condition;
  }
}

/** A string that is `whenTrue` where `condition` holds, else `whenFalse`. */
export function ifThen(condition: CfnCondition, whenTrue: string, whenFalse: string): string {
  return Token.asString(Fn.conditionIf(condition.logicalId, whenTrue, whenFalse));
}
