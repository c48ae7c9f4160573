import { lambdaNameOf } from './physical-ids.ts';
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { MAX_DATA_FILE_BYTES, readDataFile } from '../../common/data-file.ts';
import { UserError } from '../../common/errors.ts';
import { evaluate } from '../../common/iam/policy-evaluation.ts';
import { foreignProjectRefusal } from '../../common/foreign-projects.ts';
import { readCdkAssembly, isCloudAssembly } from './cdk-assembly.ts';
import { CLOUDFORMATION_YAML_TAGS } from './cloudformation-yaml-tags.ts';
import { readDynamoDbTable } from './dynamodb-table-reader.ts';
import { FunctionCodeReader, type CodeSource } from './function-code.ts';
import { readLambdaFunction } from './lambda-function-reader.ts';
import type { TemplateResource } from './resource-dependencies.ts';
import { expandSam, isSamTemplate, SAM_TRANSFORM } from './sam-transform.ts';
import { isServerlessSource, readServerlessPackage, serverlessDirOf, serverlessSourceRefusal } from './serverless-package.ts';
import { readSsmParameter } from './ssm-parameter-reader.ts';
import { readLogGroup } from './log-group-reader.ts';
import { secretArn } from './secretsmanager-secret-reader.ts';
import type { FunctionDescription, NotEmulated, StackDescription, StackSource } from './stack-description.ts';
import { checkStackName, stackNameFromFile } from './stack-name.ts';
import { parseTemplate, StackTemplate, type Template } from './stack-template.ts';
import { templateError } from './template-errors.ts';
import { chooseWebSocketApi, readWebSocketApi } from './websocket-api-reader.ts';
import { readHttpApis } from './http-api-reader.ts';
import { readRestApis } from './rest-api-reader.ts';
import { customDomainWarnings } from './custom-domains.ts';
import { readLambdaPermissions } from './lambda-permission-reader.ts';
import { notEmulatedPaths } from './not-emulated-paths.ts';
import { queuePolicyWarnings, readQueuePolicies, readSqsQueues } from './sqs-queue-reader.ts';
import { readSnsTopics } from './sns-topic-reader.ts';
import { readEventBuses, readEventRules } from './events-rule-reader.ts';
import { readEventSourceMappings } from './event-source-mapping-reader.ts';
import { readLambdaVersions } from './lambda-version-reader.ts';
import { readProvisionedScaling, registerScalableTarget } from './scalable-target-reader.ts';
import { idleProvisioned } from './idle-provisioned.ts';
import { idleProvisionedText } from '../../common/unqualified-invocation-text.ts';
import { unqualifiedSnapStart } from './unqualified-snapstart.ts';
import { destinationFunctions, readAsyncInvokeConfigs } from './async-invoke-reader.ts';

/**
 * The template reader: a CloudFormation template (YAML or JSON), a SAM template, a CDK cloud
 * assembly or a Serverless Framework package, read into the stack description the emulator
 * runs. Everything it cannot run is refused here, before anything starts, in one line naming
 * the resource and the property; every resource it does not emulate is listed once in
 * `notEmulated`. See README.md in this folder.
 */
export interface ReadTemplateOptions {
  /** a template file (.yaml/.yml/.json/.template), a cdk.out directory, or a Serverless `.serverless/` directory (or a project dir containing it) */
  path: string;
  /** --parameter Key=Value overrides */
  parameters: Record<string, string>;
  /** --stack-name; default: the assembly's stack name, or derived from the file name */
  stackName?: string;
  /**
   * Which stack of a cloud assembly to read when `stackName` names the stack it is deployed as
   * (a template that works its names out from AWS::StackName, deployed under another name than
   * it was synthesized with); absent: `stackName` chooses the assembly's stack, and names it.
   */
  assemblyStack?: string;
  region: string;
  accountId: string;
  /** the physical id the emulator gives the WebSocket API (Ref of the Api resolves to it) */
  apiId: string;
  /** a directory the reader may write into, made when it first does: zips unpacked, inline ZipFile code written out, layers merged */
  workDir: string;
  /** layers from outside the template, by ARN: the local folder holding each one's content (lambda-layers.ts) */
  layers?: Record<string, string>;
  /** Secrets Manager secrets the account already has (name → SecretString): for dynamic references and the functions' calls */
  secrets?: Record<string, string>;
  /** Parameter Store parameters the account already has (name → value) */
  ssmParameters?: Record<string, string>;
  /** What sets a condition, where the parameters are a caller's settings (AuthOn → `auth.enabled`): named where a function it leaves out is asked for */
  conditionSettings?: Record<string, string>;
}

