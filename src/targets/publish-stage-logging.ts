import { APIGatewayClient, GetStageCommand as GetRestStageCommand, UpdateStageCommand as UpdateRestStageCommand, type PatchOperation } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, DeleteAccessLogSettingsCommand, GetStageCommand, UpdateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { UserError } from '../../common/errors.ts';
import { ownSettings, type SdkClientSettings } from '../aws/sdk-settings.ts';
import { accessLogFormat, HARNESS_REQUEST_ACCESS_LOG_FORMAT } from '../metrics/attribution/access-log-format.ts';
import { callError, createdLogGroupArn, logGroupOfArn, probeReadable, runAccessLogGroup, type Place } from './access-logging.ts';

/** An HTTP API's (API Gateway v2) or a REST API's (v1) stage. */
export interface ApiStage {
  kind: 'HTTP API' | 'REST API';
  apiId: string;
  stage: string;
}

export interface PublishStageLog {
  stage: ApiStage;
  logGroup: string;
  format: string;
}

export interface PublishStageLogging {
  log: PublishStageLog;
  restore(): Promise<void>;
}

interface Settings {
  v1: SdkClientSettings;
  v2: SdkClientSettings;
  logs: SdkClientSettings;
}

interface LogSettings {
  destinationArn: string;
  format?: string;
}

/**
 * The access log of the stage behind a publish phase's route of the stack's own HTTP or REST API,
 * so that each publish is traced to the invocation that served it (cold or warm) as the clients'
 * requests are: with the run's `--access-log`, `enable` sets the stage's logging to the harness's
 * format for the run (an HTTP API's by API Gateway v2's UpdateStage, a REST API's by v1's
 * UpdateStage patch operations) and `restore` puts back what was there; `use` reads the stage's
 * own log where its format names `$context.requestId` and `$context.integration.requestId`. The
 * account's CloudWatch role a REST stage needs was asked when the WebSocket stage's logging was
 * set. What cannot be had is a UserError the caller says as a warning: the publishes then keep
 * their latency, unsplit.
 */
export async function preparePublishStageLogging(stage: ApiStage, mode: 'use' | 'enable', settings: Settings, subject: string, region: string | undefined): Promise<PublishStageLogging> {
  const at: Place = { subject, apiId: stage.apiId, stage: stage.stage, region, settings: settings.v2 };
  const name = `stage ${stage.stage} of ${stage.kind} ${stage.apiId}`;
  const previous = await stageLogging(stage, settings, at);
  if (mode === 'use') {
    const refused = (why: string) => new UserError(`${subject}: the publish route's ${name} ${why}: its publishes are not split cold against warm (--access-log enable sets it for the run)`);
    if (!previous) throw refused('has no access logging');
    const group = logGroupOfArn(previous.destinationArn);
    if (!group) throw refused(`logs to ${previous.destinationArn}, not a CloudWatch Logs group`);
    // no format: both variables missing
    const format = previous.format ?? '';
    const missing = accessLogFormat(format).missingForRequests;
    if (missing.length > 0) throw refused(`has an access-log format without ${missing.map((v) => `$context.${v}`).join(', ')}`);
    const logs = new CloudWatchLogsClient(ownSettings(settings.logs));
    try {
      await probeReadable(logs, group, at);
    } finally {
      logs.destroy();
    }
    return { log: { stage, logGroup: group, format }, restore: async () => {} };
  }
  const format = HARNESS_REQUEST_ACCESS_LOG_FORMAT[stage.kind];
  const logGroup = runAccessLogGroup(stage.apiId, stage.stage);
  const logs = new CloudWatchLogsClient(ownSettings(settings.logs));
  let destinationArn: string;
  try {
    destinationArn = await createdLogGroupArn(logs, logGroup, at);
    await probeReadable(logs, logGroup, at);
  } finally {
    logs.destroy();
  }
  await setStageLogging(stage, settings, { destinationArn, format }, at);
  let restored: Promise<void> | undefined;
  return { log: { stage, logGroup, format }, restore: () => (restored ??= setStageLogging(stage, settings, previous, at)) };
}

/** The stage's access-log settings now (undefined: none). */
async function stageLogging(stage: ApiStage, settings: Settings, at: Place): Promise<LogSettings | undefined> {
  const action = `apigateway:GET on ${stageResource(stage, at)}`;
  if (stage.kind === 'HTTP API') {
    const v2 = new ApiGatewayV2Client(ownSettings(settings.v2));
    try {
      const s = (await v2.send(new GetStageCommand({ ApiId: stage.apiId, StageName: stage.stage }))).AccessLogSettings;
      return s?.DestinationArn ? { destinationArn: s.DestinationArn, ...(s.Format !== undefined ? { format: s.Format } : {}) } : undefined;
    } catch (err) {
      throw callError(err, at, action);
    } finally {
      v2.destroy();
    }
  }
  const v1 = new APIGatewayClient(ownSettings(settings.v1));
  try {
    const s = (await v1.send(new GetRestStageCommand({ restApiId: stage.apiId, stageName: stage.stage }))).accessLogSettings;
    return s?.destinationArn ? { destinationArn: s.destinationArn, ...(s.format !== undefined ? { format: s.format } : {}) } : undefined;
  } catch (err) {
    throw callError(err, at, action);
  } finally {
    v1.destroy();
  }
}

/** Sets the stage's access logging to `to`, or removes it (undefined). */
async function setStageLogging(stage: ApiStage, settings: Settings, to: LogSettings | undefined, at: Place): Promise<void> {
  const action = `apigateway:PATCH on ${stageResource(stage, at)}`;
  if (stage.kind === 'HTTP API') {
    const v2 = new ApiGatewayV2Client(ownSettings(settings.v2));
    try {
      if (to) await v2.send(new UpdateStageCommand({ ApiId: stage.apiId, StageName: stage.stage, AccessLogSettings: { DestinationArn: to.destinationArn, ...(to.format !== undefined ? { Format: to.format } : {}) } }));
      else await v2.send(new DeleteAccessLogSettingsCommand({ ApiId: stage.apiId, StageName: stage.stage }));
    } catch (err) {
      throw callError(err, at, action);
    } finally {
      v2.destroy();
    }
    return;
  }
  const patchOperations: PatchOperation[] = to
    ? [{ op: 'replace', path: '/accessLogSettings/destinationArn', value: to.destinationArn }, ...(to.format !== undefined ? [{ op: 'replace' as const, path: '/accessLogSettings/format', value: to.format }] : [])]
    : [{ op: 'remove', path: '/accessLogSettings' }];
  const v1 = new APIGatewayClient(ownSettings(settings.v1));
  try {
    await v1.send(new UpdateRestStageCommand({ restApiId: stage.apiId, stageName: stage.stage, patchOperations }));
  } catch (err) {
    throw callError(err, at, action);
  } finally {
    v1.destroy();
  }
}

/** The stage as IAM names it. */
function stageResource(stage: ApiStage, at: Place): string {
  const path = stage.kind === 'HTTP API' ? `/apis/${stage.apiId}/stages/${stage.stage}` : `/restapis/${stage.apiId}/stages/${stage.stage}`;
  return `arn:aws:apigateway:${at.region ?? '*'}::${path}`;
}
