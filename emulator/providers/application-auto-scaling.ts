import { ProvisionedScaler } from '../application-auto-scaling/provisioned-scaler.ts';
import type { Provider } from './provider.ts';

/**
 * Application Auto Scaling of the stack's provisioned concurrency: one scaler per scalable target
 * the template registers (its registration, the capacity brought into [min, max], is the
 * template's: stack-model/scalable-target-reader.ts), each running its target tracking and its
 * scheduled actions over the Lambda runtime until the stack closes. Its API is not served: the
 * stack's log says each scaling activity.
 */
export const applicationAutoScalingProvider: Provider<'autoScaling'> = {
  name: 'autoScaling',
  what: 'application auto scaling',
  after: ['lambda'],
  async start(ctx, running) {
    const runtime = running.lambda!.runtime;
    const scalers = ctx.stack.functions.flatMap((f) => (f.provisionedScaling ?? []).map((s) => new ProvisionedScaler(runtime, s, ctx.log)));
    for (const s of scalers) s.start();
    return {
      scalers,
      close: async () => {
        for (const s of scalers) s.close();
      },
    };
  },
  edge: () => ({}),
  endpoints: () => ({}),
};