/**
 * CloudFormation's limit on a template uploaded to S3 is 1 MB; the reader refuses anything
 * larger (common/data-file.ts reads it bounded, so a wrong path to a large file is not read whole).
 */
export const MAX_TEMPLATE_BYTES = MAX_DATA_FILE_BYTES;
/** Alias expansions a YAML template may make: a template uses a few anchors at most; an alias bomb is refused. */
export const MAX_TEMPLATE_ALIASES = 100;

const LANGUAGE_EXTENSIONS = 'AWS::LanguageExtensions';

interface Located {
  format: StackSource['format'];
  templateFile: string;
  stackName?: string;
  parameters: Record<string, string>;
  codeSource: (resources: Record<string, TemplateResource>) => CodeSource;
  /** a Serverless package whose serverless.yml declares a WebSocket API: what declares it */
  declaredWebSocketApi?: string;
}

const NO_LOCAL_CODE: CodeSource = { localCode: () => undefined };

export async function readTemplateStack(o: ReadTemplateOptions): Promise<StackDescription> {
  const located = locate(o);
  const file = located.templateFile;
  const raw = readDataFile(file, { what: 'template', maxBytes: MAX_TEMPLATE_BYTES, yamlTags: CLOUDFORMATION_YAML_TAGS, maxAliasCount: MAX_TEMPLATE_ALIASES });
  if (located.format === 'cloudformation' && isServerlessSource(file, raw)) throw serverlessSourceRefusal(o.path);
  let template = parseTemplate(file, raw);
  const notEmulated: NotEmulated[] = [];
  let format = located.format;
  // the SAM functions' Events, as written: the triggers the emulator does not run
  const samResources = isSamTemplate(template) ? (template.Resources as Record<string, TemplateResource>) : undefined;
  if (isSamTemplate(template)) {
    const expanded = expandSam(file, template);
    template = expanded.template;
    notEmulated.push(...expanded.notEmulated);
    if (format === 'cloudformation') format = 'sam';
  }
  refuseTransforms(file, template);

  // an assembly's stack is named by the assembly (--stack-name chose it), unless deployed as another; a file's by --stack-name or its name
  const namedByAssembly = located.format === 'cdk-assembly' && o.assemblyStack === undefined;
  const stackName = namedByAssembly ? located.stackName! : o.stackName !== undefined ? checkStackName(o.stackName) : (located.stackName ?? stackNameFromFile(file));
  const outsideSecrets = Object.entries(o.secrets ?? {}).map(([name, secretString]) => ({ name, arn: secretArn(o.region, o.accountId, name), secretString, versionId: randomUUID() }));
  const t = new StackTemplate({
    file,
    template,
    parameters: { ...located.parameters, ...o.parameters },
    stackName,
    region: o.region,
    accountId: o.accountId,
    apiId: o.apiId,
    outsideSecrets,
    ...(o.ssmParameters ? { outsideParameters: o.ssmParameters } : {}),
  });
  refuseApiOutsideTemplate(t, located.declaredWebSocketApi);
  const apiLogicalId = chooseWebSocketApi(t);

  const functionIds = t.ofType('AWS::Lambda::Function');
  const functionIdsByName = uniqueNames(t, functionIds, 'FunctionName');
  uniqueNames(t, t.ofType('AWS::DynamoDB::Table'), 'TableName');
  uniqueNames(t, t.ofType('AWS::SQS::Queue'), 'QueueName');
  uniqueNames(t, t.ofType('AWS::SNS::Topic'), 'TopicName');
  uniqueNames(t, t.ofType('AWS::Logs::LogGroup'), 'LogGroupName');
  const websocket = apiLogicalId === undefined ? undefined : readWebSocketApi(t, apiLogicalId, functionIdsByName);
  const ws = websocket ?? { routes: [], awsRoutes: [], read: new Set<string>(), authorizer: undefined, account: undefined };
  const http = readHttpApis(t, functionIdsByName);
  const rest = readRestApis(t, functionIdsByName);
  if (!websocket && http.apis.length + rest.apis.length === 0) {
    throw templateError(file, ['Resources'], `no API the emulator serves: no WebSocket API, and ${[...http.warnings, ...rest.warnings].filter((w) => w.includes('not served')).join('; ') || 'no HTTP or REST API'}`);
  }
  const read = new Set([...ws.read, ...http.read, ...rest.read]);
  // the roles API Gateway assumes for its AWS integrations are read and enforced (emulator/iam)
  for (const r of ws.awsRoutes) for (const id of r.credentials?.resources ?? []) read.add(id);

  const tables = t.ofType('AWS::DynamoDB::Table').map((id) => {
    read.add(id);
    return readDynamoDbTable(t, id);
  });
  // the fan-out services: queues, topics and their subscriptions, buses, rules, event source mappings
  const queues = readSqsQueues(t);
  const sns = readSnsTopics(t);
  const eventBuses = readEventBuses(t);
  const rules = readEventRules(t);
  const mappings = readEventSourceMappings(t, functionIdsByName, queues, tables);
  const asyncInvoke = readAsyncInvokeConfigs(t, functionIdsByName);
  for (const id of [...queues.map((q) => q.logicalId), ...readQueuePolicies(t, queues), ...sns.read, ...eventBuses.map((b) => b.logicalId), ...rules.map((r) => r.logicalId), ...mappings.read, ...asyncInvoke.read]) {
    read.add(id);
  }

  // a SAM template's functions are what `sam build` makes of them (their dependencies installed)
  const code = new FunctionCodeReader(file, resolve(o.workDir), located.codeSource(t.resources), o.layers, format === 'sam');
  // The functions something here invokes run offline: a route, an authorizer, a REST API's method, an event source
  // mapping, an SNS subscription, a rule's pattern, an asynchronous invocation's destination.
  // Another (a schedule's, a Kinesis consumer, a custom resource's provider) has nothing to invoke
  // it here and is listed, not refused.
  const ofArn = (arn: string) => (/^arn:[^:]+:lambda:/.test(arn) ? functionIdsByName.get(lambdaNameOf(arn)) : undefined);
  const invoked = new Set([
    ...ws.routes.map((r) => r.functionId),
    ...http.apis.flatMap((a) => [...a.routes.map((r) => (r.integrationType === 'AWS_PROXY' ? r.functionId : undefined)), ...(a.authorizers ?? []).flatMap((x) => (x.type === 'REQUEST' ? [x.functionId] : []))]),
    ...rest.apis.flatMap((a) => [...a.methods.map((m) => ('functionId' in m.integration ? m.integration.functionId : undefined)), ...a.authorizers.map((x) => x.functionId)]),
    ...(ws.authorizer ? [ws.authorizer.functionId] : []),
    ...mappings.functionIds,
    ...sns.topics.flatMap((tp) => tp.subscriptions.filter((s) => s.protocol === 'lambda').map((s) => ofArn(s.endpoint))),
    ...rules.filter((r) => r.eventPattern !== undefined).flatMap((r) => r.targets.map((target) => ofArn(target.arn))),
    ...destinationFunctions(asyncInvoke.configs, functionIdsByName),
  ].filter((id): id is string => id !== undefined));
  const functions: FunctionDescription[] = [];
  // A function one that runs names in its environment (by name or ARN) is one its code may invoke
  // through Lambda's Invoke (the Lambda API serves it): it runs too.
  const toRead = functionIds.filter((id) => invoked.has(id));
  for (let i = 0; i < toRead.length; i++) {
    const id = toRead[i]!;
    const f = await readLambdaFunction(t, id, code);
    const asyncConfig = asyncInvoke.configs.get(id);
    functions.push(asyncConfig ? { ...f, asyncInvoke: asyncConfig } : f);
    read.add(id);
    for (const value of Object.values(f.environment)) {
      const callee = ofArn(value) ?? functionIdsByName.get(value);
      if (callee !== undefined && !invoked.has(callee)) {
        invoked.add(callee);
        toRead.push(callee);
      }
    }
  }
  // in the template's order
  functions.sort((a, b) => functionIds.indexOf(a.logicalId) - functionIds.indexOf(b.logicalId));
  // their published versions and aliases, with the provisioned concurrency configured on them
  const published = readLambdaVersions(t, new Map(functions.map((f) => [f.name, f.logicalId])));
  for (const id of published.read) read.add(id);
  for (const [i, f] of functions.entries()) {
    const p = published.byFunction.get(f.logicalId);
    if (p) functions[i] = { ...f, ...(p.versions.length ? { versions: p.versions } : {}), ...(p.aliases.length ? { aliases: p.aliases } : {}) };
  }
  // Application Auto Scaling of their provisioned concurrency: registered as the stack is created
  const scaling = readProvisionedScaling(t, new Set(functions.map((f) => f.name)));
  for (const id of scaling.read) read.add(id);
  for (const target of scaling.targets) {
    const i = functions.findIndex((f) => f.name === target.function);
    functions[i] = registerScalableTarget(t.file, functions[i]!, target);
  }
  // the functions CloudFormation would not create: a config that names one is told why, not that it is unknown
  const dormantFunctions = Object.fromEntries(
    t.excludedOfType('AWS::Lambda::Function').flatMap(({ logicalId, condition }) => {
      const setting = o.conditionSettings?.[condition];
      const why = `not created: its Condition ${condition} is false${setting === undefined ? '' : ` (it runs with ${setting})`}`;
      const name = physicalIdOf(t, logicalId);
      return name === undefined ? [[logicalId, why]] : [[logicalId, why], [name, why]];
    }),
  );
  // the functions' roles and API Gateway's right to invoke them are read and enforced (emulator/iam)
  for (const f of functions) for (const id of f.role?.resources ?? []) read.add(id);
  // the layers the functions load
  for (const f of functions) for (const l of f.layers ?? []) if (l.logicalId !== undefined) read.add(l.logicalId);
  const invokePermissions = readLambdaPermissions(t, functionIdsByName);
  for (const p of invokePermissions) read.add(p.logicalId);
  const parameters = t.ofType('AWS::SSM::Parameter').map((id) => {
    read.add(id);
    return readSsmParameter(t, id);
  });
  const logGroups = t.ofType('AWS::Logs::LogGroup').map((id) => {
    read.add(id);
    return readLogGroup(t, id);
  });
  const inert = t.ofType('AWS::CDK::Metadata').map((id): NotEmulated => {
    read.add(id);
    const physicalId = physicalIdOf(t, id);
    return { logicalId: id, type: 'AWS::CDK::Metadata', ...(physicalId !== undefined ? { physicalId } : {}) };
  });
  const secrets = t.ofType('AWS::SecretsManager::Secret').map((id) => {
    read.add(id);
    return t.stackSecret(id);
  });

  if (ws.authorizer) {
    const tokenParameter = authorizerTokenParameter(functions.find((f) => f.logicalId === ws.authorizer!.functionId), parameters, t);
    if (tokenParameter) ws.authorizer.tokenParameter = tokenParameter;
  }

  for (const [id, r] of Object.entries(t.resources)) {
    if (read.has(id)) continue;
    // roles no invoked function assumes, functions nothing invokes offline...: listed, never dropped silently,
    // under the physical id CloudFormation gives them (a FunctionName or RoleName the template sets is kept)
    const physicalId = physicalIdOf(t, id);
    notEmulated.push({ logicalId: id, type: r.Type, ...(physicalId !== undefined ? { physicalId } : {}) });
  }

  // what invokes each function, and whether it names a version: the two mistakes that waste what a version holds
  const invokers = { functions, routes: ws.routes, ...(ws.authorizer ? { authorizer: ws.authorizer } : {}), eventSourceMappings: mappings.mappings, topics: sns.topics, rules };
  const warnings = [
    ...http.warnings,
    ...rest.warnings,
    ...customDomainWarnings(t),
    ...queuePolicyWarnings(queues),
    ...published.warnings,
    ...scaling.warnings,
    ...idleProvisioned(invokers).map(idleProvisionedText),
    ...unqualifiedSnapStart(invokers),
  ];
  return {
    stackName,
    source: { format, path: o.path, templateFile: file },
    ...(websocket ? { api: websocket.api } : {}),
    routes: ws.routes,
    ...(ws.awsRoutes.length ? { awsRoutes: ws.awsRoutes } : {}),
    ...(ws.authorizer ? { authorizer: ws.authorizer } : {}),
    ...(http.apis.length ? { httpApis: http.apis } : {}),
    ...(rest.apis.length ? { restApis: rest.apis } : {}),
    ...(rest.apiKeys.length ? { apiKeys: rest.apiKeys } : {}),
    ...(rest.usagePlans.length ? { usagePlans: rest.usagePlans } : {}),
    functions,
    tables,
    ...(queues.length ? { queues } : {}),
    ...(sns.topics.length ? { topics: sns.topics } : {}),
    ...(rules.length ? { rules } : {}),
    ...(eventBuses.length ? { eventBuses } : {}),
    ...(mappings.mappings.length ? { eventSourceMappings: mappings.mappings } : {}),
    invokePermissions,
    parameters,
    ...(o.ssmParameters ? { outsideParameters: Object.entries(o.ssmParameters).map(([name, value]) => ({ name, value })) } : {}),
    ...(secrets.length + outsideSecrets.length > 0 ? { secrets: [...secrets, ...outsideSecrets] } : {}),
    ...(ws.account ? { apiGatewayAccount: ws.account } : {}),
    ...(logGroups.length ? { logGroups } : {}),
    ...(inert.length ? { inert } : {}),
    notEmulated,
    ...(Object.keys(dormantFunctions).length > 0 ? { dormantFunctions } : {}),
    notEmulatedPaths: notEmulatedPaths({ t, ...(samResources ? { samResources } : {}), runs: invoked, ...(apiLogicalId !== undefined ? { apiLogicalId } : {}), servedApis: new Set([...http.apis, ...rest.apis].map((a) => a.logicalId)) }),
    ...(warnings.length > 0 ? { warnings } : {}),
    outputs: readOutputs(t, template),
  };
}

