import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from './env.ts';
import { httpHandlerOptions } from './http-options.ts';
import { isThrottling, noteThrottled } from './throttling.ts';

/**
 * One DynamoDB document client per execution environment, created at module load (INIT), as on
 * Lambda. The endpoint comes only from the standard SDK environment: unset on AWS, and
 * AWS_ENDPOINT_URL_DYNAMODB pointing at dynalite when the emulator runs these functions.
 */
// maxAttempts is pinned: SDK releases since 2026 default DynamoDB to 4 attempts with throttling
// backoff of up to 1, 2 and 4 s (7 s for one call), which would not fit a cleanup's budget inside
// $disconnect's timeout (throttling.ts). Three attempts back off at most 1 + 2 s.
const client = new DynamoDBClient({
  maxAttempts: 3,
  requestHandler: httpHandlerOptions(Math.max(50, config.fanoutConcurrency)),
});

// Inside the SDK's retry loop (deserialize step, ahead of the deserializer), so every throttled
// attempt is counted, including the ones the SDK retries successfully.
client.middlewareStack.add(
  (next) => async (args) => {
    try {
      return await next(args);
    } catch (error) {
      if (isThrottling(error)) noteThrottled();
      throw error;
    }
  },
  { step: 'deserialize', priority: 'high', name: 'countThrottledAttempts' },
);

export const ddb = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
