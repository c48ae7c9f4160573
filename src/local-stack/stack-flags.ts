import type { StackLaunch, StackSettings } from '../../common/stack-launch.ts';

/**
 * `fanout-bench stack up`'s flags and the stack settings they set (common/stack-launch.ts), both
 * ways: `stack up` turns its flags into settings, a launch names each setting by its flag (so
 * the stack reports a bad value as `--memory: …`), and results.json records a local stack's
 * settings as the `stack up` command line that starts the same stack.
 */

const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  port: '--port',
  host: '--host',
  stage: '--stage',
  'faults.lostDisconnectShare': '--lost-disconnect-share',
  'faults.dynamodbThrottleShare': '--dynamodb-throttle-share',
  'lambda.idleReapSeconds': '--idle-reap-seconds',
  'lambda.cpuModel': '--cpu-model',
  'lambda.hostMaxEnvironments': '--host-max-environments',
  'lambda.hostEnvironmentsPerCore': '--host-environments-per-core',
  'lambda.initConcurrency': '--init-concurrency',
  'lambda.preparedPerFunction': '--prepared',
  'lambda.runtime': '--runtime',
  'lambda.accountConcurrency': '--account-concurrency',
  'limits.accountRps': '--account-rps',
  'limits.accountBurst': '--account-burst',
  'limits.stageRps': '--stage-rps',
  'limits.stageBurst': '--stage-burst',
  'limits.idleTimeoutRule': '--idle-rule',
  'auth.enabled': '--auth',
  'auth.identitySource': '--auth-identity',
  'auth.tokenFile': '--auth-token-file',
  pushFanout: '--push-fanout',
  stackName: '--stack-name',
  iam: '--iam',
  'template.path': '--template',
  'awsMetrics.enabled': '--aws-metrics',
  'awsMetrics.lag': '--aws-metrics-lag',
};

/** The flag that sets a field (dotted path), if one does. */
export function flagOf(field: string, settings: StackSettings): string | undefined {
  if (FLAG_OF_FIELD[field]) return FLAG_OF_FIELD[field];
  if (field.startsWith('template.parameters')) return '--parameter';
  if (field.endsWith('.memoryMB')) return '--memory';
  if (field.endsWith('.reservedConcurrency')) return '--reserved';
  if (field.startsWith('functions.')) return settings.functions?.[field.slice('functions.'.length)]?.memoryMB !== undefined ? '--memory' : '--reserved';
  return undefined;
}

/** Every field the settings set (and each function they name), with the flag that sets it. */
export function sourcesOf(settings: StackSettings): Record<string, string> {
  const sources: Record<string, string> = {};
  const walk = (value: unknown, path: string) => {
    if (path) {
      const flag = flagOf(path, settings);
      if (flag) sources[path] = flag;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, v] of Object.entries(value)) if (v !== undefined) walk(v, path ? `${path}.${key}` : key);
  };
  walk(settings, '');
  return sources;
}

/** The `stack up` flags that start a stack with these settings (beyond --port 0 and --exit-with-stdin). */
export function stackUpArgs(launch: Pick<StackLaunch, 'settings' | 'configFile'>): string[] {
  const s = launch.settings ?? {};
  const args: string[] = [];
  const add = (flag: string, value: string | number | undefined) => {
    if (value !== undefined) args.push(flag, String(value));
  };
  add('--port', s.port);
  add('--host', s.host);
  add('--stage', s.stage);
  add('--lost-disconnect-share', s.faults?.lostDisconnectShare);
  add('--dynamodb-throttle-share', s.faults?.dynamodbThrottleShare);
  add('--idle-reap-seconds', s.lambda?.idleReapSeconds);
  const functions = Object.entries(s.functions ?? {});
  for (const [fn, f] of functions) if (f.memoryMB !== undefined) args.push('--memory', `${fn}=${f.memoryMB}`);
  for (const [fn, f] of functions) if (f.reservedConcurrency !== undefined) args.push('--reserved', `${fn}=${f.reservedConcurrency}`);
  add('--cpu-model', s.lambda?.cpuModel);
  add('--host-max-environments', s.lambda?.hostMaxEnvironments);
  add('--host-environments-per-core', s.lambda?.hostEnvironmentsPerCore);
  add('--init-concurrency', s.lambda?.initConcurrency);
  add('--prepared', s.lambda?.preparedPerFunction);
  add('--runtime', s.lambda?.runtime);
  add('--account-concurrency', s.lambda?.accountConcurrency);
  add('--account-rps', s.limits?.accountRps);
  add('--account-burst', s.limits?.accountBurst);
  add('--stage-rps', s.limits?.stageRps);
  add('--stage-burst', s.limits?.stageBurst);
  add('--idle-rule', s.limits?.idleTimeoutRule);
  add('--idle-timeout-seconds', s.limits?.idleTimeoutSeconds);
  add('--max-connection-seconds', s.limits?.maxConnectionSeconds);
  add('--config', launch.configFile);
  if (s.auth?.enabled) args.push('--auth');
  add('--auth-identity', s.auth?.identitySource);
  add('--auth-token-file', s.auth?.tokenFile);
  add('--push-fanout', s.pushFanout);
  add('--stack-name', s.stackName);
  add('--iam', s.iam);
  add('--template', s.template?.path);
  for (const [key, value] of Object.entries(s.template?.parameters ?? {})) args.push('--parameter', `${key}=${value}`);
  if (s.awsMetrics?.enabled && s.awsMetrics.lag === undefined) args.push('--aws-metrics');
  add('--aws-metrics-lag', s.awsMetrics?.lag);
  return args;
}