/**
 * The Parameter Store parameter the authorizer reads its token from, where the token a run is
 * given goes: one the stack creates and names in the authorizer's environment, else one of the
 * account's that its environment names and its role may ssm:GetParameter (an existing SecureString).
 */
function authorizerTokenParameter(fn: FunctionDescription | undefined, parameters: ReadonlyArray<{ name: string }>, t: Pick<StackTemplate, 'partition' | 'region' | 'accountId'>): string | undefined {
  const values = Object.values(fn?.environment ?? {});
  const own = parameters.find((p) => values.includes(p.name));
  if (own) return own.name;
  const arn = (name: string) => `arn:${t.partition}:ssm:${t.region}:${t.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
  return values.find((v) => /^\/?[A-Za-z0-9_.\-/]{1,1011}$/.test(v) && fn?.role !== undefined && evaluate(fn.role.statements, 'ssm:GetParameter', arn(v)).allowed);
}

/** A resource's Ref; undefined where a property it needs does not resolve offline (an import, another stack's output). */
function physicalIdOf(t: StackTemplate, id: string): string | undefined {
  try {
    return t.ref(id);
  } catch (e) {
    if (e instanceof UserError) return undefined;
    throw e;
  }
}

/** Physical name → logical id; two resources of one type with one name cannot both be created (CloudFormation fails the deploy). */
function uniqueNames(t: StackTemplate, ids: string[], property: string): Map<string, string> {
  const byName = new Map<string, string>();
  for (const id of ids) {
    const name = t.name(id);
    const other = byName.get(name);
    if (other !== undefined) throw templateError(t.file, ['Resources', id, 'Properties', property], `${name} is also resource ${other}'s name`);
    byName.set(name, id);
  }
  return byName;
}

