import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import type { FunctionPermissions } from '../../src/contracts/permissions-schema.ts';
import { judged } from '../../src/verdict/judged.ts';
import { consoleSummary } from '../../src/report/run/console.ts';
import { renderSummaryMarkdown } from '../../src/report/run/md.ts';
import { renderHtml } from '../../src/report/run/html.ts';
import { reportAssets } from '../../src/report/shared/assets.ts';
import { renderJunit } from '../../src/report/run/junit.ts';
import { runPageModel, THIS_HOST_TEXT } from '../../src/report/run/page-model.ts';
import { NO_CALL_COUNT, NO_CALL_TEXT } from '../../src/report/run/permissions-table.ts';
import { localHostWarnings } from '../../src/diagnosis/local-host-text.ts';
import { hostWarnings } from '../../src/analyses/compare/host-waits.ts';
import { partOfWhole } from '../../src/part-of-whole.ts';
import { buildResults } from './fixtures.ts';

/**
 * The run page's facts are computed once (page-model.ts) and the console, summary.md, index.html
 * and junit.xml render them: the cases where they used to disagree, each held to one wording.
 */
const ASSETS = reportAssets();
const DEFAULT_RUN = (): Results => Results.parse(JSON.parse(readFileSync(new URL('../fixtures/plan/default-run/results.json', import.meta.url), 'utf8')));

const ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/fanout-bench-local-ConnectionsTable-1ABCDEFGHIJKL';
const grant = (action: string, resource = ARN) => ({ action, resource, source: 'inline policy FnRolePolicy0' });
const IDLE = ['fanout-disconnect', 'fanout-default', 'fanout-set-name', 'fanout-leave-room', 'fanout-whoami'];

/** The default run's stack as the issue found it: one function that called AWS, five that made no call, each with 5 grants. */
function withPermissions(r: Results): Results {
  const five = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'execute-api:ManageConnections'].map((a) => grant(a));
  const functions: FunctionPermissions[] = [
    {
      function: 'fanout-send-message',
      role: 'arn:aws:iam::123456789012:role/fanout-bench-local-SendMessageRole-ABC',
      status: 'observed',
      granted: five,
      used: [{ action: 'dynamodb:Query', resource: ARN }],
      unused: five.filter((g) => g.action !== 'dynamodb:Query'),
      leastPrivilege: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['dynamodb:Query'], Resource: [ARN] }] },
    },
    ...IDLE.map(
      (fn): FunctionPermissions => ({
        function: fn,
        role: `arn:aws:iam::123456789012:role/${fn}-role`,
        status: 'observed',
        granted: five,
        used: [],
        unused: five,
        leastPrivilege: { Version: '2012-10-17', Statement: [] },
      }),
    ),
  ];
  r.permissions = { window: { startMs: 0, endMs: 1 }, functions };
  return r;
}

function pages(r: Results) {
  const j = judged(r);
  return { console: consoleSummary(j, 'results.json'), md: renderSummaryMarkdown(j), html: renderHtml(j, ASSETS), junit: renderJunit(j) };
}

