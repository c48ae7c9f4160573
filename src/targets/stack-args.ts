import type { StackKnobs } from '../scenarios/schema.ts';

/** A scenario's local-stack knobs as `fanout-bench stack up` flags. */
export function stackArgs(k: StackKnobs): string[] {
  const args: string[] = [];
  if (k.lostDisconnectShare !== undefined) args.push('--lost-disconnect-share', String(k.lostDisconnectShare));
  if (k.dynamodbThrottleShare !== undefined) args.push('--dynamodb-throttle-share', String(k.dynamodbThrottleShare));
  if (k.idleReapSeconds !== undefined) args.push('--idle-reap-seconds', String(k.idleReapSeconds));
  for (const [fn, mb] of Object.entries(k.memory ?? {})) args.push('--memory', `${fn}=${mb}`);
  for (const [fn, n] of Object.entries(k.reserved ?? {})) args.push('--reserved', `${fn}=${n}`);
  if (k.cpuModel !== undefined) args.push('--cpu-model', k.cpuModel);
  if (k.hostMaxEnvironments !== undefined) args.push('--host-max-environments', String(k.hostMaxEnvironments));
  if (k.hostEnvironmentsPerCore !== undefined) args.push('--host-environments-per-core', String(k.hostEnvironmentsPerCore));
  if (k.initConcurrency !== undefined) args.push('--init-concurrency', String(k.initConcurrency));
  if (k.preparedPerFunction !== undefined) args.push('--prepared', String(k.preparedPerFunction));
  if (k.runtime !== undefined) args.push('--runtime', k.runtime);
  if (k.config !== undefined) args.push('--config', k.config);
  if (k.auth) {
    args.push('--auth');
    if (typeof k.auth === 'object' && k.auth.identitySource !== undefined) args.push('--auth-identity', k.auth.identitySource);
    if (typeof k.auth === 'object' && k.auth.tokenFile !== undefined) args.push('--auth-token-file', k.auth.tokenFile);
  }
  return args;
}
