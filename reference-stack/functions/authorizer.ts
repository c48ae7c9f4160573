import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayAuthorizerResult, Context } from 'aws-lambda';
import { createHash, timingSafeEqual } from 'node:crypto';
import { DEFAULT_TOKEN_REREAD_SECONDS, FUNCTION_ENV, TOKEN_PARAMETER_PLACEHOLDER } from './manifest.ts';
import { headerValue, type ConnectAuthorizerEvent } from './shared/events.ts';
import { httpHandlerOptions } from './shared/http-options.ts';
import { createMetrics, flushMetrics, logger } from './shared/observability.ts';

/**
 * The $connect authorizer (a Lambda REQUEST authorizer). A client connects with the shared token
 * as the `x-api-key` header or the `token` query parameter; the expected value is the Parameter
 * Store parameter named by AUTH_TOKEN_PARAMETER. The token is compared in constant time and is
 * never logged.
 *
 * - no token: throws "Unauthorized" (API Gateway answers the handshake 401);
 * - a wrong token, or a parameter still holding the CDK app's placeholder: a Deny policy (403);
 * - the right token: Allow on this $connect, with principalId and context, which API Gateway hands
 *   to every route of the connection as requestContext.authorizer (context values as strings).
 *
 * The parameter is read at INIT, then again only when a presented token does not match and the
 * last read is at least AUTH_TOKEN_REREAD_SECONDS old (default 30): a token put after deploy, or
 * rotated, lets clients in within that time without a redeploy, and a stream of wrong tokens
 * costs at most one GetParameter per environment per period (Parameter Store's own rate limit is
 * per account). So: 1 SDK call per execution environment at INIT, 0 per invocation with the right
 * token, at most 1 per period otherwise.
 */
export const PRINCIPAL_ID = 'token-holder';

type TokenSource = 'header' | 'query';

const parameterName = process.env[FUNCTION_ENV.tokenParameter];
const rereadMs = rereadSeconds(process.env[FUNCTION_ENV.tokenRereadSeconds]) * 1000;
const ssm = new SSMClient({ requestHandler: httpHandlerOptions(2) });
const metrics = createMetrics();

/** SHA-256 of the expected token, or undefined while the parameter holds the placeholder. */
type Expected = Buffer | undefined;

/** What the last successful read of the parameter said (undefined: none has succeeded yet). */
let last: { expected: Expected } | undefined;
/** When the last read started, successful or not: the next one waits rereadMs from here. */
let lastReadAt = 0;
let reading: Promise<Expected> | undefined;

// The first read starts at INIT (module load) and the first invocation waits for it. Until one
// read has succeeded, a failed read fails that invocation (API Gateway: 500) and the next one
// reads again, instead of breaking the environment for good.
read().catch(() => {});

function rereadSeconds(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_TOKEN_REREAD_SECONDS;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`fanout-authorizer: invalid environment: ${FUNCTION_ENV.tokenRereadSeconds} must be a positive number of seconds, got "${raw}"`);
  }
  return seconds;
}

async function fetchExpected(): Promise<Expected> {
  if (!parameterName) throw new Error(`fanout-authorizer: invalid environment: ${FUNCTION_ENV.tokenParameter} is required (a parameter name)`);
  const out = await ssm.send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }));
  const value = out.Parameter?.Value;
  if (value === undefined || value === '') throw new Error(`fanout-authorizer: parameter ${parameterName} has no value`);
  if (value === TOKEN_PARAMETER_PLACEHOLDER) {
    logger.warn('the token parameter still holds its placeholder: every connection is denied until a token is put in it', { parameterName });
    return undefined;
  }
  return digest(value);
}

/** One read at a time; a successful one replaces what the environment expects. */
function read(): Promise<Expected> {
  if (!reading) {
    lastReadAt = Date.now();
    const started = fetchExpected().then((expected) => {
      last = { expected };
      return expected;
    });
    reading = started;
    const done = () => {
      if (reading === started) reading = undefined;
    };
    started.then(done, done);
  }
  return reading;
}

/** What the environment expects now: the last read, or (none yet) a read this invocation waits for. */
function expected(): Promise<Expected> {
  return last ? Promise.resolve(last.expected) : read();
}

function matches(presented: Buffer, want: Expected): boolean {
  return want !== undefined && timingSafeEqual(presented, want);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The token and where it came from: the header first (any casing), then the query string. */
function presentedToken(event: ConnectAuthorizerEvent): { token: string; source: TokenSource } | undefined {
  const header = headerValue(event.headers, 'x-api-key');
  if (header) return { token: header, source: 'header' };
  const query = event.queryStringParameters?.token;
  return query ? { token: query, source: 'query' } : undefined;
}

function policy(effect: 'Allow' | 'Deny', methodArn: string, source: TokenSource): APIGatewayAuthorizerResult {
  return {
    principalId: PRINCIPAL_ID,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: methodArn }] },
    context: { tokenSource: source },
  };
}

export async function handler(event: ConnectAuthorizerEvent, context?: Context): Promise<APIGatewayAuthorizerResult> {
  if (context) logger.addContext(context);
  metrics.captureColdStartMetric(context?.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME);
  const connectionId = event.requestContext?.connectionId;
  try {
    const presented = presentedToken(event);
    if (!presented) {
      logger.debug('connect refused: no token', { connectionId });
      // The one error text API Gateway turns into 401 instead of 500.
      throw new Error('Unauthorized');
    }
    const token = digest(presented.token);
    let allow = matches(token, await expected());
    if (!allow && Date.now() - lastReadAt >= rereadMs) {
      // A token put or rotated since the last read: read again, at most once per period.
      try {
        allow = matches(token, await read());
      } catch (error) {
        // A failed re-read keeps the last value: the right token still gets in, this one is denied.
        logger.warn('reading the token parameter again failed: answering from the last read', { parameterName, error: error as Error });
      }
    }
    logger.debug(allow ? 'connect authorized' : 'connect denied', { connectionId, tokenSource: presented.source });
    return policy(allow ? 'Allow' : 'Deny', event.methodArn, presented.source);
  } catch (error) {
    if ((error as Error).message !== 'Unauthorized') logger.error('authorizer failed', { connectionId, error: error as Error });
    throw error;
  } finally {
    flushMetrics(metrics);
  }
}
