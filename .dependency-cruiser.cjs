/**
 * The direction imports may take (issue 24), checked by test/architecture/import-rules.test.ts
 * over src/, reference-stack/, common/ and artillery/engine/src. Every rule is an error and there
 * are no exceptions: a new import that breaks one either moves the code to where it belongs or
 * changes the rule, with its reason here. Type-only imports count (tsPreCompilationDeps): a type
 * names what its module depends on as much as a value does.
 */

/** The harness's shared top-level modules (errors, the data-file reader, number formatting). */
const SRC_TOP = '^src/[^/]+\\.ts$';

/**
 * What the CloudWatch pull brings back, for others to read: the schema of results.cloudwatch and
 * the reading of the local host's metrics. The rest of src/metrics/cloudwatch/ is the pull itself.
 */
const CLOUDWATCH_RESULTS = '^src/metrics/cloudwatch/(cloudwatch-schema|millis-summary|local-host)\\.ts$';
const CLOUDWATCH_PULL = '^src/metrics/cloudwatch/(?!(cloudwatch-schema|millis-summary|local-host)\\.ts$)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Modules that import each other cannot be read, tested or moved one at a time; a shared type goes where it belongs.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },

    // Two programs and a contract: the harness sees the system under test only as AWS would show it.
    {
      name: 'harness-imports-no-stack',
      comment: 'The harness measures any target by URL and the CloudWatch API; what it shares with the stack lives in common/.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^reference-stack/' },
    },
    {
      name: 'stack-imports-no-harness',
      comment: 'The reference stack (functions, CDK app, emulator) is the system under test: it must run without the harness; shared code lives in common/.',
      severity: 'error',
      from: { path: '^reference-stack/' },
      to: { path: '^src/' },
    },
    {
      name: 'common-imports-neither',
      comment: 'common/ is the contract both programs import, so it depends on neither of them.',
      severity: 'error',
      from: { path: '^common/' },
      to: { path: '^(src|reference-stack|artillery)/' },
    },
    {
      name: 'functions-import-no-emulator-or-infra',
      comment: 'The Lambda handlers deploy unchanged to AWS: they cannot depend on the emulator that hosts them locally or on the CDK app that deploys them.',
      severity: 'error',
      from: { path: '^reference-stack/functions/' },
      to: { path: '^reference-stack/(local|infra)/' },
    },

    // Measuring, judging, showing: each depends only on the ones before it.
    {
      name: 'verdict-reaches-no-renderer',
      comment: 'Judging depends on showing nowhere: the verdict words its findings with src/number-format.ts, not with a renderer.',
      severity: 'error',
      from: { path: '^src/verdict/' },
      to: { path: '^src/report/', reachable: true },
    },
    {
      name: 'measuring-reaches-no-verdict-or-renderer',
      comment: 'What the fleet and the recorders measure cannot depend on how it is judged or shown, not even through another module.',
      severity: 'error',
      from: { path: '^src/(fleet|metrics/measurement)/' },
      to: { path: '^src/(verdict|report)/', reachable: true },
    },
    {
      name: 'renderers-import-no-target-run-or-command',
      comment: 'Renderers are pure: results in, text out; `fanout-bench report` re-renders a run with no target, run or command at hand.',
      severity: 'error',
      from: { path: '^src/report/' },
      to: { path: '^src/(targets|run|commands)/' },
    },
    {
      name: 'renderers-reach-no-cloudwatch-pull',
      comment: 'Renderers show what the pull brought back (results.cloudwatch); they never reach the code that asks CloudWatch.',
      severity: 'error',
      from: { path: '^src/report/' },
      to: { path: CLOUDWATCH_PULL, reachable: true },
    },

    // src/metrics/: each folder imports what its README.md says, and nothing else of src/.
    {
      name: 'metrics-measurement-imports',
      comment: 'measurement/ is measured in memory while the fleet runs: it needs the fleet (wire format, clock) and nothing else of the harness.',
      severity: 'error',
      from: { path: '^src/metrics/measurement/' },
      to: { path: '^src/', pathNot: ['^src/(fleet|metrics/measurement)/', SRC_TOP] },
    },
    {
      name: 'metrics-stack-description-imports',
      comment: 'stack-description/ is plain data the pull, the cost model and the targets start from: it imports nothing of the harness.',
      severity: 'error',
      from: { path: '^src/metrics/stack-description/' },
      to: { path: '^src/', pathNot: '^src/metrics/stack-description/' },
    },
    {
      name: 'metrics-cloudwatch-imports',
      comment: 'The pull needs where CloudWatch is (targets), what to ask about (stack-description) and histograms (measurement); it knows nothing of results, cost or the comparison.',
      severity: 'error',
      from: { path: '^src/metrics/cloudwatch/' },
      to: { path: '^src/', pathNot: ['^src/(targets|metrics/(cloudwatch|measurement|stack-description))/', SRC_TOP] },
    },
    {
      name: 'metrics-cost-imports',
      comment: 'Cost is a pure function of a run\'s results: it reads the results contract and what the pull brought back, never the pull or the recorders.',
      severity: 'error',
      from: { path: '^src/metrics/cost/' },
      to: { path: '^src/', pathNot: ['^src/metrics/(cost|stack-description)/', CLOUDWATCH_RESULTS, '^src/metrics/results/results-schema\\.ts$', SRC_TOP] },
    },
    {
      name: 'metrics-results-imports',
      comment: 'results.json composes the sections other folders define (their schemas only) and is built from the recorders; it never depends on the comparison, the run, a command or a renderer.',
      severity: 'error',
      from: { path: '^src/metrics/results/' },
      to: {
        path: '^src/',
        pathNot: [
          '^src/metrics/(results|measurement|stack-description)/',
          CLOUDWATCH_RESULTS,
          '^src/metrics/cost/(cost|work)-schema\\.ts$',
          '^src/(scenarios|targets)/',
          '^src/verdict/verdict-schema\\.ts$',
          SRC_TOP,
        ],
      },
    },
    {
      name: 'metrics-compare-imports',
      comment:
        'The comparison is pure: runs\' results in, compare.json out, priced again at each size; the run drives it and the renderers show it. Of targets/ it reads only what a recorded target kind means (recorded-target.ts, pure: no target is opened).',
      severity: 'error',
      from: { path: '^src/metrics/compare/' },
      to: { path: '^src/', pathNot: ['^src/metrics/(compare|results|cost|stack-description)/', '^src/targets/recorded-target\\.ts$', CLOUDWATCH_RESULTS, SRC_TOP] },
    },
    {
      name: 'metrics-trend-imports',
      comment:
        'A trend is pure: runs\' results in, trend.json out; the command reads the files (with the reader it passes in) and the renderers show it. It names metrics as the verdict\'s catalogue does and takes the repeats\' median from there, and shuffles with the seeded random of the fleet.',
      severity: 'error',
      from: { path: '^src/metrics/trend/' },
      to: {
        path: '^src/',
        pathNot: ['^src/metrics/(trend|results)/', '^src/verdict/(metric-catalogue|repeat-range|verdict-schema)\\.ts$', '^src/fleet/random\\.ts$', SRC_TOP],
      },
    },
    {
      name: 'metrics-search-imports',
      comment:
        "A capacity search's plan, evidence and answer are pure: steps' judged results in, search.json out. It reads the results contract, what the pull brought back and the verdict's schema, comparison and rule for an SLO met (steps are judged by src/verdict, not again here); the run drives it and the renderers show it.",
      severity: 'error',
      from: { path: '^src/metrics/search/' },
      to: { path: '^src/', pathNot: ['^src/metrics/(search|results)/', CLOUDWATCH_RESULTS, '^src/verdict/(verdict-schema|threshold|slo-met)\\.ts$', SRC_TOP] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|cdk\\.out)/' },
    // type-only imports are dependencies too (a type cycle is a cycle)
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
