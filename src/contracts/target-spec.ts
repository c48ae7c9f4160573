import { UserError } from '../../common/errors.ts';

/**
 * What a `--target` names, parsed once (checkRunInput, src/session/run-input.ts) into a tagged
 * value that every later step is handed: the input checks, the host limits, the quota plan, the
 * run directory, the cost flags and resolveTarget (src/targets) read its kind, never its text.
 *
 * - `local`: the emulator, started by the harness on this host;
 * - `url`: a ws:// or wss:// URL of a stack of any kind;
 * - `aws-stack`: `aws:<stackName>`, a deployed stack found by its CloudFormation name;
 * - `aws-api`: `aws-api:<apiId>/<stage>`, a WebSocket API found by its id (one made by hand).
 */
export type TargetSpec = LocalSpec | UrlSpec | AwsStackSpec | AwsApiSpec;

interface SpecBase {
  /** as given */
  spec: string;
  /** what results.json records for it when it never started (config.target.kind and url) */
  recorded: { kind: 'local' | 'remote'; url: string };
  /**
   * The harness starts this stack itself, on this host: the scenario's `target:` knobs and
   * `--memory` / `--runtime` configure it, its log goes into the run directory, a token reaches
   * its authorizer, and its memory and open files count against this host's limits.
   */
  startsLocalStack: boolean;
  /** `--region` and `--profile` choose where it is looked up (a stack found through AWS's APIs) */
  usesAwsAccount: boolean;
}
export interface LocalSpec extends SpecBase {
  kind: 'local';
  startsLocalStack: true;
  usesAwsAccount: false;
}
export interface UrlSpec extends SpecBase {
  kind: 'url';
  /** the URL, normalised (`new URL(spec).toString()`) */
  url: string;
  /** its host name, for messages and the loopback source-address spread */
  hostname: string;
  startsLocalStack: false;
  usesAwsAccount: false;
}
export interface AwsStackSpec extends SpecBase {
  kind: 'aws-stack';
  stackName: string;
  startsLocalStack: false;
  usesAwsAccount: true;
}

export interface AwsApiSpec extends SpecBase {
  kind: 'aws-api';
  apiId: string;
  stage: string;
  startsLocalStack: false;
  usesAwsAccount: true;
}

export const LOCAL_TARGET = 'local';
export const AWS_TARGET_PREFIX = 'aws:';
export const AWS_API_TARGET_PREFIX = 'aws-api:';

/** API Gateway's API ids (10 lower-case letters and digits on AWS) and its stage names' characters. */
const API_ID = /^[a-z0-9]{1,32}$/;
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

/** CloudFormation's rule for a stack name. */
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/**
 * The one parse of a target spec. `field` names where it was written in messages (`--target`,
 * `--targets`, a variants file's field); a malformed spec is a UserError naming it.
 */
export function parseTargetSpec(spec: string, field = '--target'): TargetSpec {
  if (spec === LOCAL_TARGET) return { kind: 'local', spec, recorded: { kind: 'local', url: spec }, startsLocalStack: true, usesAwsAccount: false };
  if (spec.startsWith(AWS_TARGET_PREFIX)) {
    const stackName = spec.slice(AWS_TARGET_PREFIX.length);
    if (!STACK_NAME.test(stackName)) {
      throw new UserError(`${field}: aws:<stackName> needs a CloudFormation stack name (a letter, then up to 127 letters, digits or "-"), got "${spec}"`);
    }
    return { kind: 'aws-stack', spec, stackName, recorded: { kind: 'remote', url: spec }, startsLocalStack: false, usesAwsAccount: true };
  }
  if (spec.startsWith(AWS_API_TARGET_PREFIX)) {
    const [apiId = '', stage, ...rest] = spec.slice(AWS_API_TARGET_PREFIX.length).split('/');
    if (!API_ID.test(apiId) || stage === undefined || !STAGE_NAME.test(stage) || rest.length > 0) {
      throw new UserError(`${field}: aws-api:<apiId>/<stage> needs an API Gateway API id and a stage name (letters, digits, "-" or "_"), got "${spec}"`);
    }
    return { kind: 'aws-api', spec, apiId, stage, recorded: { kind: 'remote', url: spec }, startsLocalStack: false, usesAwsAccount: true };
  }
  let url: URL | undefined;
  try {
    url = new URL(spec);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'ws:' && url.protocol !== 'wss:')) {
    throw new UserError(`${field}: expected "local", a ws:// or wss:// URL, aws:<stackName> or aws-api:<apiId>/<stage>, got "${spec}"`);
  }
  return { kind: 'url', spec, url: url.toString(), hostname: url.hostname, recorded: { kind: 'remote', url: spec }, startsLocalStack: false, usesAwsAccount: false };
}
