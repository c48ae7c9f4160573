import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from './env.ts';
import { httpHandlerOptions } from './http-options.ts';

/**
 * One DynamoDB document client per execution environment, created at module load (INIT), as on
 * Lambda. The endpoint comes only from the standard SDK environment: unset on AWS, and
 * AWS_ENDPOINT_URL_DYNAMODB pointing at dynalite when the emulator runs these functions.
 */
export const ddb = DynamoDBDocumentClient.from(
  new DynamoDBClient({ requestHandler: httpHandlerOptions(Math.max(50, config.fanoutConcurrency)) }),
  { marshallOptions: { removeUndefinedValues: true } },
);
