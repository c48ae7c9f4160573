import { namesRequestId } from '../gateway/access-log-format.ts';
import { logGroupOfArn, type AccessLogSettings } from '../gateway/access-log.ts';

/**
 * Whether a stage may log to `settings`, as API Gateway decides when access logging is enabled
 * (UpdateStage, or a template's stage at start): a WebSocket or REST API's account needs its API
 * Gateway CloudWatch role (AWS's words: "CloudWatch Logs role ARN must be set in account settings
 * to enable logging"), an HTTP API's does not (API Gateway delivers its logs with the caller's
 * log-delivery permissions: "Configure logging for HTTP APIs"); the destination must be an existing CloudWatch Logs log group of the stack's region
 * and account (AWS's set-up pages have it created first); the format must name
 * `$context.requestId` (or `extendedRequestId`, the same on WebSocket APIs), which keeps each line
 * unique, and hold at most 3 KB (API Gateway's quota on an access log template). The wording of
 * every refusal but the role's is assumed (docs/aws-facts.md).
 */

export const NO_CLOUDWATCH_ROLE = 'CloudWatch Logs role ARN must be set in account settings to enable logging';
/** API Gateway's quota on an access log format ("access log template size") */
export const MAX_FORMAT_BYTES = 3 * 1024;

/** A refusal API Gateway answers with BadRequestException (400). */
export class AccessLogRefused extends Error {}

export interface AccessLogAccount {
  region: string;
  accountId: string;
  /** the account's API Gateway CloudWatch role; undefined: none set */
  cloudWatchRoleArn: string | undefined;
  /** false for an HTTP API's stage, which logs without the account's role */
  roleRequired?: boolean;
  logGroupExists(name: string): boolean;
}

/** A stage's `accessLogSettings` as GetStage gives them (v1 and v2 name them alike), or nothing. */
export function accessLogSettingsOf(log: { readonly settings: AccessLogSettings | undefined } | undefined): { accessLogSettings?: AccessLogSettings } {
  const s = log?.settings;
  return s ? { accessLogSettings: { destinationArn: s.destinationArn, format: s.format } } : {};
}

export function checkAccessLogSettings(given: Partial<AccessLogSettings>, account: AccessLogAccount): AccessLogSettings {
  if (account.cloudWatchRoleArn === undefined && account.roleRequired !== false) throw new AccessLogRefused(NO_CLOUDWATCH_ROLE);
  const { destinationArn, format } = given;
  if (destinationArn === undefined || destinationArn === '') throw new AccessLogRefused('Access log settings need a destinationArn (a CloudWatch Logs log group ARN)');
  if (format === undefined || format === '') throw new AccessLogRefused('Access log settings need a format');
  const group = logGroupOfArn(destinationArn);
  if (!group) throw new AccessLogRefused(`Invalid ARN specified in the request: ${destinationArn} is not a CloudWatch Logs log group ARN (arn:aws:logs:{region}:{account}:log-group:{name})`);
  if (group.region !== account.region || group.accountId !== account.accountId || !account.logGroupExists(group.name)) {
    throw new AccessLogRefused(`The destination log group does not exist: ${destinationArn} (create it first, in ${account.region} of account ${account.accountId})`);
  }
  if (Buffer.byteLength(format) > MAX_FORMAT_BYTES) throw new AccessLogRefused(`Access log format is ${Buffer.byteLength(format)} bytes: at most ${MAX_FORMAT_BYTES}`);
  if (!namesRequestId(format)) throw new AccessLogRefused('Access log format must include $context.requestId or $context.extendedRequestId');
  return { destinationArn, format };
}

/**
 * The stack's stage as deployed: its AccessLogSettings (a template's) take effect from the first
 * event, as on a stage CloudFormation created. The destination log group is deployed with the
 * stack (`create`: the template's AWS::Logs::LogGroup, which the stage references; one named only
 * by its ARN is assumed to exist too), then the settings are checked as UpdateStage checks them;
 * a refusal is `refuse(message)`, as CloudFormation would fail the deploy.
 */
export function stageAccessLogSettings(
  declared: AccessLogSettings | undefined,
  account: Omit<AccessLogAccount, 'logGroupExists'> & { logGroupExists(name: string): boolean; createLogGroup(name: string): void },
  refuse: (message: string) => Error,
): AccessLogSettings | undefined {
  if (!declared) return undefined;
  const group = logGroupOfArn(declared.destinationArn);
  if (group && group.region === account.region && group.accountId === account.accountId) account.createLogGroup(group.name);
  try {
    return checkAccessLogSettings(declared, account);
  } catch (err) {
    if (!(err instanceof AccessLogRefused)) throw err;
    const fix = err.message === NO_CLOUDWATCH_ROLE ? ' (the account has no API Gateway CloudWatch role: declare AWS::ApiGateway::Account with CloudWatchRoleArn, or leave apiGatewayCloudWatchRole on)' : '';
    throw refuse(`${err.message}${fix}`);
  }
}
