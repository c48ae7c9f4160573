import { applicationAutoScalingProvider } from './application-auto-scaling.ts';
import { cloudwatchProvider } from './cloudwatch.ts';
import { dynamodbProvider } from './dynamodb.ts';
import { gatewayProvider } from './gateway.ts';
import { httpApisProvider } from './http-apis.ts';
import { iamProvider } from './iam.ts';
import { lambdaProvider } from './lambda.ts';
import { managementProvider } from './management.ts';
import { messagingProvider } from './messaging.ts';
import { restApisProvider } from './rest-apis.ts';
import type { AnyProvider, ProviderName, Services, StackContext } from './provider.ts';
import { secretsManagerProvider } from './secretsmanager.ts';
import { ssmProvider } from './ssm.ts';

/**
 * The emulator's services, in the order they close: the gateway first (its shutdown closes the
 * sockets and lets their $disconnects reach the runtime), the HTTP and REST APIs, then what delivers to the functions,
 * the APIs, the runtime, and DynamoDB last (the denial log and the host CPU line read it). Each
 * starts once those it names in `after` run, so the list's order need not be the start order.
 */
export const PROVIDERS: readonly AnyProvider[] = [
  gatewayProvider,
  httpApisProvider,
  restApisProvider,
  applicationAutoScalingProvider,
  messagingProvider,
  iamProvider,
  managementProvider,
  lambdaProvider,
  cloudwatchProvider,
  ssmProvider,
  secretsManagerProvider,
  dynamodbProvider,
];

/**
 * Starts every provider as soon as those it names in `after` run (the rest side by side), each
 * into `running`. Once every start has settled, a failure rejects with its error; what did start
 * is in `running`, for the caller to close.
 */
export async function startProviders(ctx: StackContext, running: Partial<Services>): Promise<void> {
  const starts = new Map<ProviderName, Promise<void>>();
  const startOf = (p: AnyProvider): Promise<void> => {
    let start = starts.get(p.name);
    if (!start) {
      start = Promise.all(p.after.map((name) => startOf(providerNamed(name)))).then(async () => {
        (running as Record<ProviderName, unknown>)[p.name] = await p.start(ctx, running);
      });
      starts.set(p.name, start);
    }
    return start;
  };
  const outcomes = await Promise.allSettled(PROVIDERS.map(startOf));
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
}

function providerNamed(name: ProviderName): AnyProvider {
  const found = PROVIDERS.find((p) => p.name === name);
  if (!found) throw new Error(`unreachable: no provider ${name}`);
  return found;
}
