import { startSecretsManagerServer } from '../secretsmanager/server.ts';
import type { Provider } from './provider.ts';

/** Secrets Manager, the stack's secrets seeded. */
export const secretsManagerProvider: Provider<'secretsmanager'> = {
  name: 'secretsmanager',
  what: 'secrets manager',
  after: ['gateway'],
  start: ({ secrets, gate }) => startSecretsManagerServer(secrets, '127.0.0.1', 0, gate),
  edge: (secretsManager) => ({ secretsmanager: secretsManager.handle }),
  endpoints: (secretsManager) => ({ secretsManager: secretsManager.url }),
};