/** Which of the four formats a path is, and where its template is. */
function locate(o: ReadTemplateOptions): Located {
  let st;
  try {
    st = statSync(o.path);
  } catch {
    throw new UserError(`--template ${o.path}: does not exist`);
  }
  // another tool's project (Architect, SST, Terraform) or a folder without CloudFormation: what to run to get it
  const foreign = foreignProjectRefusal(o.path);
  if (foreign !== undefined) throw new UserError(`--template ${o.path}: ${foreign}`);
  if (st.isDirectory()) {
    if (isCloudAssembly(o.path)) {
      const cdk = readCdkAssembly(o.path, o.assemblyStack ?? o.stackName);
      return { format: 'cdk-assembly', templateFile: cdk.templateFile, stackName: cdk.stackName, parameters: cdk.parameters, codeSource: cdk.codeSource };
    }
    const serverlessDir = serverlessDirOf(o.path);
    if (serverlessDir) {
      const sls = readServerlessPackage(serverlessDir);
      return {
        format: 'serverless',
        templateFile: sls.templateFile,
        ...(sls.stackName ? { stackName: sls.stackName } : {}),
        ...(sls.declaredWebSocketApi ? { declaredWebSocketApi: sls.declaredWebSocketApi } : {}),
        parameters: {},
        codeSource: () => sls.codeSource,
      };
    }
    throw new UserError(`--template ${o.path}: a directory, but neither a CDK cloud assembly (manifest.json) nor a Serverless package (.serverless/cloudformation-template-update-stack.json)`);
  }
  // by its name: serverless.ts/.js would not even read as data
  if (isServerlessSource(o.path)) throw serverlessSourceRefusal(o.path);
  return { format: 'cloudformation', templateFile: resolve(o.path), parameters: {}, codeSource: () => NO_LOCAL_CODE };
}

