import { GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { DeleteAccessLogSettingsCommand, GetStageCommand, UpdateStageCommand, type AccessLogSettings } from '@aws-sdk/client-apigatewayv2';
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { UserError } from '../../common/errors.ts';
import { awsCallError } from '../aws/aws-call-errors.ts';
import { createApiGatewayClients, type ApiGatewayClients } from '../aws/api-gateway-clients.ts';
import { ownSettings, type SdkClientSettings } from '../aws/sdk-settings.ts';
import type { TargetSpec } from '../contracts/target-spec.ts';
import { accessLogFormat, HARNESS_ACCESS_LOG_FORMAT } from '../metrics/attribution/access-log-format.ts';
import type { Target } from './target.ts';

/**
 * How a run gets the API Gateway access log that traces each request to its invocation
 * (`--access-log`): `use` the stage's own (its format must carry what the join needs), `enable`
 * set the stage's access logging to the harness's format and group for the run and put back what
 * was there when the run ends, or `off`. Everything is asked through the SDK (API Gateway v2's
 * GetStage / UpdateStage / DeleteAccessLogSettings, v1's GetAccount, CloudWatch Logs), the same
 * calls on AWS and on the emulator. Whatever the run cannot do is found before load: one line
 * naming the stage, the action or the variables, and the fix (a UserError, exit 2).
 */
export const ACCESS_LOG_MODES = ['use', 'enable', 'off'] as const;
export type AccessLogMode = (typeof ACCESS_LOG_MODES)[number];

/** The local emulator's stage is the harness's to set; a deployed one's own logging is used; a URL has no AWS APIs. */
export function defaultAccessLogMode(spec: TargetSpec): AccessLogMode {
  return spec.kind === 'local' ? 'enable' : spec.kind === 'url' ? 'off' : 'use';
}

/** What a measurement reads: the stage's access log group, in the stage's format. */
export interface RunAccessLog {
  mode: 'use' | 'enable';
  logGroup: string;
  format: string;
  /** `<apiId>/<stage>`, for messages */
  stage: string;
}

/** The stage's logging as the run has it; `restore` puts back what was there (enable; nothing for use). */
export interface StageLogging {
  log: RunAccessLog;
  /** Safe to call twice; a failure is a UserError naming how to put it back by hand. */
  restore(): Promise<void>;
}

/**
 * The log group `enable` writes to: one per stage, kept between runs (each run's lines are told
 * apart by their User-Agents, or request IDs). A log group's name takes no `$`: `$default` is `_default`.
 */
export const runAccessLogGroup = (apiId: string, stage: string): string => `/fanout-bench/access-logs/${apiId}/${stage.replace(/[^A-Za-z0-9._\-/#]/g, '_')}`;

export async function prepareAccessLogging(target: Target, mode: 'use' | 'enable'): Promise<StageLogging> {
  const subject = target.label ?? target.url;
  const api = target.endpoints.apiGateway;
  const logsSettings = target.cloudWatch?.clients.logs;
  if (!api || !target.apiGatewayApi || !logsSettings) {
    throw new UserError(`--access-log ${mode}: ${subject} names no API Gateway stage whose access log the run could read; give --access-log off`);
  }
  const at: Place = { subject, apiId: api.apiId, stage: api.stage, region: target.endpoints.region, settings: target.apiGatewayApi };
  const apigw = createApiGatewayClients(target.apiGatewayApi);
  const logs = new CloudWatchLogsClient(ownSettings(logsSettings));
  try {
    const previous = await getStageLogging(apigw, at);
    if (mode === 'use') {
      const log = usedLog(previous, at);
      await probeReadable(logs, log.logGroup, at);
      return { log, restore: async () => {} };
    }
    await checkAccountRole(apigw, at);
    const logGroup = runAccessLogGroup(at.apiId, at.stage);
    const destinationArn = await createdLogGroupArn(logs, logGroup, at);
    await probeReadable(logs, logGroup, at);
    await updateStage(apigw, at, { DestinationArn: destinationArn, Format: HARNESS_ACCESS_LOG_FORMAT });
    let restored: Promise<void> | undefined;
    return {
      log: { mode, logGroup, format: HARNESS_ACCESS_LOG_FORMAT, stage: `${at.apiId}/${at.stage}` },
      restore: () => (restored ??= putBack(at, previous)),
    };
  } finally {
    apigw.destroy();
    logs.destroy();
  }
}

export interface Place {
  subject: string;
  apiId: string;
  stage: string;
  region: string | undefined;
  settings: SdkClientSettings;
}

/** The stage as IAM names it, for "not allowed" lines. */
const stageResource = (at: Place) => `arn:aws:apigateway:${at.region ?? '*'}::/apis/${at.apiId}/stages/${at.stage}`;
const stageName = (at: Place) => `stage ${at.stage} of API ${at.apiId}`;

/** The stage's access-log settings now (undefined: none). */
async function getStageLogging(apigw: ApiGatewayClients, at: Place): Promise<AccessLogSettings | undefined> {
  try {
    const stage = await apigw.v2.send(new GetStageCommand({ ApiId: at.apiId, StageName: at.stage }));
    const s = stage.AccessLogSettings;
    return s?.DestinationArn ? { DestinationArn: s.DestinationArn, ...(s.Format !== undefined ? { Format: s.Format } : {}) } : undefined;
  } catch (err) {
    throw callError(err, at, `apigateway:GET on ${stageResource(at)}`);
  }
}

/** `use`: the stage's own log, if it has one in a format the join can read. */
function usedLog(settings: AccessLogSettings | undefined, at: Place): RunAccessLog {
  const paste = `--access-log enable (the run sets it and puts it back), or set the stage's access log format to ${HARNESS_ACCESS_LOG_FORMAT}`;
  if (!settings?.DestinationArn) {
    throw new UserError(`${at.subject}: --access-log use: ${stageName(at)} has no access logging; give ${paste}`);
  }
  const format = settings.Format ?? '';
  const missing = accessLogFormat(format).missing;
  if (missing.length > 0) {
    throw new UserError(`${at.subject}: --access-log use: the access log format of ${stageName(at)} lacks ${missing.map((v) => `$context.${v}`).join(', ')}, which the run needs to trace requests to invocations; give ${paste}`);
  }
  const logGroup = logGroupOfArn(settings.DestinationArn);
  if (!logGroup) {
    throw new UserError(`${at.subject}: --access-log use: ${stageName(at)} logs to ${settings.DestinationArn}, not a CloudWatch Logs group the run can read; give --access-log enable`);
  }
  return { mode: 'use', logGroup, format, stage: `${at.apiId}/${at.stage}` };
}

/** A CloudWatch Logs group's name from its ARN (`arn:aws:logs:region:account:log-group:NAME[:*]`). */
export function logGroupOfArn(arn: string): string | undefined {
  return /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:(.+?)(?::\*)?$/.exec(arn)?.[1];
}

/** AWS refuses access logging without the account's CloudWatch Logs role: said before anything is changed. */
async function checkAccountRole(apigw: ApiGatewayClients, at: Place): Promise<void> {
  let role: string | undefined;
  try {
    role = (await apigw.v1.send(new GetAccountCommand({}))).cloudwatchRoleArn;
  } catch (err) {
    throw callError(err, at, `apigateway:GET on arn:aws:apigateway:${at.region ?? '*'}::/account`);
  }
  if (!role) throw noRole(at);
}

function noRole(at: Place): UserError {
  return new UserError(
    `${at.subject}: --access-log enable: the account has no API Gateway CloudWatch Logs role${at.region ? ` in ${at.region}` : ''}: AWS refuses access logging without it; set it with AWS::ApiGateway::Account CloudWatchRoleArn, or aws apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=<role ARN> (a role apigateway.amazonaws.com may assume, with AmazonAPIGatewayPushToCloudWatchLogs); or give --access-log use or off`,
  );
}

/** The run's group, made if it is not there, and its ARN (the stage's destination) as CloudWatch Logs names it. */
export async function createdLogGroupArn(logs: CloudWatchLogsClient, logGroup: string, at: Place): Promise<string> {
  try {
    await logs.send(new CreateLogGroupCommand({ logGroupName: logGroup }));
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceAlreadyExistsException') throw callError(err, at, `logs:CreateLogGroup on log group ${logGroup}`);
  }
  try {
    const listed = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroup }));
    const group = listed.logGroups?.find((g) => g.logGroupName === logGroup);
    const arn = group?.logGroupArn ?? group?.arn?.replace(/:\*$/, '');
    if (!arn) throw new UserError(`${at.subject}: --access-log enable: log group ${logGroup} was created but DescribeLogGroups does not list it`, 1);
    return arn;
  } catch (err) {
    throw callError(err, at, `logs:DescribeLogGroups on log group ${logGroup}`);
  }
}

