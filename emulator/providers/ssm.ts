import { startSsmServer } from '../ssm/server.ts';
import type { Provider } from './provider.ts';

/** Parameter Store, the stack's parameters (and the token the reference authorizer expects) seeded. */
export const ssmProvider: Provider<'ssm'> = {
  name: 'ssm',
  what: 'ssm',
  after: ['gateway'],
  start: ({ parameters, gate }) => startSsmServer(parameters, '127.0.0.1', 0, gate),
  edge: (ssm) => ({ ssm: ssm.handle }),
  endpoints: (ssm) => ({ ssm: ssm.url }),
};
