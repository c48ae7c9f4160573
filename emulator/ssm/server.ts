import { startAwsJsonServer, type AwsJsonServer } from '../aws-json-server.ts';
import type { ParameterStore } from './parameter-store.ts';

/**
 * The emulator's Systems Manager endpoint: AWS JSON 1.1, `X-Amz-Target: AmazonSSM.<Op>`, the
 * protocol the SDK's SSMClient speaks. The functions reach it through AWS_ENDPOINT_URL_SSM.
 * Only Parameter Store's GetParameter and PutParameter; anything else is UnknownOperationException.
 */
export function startSsmServer(store: ParameterStore, host = '127.0.0.1', port = 0): Promise<AwsJsonServer> {
  return startAwsJsonServer(
    {
      AmazonSSM: {
        contentType: 'application/x-amz-json-1.1',
        queryCompatible: false,
        operations: {
          GetParameter: (body) => store.get(body),
          PutParameter: (body) => store.put(body),
        },
      },
    },
    host,
    port,
  );
}
