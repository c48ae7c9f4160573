import { startAwsJsonServer, type AwsJsonServer } from '../aws-json-server.ts';
import type { IamGate } from '../iam/iam-gate.ts';
import type { ParameterStore } from './parameter-store.ts';

/**
 * The emulator's Systems Manager endpoint: AWS JSON 1.1, `X-Amz-Target: AmazonSSM.<Op>`, the
 * protocol the SDK's SSMClient speaks. The functions reach it through AWS_ENDPOINT_URL_SSM.
 * Only Parameter Store's GetParameter and PutParameter; anything else is UnknownOperationException.
 * With an IAM gate, a function's call is asked of its role first.
 */
export function startSsmServer(store: ParameterStore, host = '127.0.0.1', port = 0, iam?: IamGate): Promise<AwsJsonServer> {
  return startAwsJsonServer(
    {
      AmazonSSM: {
        contentType: 'application/x-amz-json-1.1',
        queryCompatible: false,
        operations: {
          GetParameter: (body) => store.get(body),
          PutParameter: (body) => store.put(body),
        },
        // ssm:<Operation> on the parameter's ARN; a denial is Parameter Store's 400 AccessDeniedException
        access: { of: (operation, body) => [{ action: `ssm:${operation}`, resource: store.arnFor(nameIn(body)) }], status: 400 },
      },
    },
    host,
    port,
    iam,
  );
}

function nameIn(body: unknown): string {
  const name = (body as { Name?: unknown } | null)?.Name;
  return typeof name === 'string' ? name : '';
}