describe('one model per run page', () => {
  it('a function the run never had call AWS is one fact everywhere: no grant judged, no "5 of 5 unused", no empty policy', () => {
    const r = withPermissions(DEFAULT_RUN());
    const p = runPageModel(r).permissions!;
    expect(p.noCall.map((x) => x.function)).toEqual(IDLE);
    expect(p.judged.map((x) => x.function)).toEqual(['fanout-send-message']);
    expect(p.noCall.every((x) => x.unusedCount === NO_CALL_COUNT && x.policy === undefined)).toBe(true);

    const out = pages(r);
    expect(out.console).toContain(`  permissions  ${NO_CALL_TEXT}: fanout-disconnect, fanout-default, fanout-set-name, … 2 more\n`);
    // the one function judged, its lists summarised; past 160 characters its clause continues under it
    expect(out.console).toContain(
      '  permissions  fanout-send-message: 4 of 5 grants unused (dynamodb:GetItem on table/fanout-bench-local-ConnectionsTable-1ABCDEFGHIJKL, … 3 more);\n               used dynamodb:Query on table/',
    );
    for (const page of [out.md, out.html]) {
      expect(page).not.toContain('5 of 5');
      expect(page).not.toContain('"Statement":[]');
      expect(page).not.toContain('"Statement": []');
      expect(page.split(NO_CALL_TEXT).length - 1).toBe(IDLE.length);
      expect(page).toContain('4 of 5');
    }
    for (const fn of IDLE) expect(out.md).toMatch(new RegExp(`\\| ${fn} \\| ${fn}-role \\| ${NO_CALL_COUNT} \\| ${NO_CALL_TEXT} \\| – \\|`));
  });

  it("says the Lambda durations and the cost are this host's on a local run, in the plan's words, and nothing of it on AWS", () => {
    const local = pages(DEFAULT_RUN());
    expect(THIS_HOST_TEXT).toContain("durations are this host's, not Lambda's");
    expect(local.console).toContain(`               ${THIS_HOST_TEXT}\n`);
    // under Lambda (CloudWatch) and under Cost, in summary.md and the page
    expect(local.md.split('Measured on the local emulator: durations are this host&#39;s').length - 1).toBe(2);
    expect(local.html.split('Measured on the local emulator: durations are this host&#39;s').length - 1).toBe(2);
    expect(local.junit).toContain('<property name="measuredOn" value="measured on the local emulator: durations are this host&#39;s');

    const aws = DEFAULT_RUN();
    aws.config.target = { ...aws.config.target, kind: 'remote' };
    aws.cloudwatch = { ...aws.cloudwatch!, source: 'aws' };
    expect(runPageModel(aws).thisHost).toBeUndefined();
    const remote = pages(aws);
    for (const page of Object.values(remote)) expect(page).not.toMatch(/this host(&#39;|&apos;|')s/);
  });
});

describe('the errors beside the Errors chart', () => {
  it('no client error beside API Gateway\'s 40 ClientErrors says both, on every rendering, never a bare "No errors."', () => {
    const r = DEFAULT_RUN();
    r.errors = {};
    r.cloudwatch = { ...r.cloudwatch!, apiGatewayTotals: { ...r.cloudwatch!.apiGatewayTotals!, clientError: 40, executionError: 0, integrationError: 0 } };
    const line = runPageModel(r).errors.line;
    expect(line).toBe("No errors on the clients; API Gateway counted 40 client errors of its own (its 4XX and 5XX answers, the stack's @connections calls included).");
    const p = pages(r);
    expect(p.console).toContain("  errors       none on the clients\n               API Gateway counted 40 client errors of its own (its 4XX and 5XX answers, the stack's @connections calls included)\n");
    expect(p.md).toContain("No errors on the clients; API Gateway counted 40 client errors of its own (its 4XX and 5XX answers, the stack&#39;s @connections calls included).");
    expect(p.html).toContain("No errors on the clients; API Gateway counted 40 client errors of its own");
    expect(p.html).not.toContain('No errors.');

    r.errors = { 'send:timeout': 3, 'connect:refused': 1 };
    r.cloudwatch = { ...r.cloudwatch!, apiGatewayTotals: null };
    const some = runPageModel(r).errors;
    expect(some.kinds).toEqual([{ kind: 'send:timeout', count: 3 }, { kind: 'connect:refused', count: 1 }]);
    expect(some.line).toBe('4 errors on the clients, of 2 kinds.');
    expect(pages(r).console).toContain('  errors       send:timeout=3  connect:refused=1\n');
  });
});

describe('a count over its whole is said, not clamped', () => {
  it('partOfWhole keeps the pair and says they disagree', () => {
    expect(partOfWhole(120, 1000, { part: 'waits', whole: 'invocations' })).toEqual({ part: 120, whole: 1000 });
    expect(partOfWhole(352, 200, { part: 'waits', whole: 'invocations' })).toEqual({
      part: 352,
      whole: 200,
      disagree: '352 waits counted against 200 invocations: the two counts disagree, so no share is given',
    });
  });

  it('352 held-back waits against 200 fanout-disconnect invocations: no page says "352 of 200" or "200 of 200"', () => {
    const r = buildResults();
    r.config.target = { ...r.config.target, functions: { functions: [{ name: 'fanout-disconnect', route: '$disconnect' }] } } as Results['config']['target'];
    r.cloudwatch!.lambda['fanout-disconnect'] = { ...r.cloudwatch!.lambda['fanout-connect']!, invocations: 200 };
    r.cloudwatch!.localHost!.heldBack['fanout-disconnect'] = { count: 352, totalMs: 40_000, p50Ms: 90, p99Ms: 400, maxMs: 420 };
    const warning = localHostWarnings(r).find((w) => w.includes('fanout-disconnect'))!;
    expect(warning).toContain('352 waits counted against 200 invocations: the two counts disagree');
    const held = runPageModel(r).host!.rows.find((x) => x.fn === 'fanout-disconnect')!.held;
    expect(held.disagree).toBeDefined();
    for (const page of Object.values(pages(r))) {
      expect(page).not.toMatch(/352 of 200|200 of 200|up to 200/);
    }
    expect(pages(r).html).toContain('fanout-disconnect: 352 waits counted against 200 invocations');
  });

  it("compare's line from a run's attribution says the disagreement instead of clamping it", () => {
    const r = buildResults();
    r.attribution = { stack: { heldBack: 352, invocations: 200 } } as unknown as Results['attribution'];
    const [line] = hostWarnings(r);
    expect(line).not.toMatch(/352 of 200|200 of 200/);
    expect(line).toContain('352 held back counted against 200 invocations serving timed requests: the two counts disagree');
    r.attribution = { stack: { heldBack: 150, invocations: 200 } } as unknown as Results['attribution'];
    expect(hostWarnings(r)[0]).toMatch(/^local host held back 150 of 200 invocations serving timed requests/);
  });
});

describe('the quotas a run was held against', () => {
  it('are attributed once, when the run is measured, and every rendering says the stored findings in the same words', () => {
    const r = DEFAULT_RUN();
    r.errors = { 'close:1009': 3 };
    const stored = { limit: 'newConnectionsPerSecond', value: { value: 500, source: 'aws-documented' }, evidence: 'handshake-429', count: 2 } as const;
    r.quotas = { ...r.quotas!, attributed: [stored, 'a line an older run stored'] };
    const line = "2 connects refused with 429 at handshake: the new-connection quota, API Gateway's 500 new connections/s per account and region (AWS's documented default)";
    expect(runPageModel(r).quotas?.attributed).toEqual([line, 'a line an older run stored']);
    const p = pages(r);
    // the console folds a long line at a word
    expect(p.console.replace(/\s+/g, ' ')).toContain(` quota ${line} `);
    // summary.md and index.html escape the apostrophe alike
    const escaped = line.replaceAll("'", '&#39;');
    expect(p.md).toContain(`- **${escaped}**`);
    expect(p.html).toContain(`<li><strong>${escaped}</strong></li>`);
    expect(p.console).toContain('  quota        a line an older run stored\n');
    expect(p.md).not.toContain('message too big');
  });

  it('a results.json older than the stored lines has them attributed as it is read; one held against nothing has none', () => {
    const r = DEFAULT_RUN();
    r.errors = { 'close:1009': 3 };
    delete r.quotas!.attributed;
    expect(runPageModel(r).quotas!.attributed).toEqual([expect.stringMatching(/^3 connections closed with 1009 \(message too big\): API Gateway's 131,072-byte/)]);
    expect(pages(r).md).toContain('- **3 connections closed with 1009 (message too big): API Gateway');
    delete r.quotas;
    expect(runPageModel(r).quotas).toBeUndefined();
    expect(pages(r).md).not.toContain('### Quotas');
  });
});