/**
 * A stack with functions but no WebSocket API in its CloudFormation: the API is made outside the
 * template (a deploy-time plugin such as serverless-websockets-plugin calls the API Gateway API
 * itself), so there is nothing here to read it from. Said as such, rather than "no API".
 */
function refuseApiOutsideTemplate(t: StackTemplate, declared: string | undefined): void {
  if (t.ofType('AWS::ApiGatewayV2::Api').length + t.ofType('AWS::ApiGateway::RestApi').length > 0) return;
  const functions = t.ofType('AWS::Lambda::Function').length;
  if (declared !== undefined) {
    throw templateError(t.file, ['Resources'], `no AWS::ApiGatewayV2::Api, though serverless.yml declares a WebSocket API (${declared}): a plugin makes that API at deploy time with SDK calls, so it cannot be read from the template; declare the routes as the framework's own \`websocket\` events and package again`);
  }
  if (functions > 0) {
    throw templateError(t.file, ['Resources'], `${functions} Lambda function${functions === 1 ? '' : 's'} but no AWS::ApiGatewayV2::Api: the WebSocket API is not in this CloudFormation (made at deploy time by a plugin or a script?), so it cannot be read from the template`);
  }
}

/** Macros change the template before CloudFormation reads it: only SAM's (expanded here) and AWS::LanguageExtensions' functions are known. */
function refuseTransforms(file: string, template: Template): void {
  const transforms = template.Transform === undefined ? [] : Array.isArray(template.Transform) ? template.Transform : [template.Transform];
  for (const name of transforms) {
    if (name !== LANGUAGE_EXTENSIONS && name !== SAM_TRANSFORM) {
      throw templateError(file, ['Transform'], `${name} is a macro the emulator cannot run: give the template as CloudFormation processed it`);
    }
  }
}

function readOutputs(t: StackTemplate, template: Template): StackDescription['outputs'] {
  const out: StackDescription['outputs'] = [];
  for (const [key, raw] of Object.entries(template.Outputs ?? {})) {
    const at = ['Outputs', key];
    if (raw === null || typeof raw !== 'object' || !('Value' in raw)) throw templateError(t.file, at, 'an output needs a Value');
    const o = raw as { Value: unknown; Description?: unknown; Condition?: unknown; Export?: { Name?: unknown } };
    if (typeof o.Condition === 'string' && !t.resolver.condition(o.Condition, [...at, 'Condition'])) continue;
    const value = t.resolve(o.Value, [...at, 'Value']);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw templateError(t.file, [...at, 'Value'], 'must resolve to a string');
    const exportName = o.Export?.Name === undefined ? undefined : t.resolve(o.Export.Name, [...at, 'Export', 'Name']);
    out.push({
      key,
      value: String(value),
      ...(typeof o.Description === 'string' ? { description: o.Description } : {}),
      ...(exportName !== undefined ? { exportName: String(exportName) } : {}),
    });
  }
  return out;
}
