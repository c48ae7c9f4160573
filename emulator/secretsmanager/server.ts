import { startAwsJsonServer, type AwsJsonServer } from '../aws-json-server.ts';
import type { IamGate } from '../iam/iam-gate.ts';
import type { SecretStore } from './secret-store.ts';

/**
 * The emulator's Secrets Manager endpoint: AWS JSON 1.1, `X-Amz-Target: secretsmanager.<Op>`, the
 * protocol the SDK's SecretsManagerClient and boto3's `secretsmanager` speak. The functions reach
 * it through `secretsmanager.<region>.amazonaws.com` (the runtime's redirect) or
 * AWS_ENDPOINT_URL_SECRETS_MANAGER. With an IAM gate, a function's call is asked of its role
 * first (`secretsmanager:<Operation>` on the secret's ARN; a denial is Secrets Manager's 400
 * AccessDeniedException). Each call IAM lets through is counted (AWS/Usage CallCount, billing).
 */
export function startSecretsManagerServer(store: SecretStore, host = '127.0.0.1', port = 0, iam?: IamGate): Promise<AwsJsonServer> {
  const counted =
    <T>(operation: string, run: (body: unknown, denied: ReadonlyMap<string, string>) => T) =>
    (body: unknown, _req: unknown, denied: ReadonlyMap<string, string>): T => {
      store.called(operation);
      return run(body, denied);
    };
  return startAwsJsonServer(
    {
      secretsmanager: {
        contentType: 'application/x-amz-json-1.1',
        queryCompatible: false,
        operations: {
          GetSecretValue: counted('GetSecretValue', (b) => store.getValue(b)),
          BatchGetSecretValue: counted('BatchGetSecretValue', (b, denied) => store.batchGetValue(b, denied)),
          DescribeSecret: counted('DescribeSecret', (b) => store.describe(b)),
          ListSecrets: counted('ListSecrets', (b) => store.list(b)),
          CreateSecret: counted('CreateSecret', (b) => store.create(b)),
          PutSecretValue: counted('PutSecretValue', (b) => store.put(b)),
          GetRandomPassword: counted('GetRandomPassword', (b) => store.randomPassword(b)),
        },
        access: { of: (operation, body) => accessOf(store, operation, body), status: 400 },
      },
    },
    host,
    port,
    iam,
  );
}

/**
 * What each operation needs of IAM: `secretsmanager:<Operation>` on the secret (ListSecrets and
 * GetRandomPassword on `*`). BatchGetSecretValue needs its own action on `*` (and ListSecrets with
 * Filters), and GetSecretValue on each secret it reads: a secret refused is an AccessDeniedException
 * in the answer's Errors, the others still read (AWS's API reference, BatchGetSecretValue). A denial
 * names the secret as the call gave it (`on resource: prod/db`), as Secrets Manager words it; IAM
 * evaluates the secret's ARN.
 */
function accessOf(store: SecretStore, operation: string, body: unknown): Array<{ action: string; resource: string; shownAs?: string }> {
  const b = (body ?? {}) as { SecretId?: unknown; Name?: unknown; SecretIdList?: unknown };
  const action = `secretsmanager:${operation}`;
  if (operation === 'ListSecrets' || operation === 'GetRandomPassword') return [{ action, resource: '*' }];
  if (operation === 'BatchGetSecretValue') {
    const listed = Array.isArray(b.SecretIdList) ? b.SecretIdList.filter((id): id is string => typeof id === 'string') : undefined;
    const ids = listed ?? store.batchTargets(body);
    return [
      { action, resource: '*' },
      ...(listed ? [] : [{ action: 'secretsmanager:ListSecrets', resource: '*' }]),
      ...ids.map((id) => ({ action: 'secretsmanager:GetSecretValue', resource: store.arnFor(id), shownAs: id, item: id })),
    ];
  }
  const id = operation === 'CreateSecret' ? b.Name : b.SecretId;
  const given = typeof id === 'string' ? id : '';
  return [{ action, resource: store.arnFor(given), shownAs: given }];
}