/** One FilterLogEvents of a single event: a group the run may not read is found now, not after the run. A group not made yet is fine. */
export async function probeReadable(logs: CloudWatchLogsClient, logGroup: string, at: Place): Promise<void> {
  const end = Date.now();
  try {
    await logs.send(new FilterLogEventsCommand({ logGroupName: logGroup, startTime: end - 60_000, endTime: end, limit: 1 }));
  } catch (err) {
    if ((err as { name?: string }).name === 'ResourceNotFoundException') return;
    throw callError(err, at, `logs:FilterLogEvents on log group ${logGroup}`);
  }
}

async function updateStage(apigw: ApiGatewayClients, at: Place, settings: AccessLogSettings): Promise<void> {
  try {
    await apigw.v2.send(new UpdateStageCommand({ ApiId: at.apiId, StageName: at.stage, AccessLogSettings: settings }));
  } catch (err) {
    if (/CloudWatch Logs role ARN must be set/i.test((err as Error).message ?? '')) throw noRole(at);
    throw callError(err, at, `apigateway:PATCH on ${stageResource(at)}`);
  }
}

/** The stage's access logging as it was before the run: its settings again, or none. */
async function putBack(at: Place, previous: AccessLogSettings | undefined): Promise<void> {
  const apigw = createApiGatewayClients(at.settings);
  try {
    if (previous) await apigw.v2.send(new UpdateStageCommand({ ApiId: at.apiId, StageName: at.stage, AccessLogSettings: previous }));
    else await apigw.v2.send(new DeleteAccessLogSettingsCommand({ ApiId: at.apiId, StageName: at.stage }));
  } catch (err) {
    const byHand = previous
      ? `aws apigatewayv2 update-stage --api-id ${at.apiId} --stage-name ${at.stage} --access-log-settings DestinationArn=${previous.DestinationArn}${previous.Format ? ',Format=<its format>' : ''}`
      : `aws apigatewayv2 delete-access-log-settings --api-id ${at.apiId} --stage-name ${at.stage}`;
    const why = awsCallError(err, { subject: at.subject, action: `apigateway:${previous ? 'PATCH' : 'DELETE'} on ${stageResource(at)}`, service: 'API Gateway', region: at.region });
    throw new UserError(`${at.subject}: could not put back the access logging of ${stageName(at)} (${why.message.replace(`${at.subject}: `, '')}); put it back with: ${byHand}`, 1);
  } finally {
    apigw.destroy();
  }
}

export function callError(err: unknown, at: Place, action: string): Error {
  return awsCallError(err, { subject: at.subject, action, service: action.startsWith('logs:') ? 'CloudWatch Logs' : 'API Gateway', ...(at.region ? { region: at.region } : {}) });
}
