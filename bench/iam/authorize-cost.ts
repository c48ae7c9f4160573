import { IamAuthorizer } from '../../emulator/iam/iam-authorizer.ts';
import { parsePolicyDocument } from '../../common/iam/policy-document.ts';

/**
 * What one authorize call costs: a role shaped like a least-privilege chat function (a dozen
 * statements, ARNs with wildcards, an explicit Deny), asked about DynamoDB tables (the same few
 * resources: cached after the first) and about @connections posts (a new connection id each
 * time: never cached, so every call is evaluated), alternating rounds, this process's CPU time
 * around each.
 *
 *   npx tsx bench/iam/authorize-cost.ts [--calls 200000] [--rounds 5]
 */
const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CALLS = arg('calls', 200_000);
const ROUNDS = arg('rounds', 5);

const ACCOUNT = '123456789012';
const table = (n: string) => `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${n}`;
const statements = parsePolicyDocument(
  {
    Statement: [
      ...['connections', 'members', 'messages'].flatMap((t) => [
        { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'], Resource: table(t) },
        { Effect: 'Allow', Action: 'dynamodb:Query', Resource: `${table(t)}/index/*` },
      ]),
      { Effect: 'Allow', Action: 'execute-api:ManageConnections', Resource: `arn:aws:execute-api:us-east-1:${ACCOUNT}:abcdefghij/prod/POST/@connections/*` },
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/chat-send:*` },
      { Effect: 'Deny', Action: 'dynamodb:Scan', Resource: '*' },
    ],
  },
  'bench role',
  (path, message) => {
    throw new Error(`${path.join('.')}: ${message}`);
  },
);
const roleArn = `arn:aws:iam::${ACCOUNT}:role/chat-send`;
const principal = { function: 'chat-send', role: 'chat-send', roleArn };

function round(kind: 'cached' | 'uncached'): number {
  const iam = new IamAuthorizer('enforce', new Map([[roleArn, statements]]), ACCOUNT);
  const resources = [table('members'), table('messages'), `${table('members')}/index/byConnection`];
  const start = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) {
    if (kind === 'cached') iam.authorize(principal, i % 2 ? 'dynamodb:PutItem' : 'dynamodb:Query', resources[i % 3]!);
    else iam.authorize(principal, 'execute-api:ManageConnections', `arn:aws:execute-api:us-east-1:${ACCOUNT}:abcdefghij/prod/POST/@connections/c${i}=`);
  }
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / CALLS; // ns per call
}

const results: Record<'cached' | 'uncached', number[]> = { cached: [], uncached: [] };
for (let r = 0; r < ROUNDS; r++) for (const kind of ['cached', 'uncached'] as const) results[kind].push(round(kind));
for (const kind of ['cached', 'uncached'] as const) {
  const v = results[kind].sort((a, b) => a - b);
  console.log(`${kind}: ${v.map((x) => x.toFixed(0)).join(', ')} ns per authorize call (median ${v[Math.floor(v.length / 2)]!.toFixed(0)}; ${CALLS} calls a round, node ${process.versions.node})`);
}
