/**
 * The direction imports may take, checked by test/architecture/import-rules.test.ts over src/,
 * emulator/, reference-stack/, common/ and artillery/engine/src. Every rule is an error and there are no
 * exceptions: a new import that breaks one either moves the code to where it belongs or changes
 * the rule, with its reason here. Type-only imports count (tsPreCompilationDeps): a type names
 * what its module depends on as much as a value does.
 */

/**
 * The harness's layers, bottom first (docs/development.md draws them). A folder of src/ imports
 * only from its own layer's folder, from layers below it, and from common/; folders of one layer
 * do not import each other. So no two folders can import each other, which `no-circular` (files)
 * alone cannot see.
 */
const LAYERS = [
  { name: 'base', folders: [], note: "src/'s own top-level modules: number formatting, the clock, seeded random" },
  { name: 'contracts', folders: ['contracts'], note: 'the schemas everything is written in: results, verdict, target, scenario, quotas, and the metric names thresholds use' },
  { name: 'plumbing', folders: ['aws', 'local-stack'], note: "AWS SDK clients and their errors; launching the emulator program and its Node binaries" },
  { name: 'measuring', folders: ['metrics'], note: 'recorders, the CloudWatch pull, the cost model, results.json' },
  { name: 'fleet', folders: ['fleet'], note: 'simulated clients and their protocols, pacing, shard processes; they record into metrics/measurement' },
  { name: 'scenarios', folders: ['scenarios'], note: 'loading, built-ins, overrides, the planned load' },
  { name: 'targets', folders: ['targets'], note: 'the kinds of target: local, a URL, aws:<stack>; resolved from a parsed target spec' },
  { name: 'diagnosing', folders: ['diagnosis'], note: "what limited a run, read from its results: one detector per kind of limit, each finding's share and what would move it, and the first cause of each failed check" },
  { name: 'judging', folders: ['verdict'], note: 'checks (pass or fail), thresholds, baselines, the verdict and the exit code; each failure explained by the diagnosis' },
  { name: 'analyses', folders: ['analyses'], note: 'compare, search, trend: pure, over judged results' },
  { name: 'showing', folders: ['report'], note: 'renderers: results in, text out' },
  { name: 'session', folders: ['session'], note: 'one measured session: input checked, target resolved and stopped, the run directory, warm-up, interrupts' },
  { name: 'modes', folders: ['modes', 'artillery-interop'], note: 'run, compare, sweeps and search supply the steps of a session; Artillery scripts and results' },
  { name: 'commands', folders: ['commands'], note: 'the CLI: flags in, one call out (src/cli.ts wires them)' },
];
const folderRe = (folders) => `^src/(${folders.join('|')})/`;
const ALL_FOLDERS = LAYERS.flatMap((l) => l.folders);
const layerRules = [
  {
    name: 'layers',
    comment: 'Every folder of src/ stands in one layer of LAYERS: a new folder is placed there first.',
    severity: 'error',
    from: { path: `^src/(?!(${ALL_FOLDERS.join('|')})/)[^/]+/` },
    to: {},
  },
  ...LAYERS.flatMap((layer, i) => {
    const above = LAYERS.slice(i + 1).flatMap((l) => l.folders);
    const rules = [];
    if (above.length > 0) {
      rules.push({
        name: 'layers',
        comment: `${layer.name} (${layer.note}) imports nothing of a layer above it.`,
        severity: 'error',
        from: { path: i === 0 ? '^src/(?!cli\\.ts$)[^/]+\\.ts$' : folderRe(layer.folders) },
        to: { path: i === 0 ? [folderRe(above), '^src/cli\\.ts$'] : folderRe(above) },
      });
    }
    // folders of one layer stand side by side: none imports another
    for (const f of layer.folders) {
      const peers = layer.folders.filter((p) => p !== f);
      if (peers.length > 0) {
        rules.push({ name: 'layers', comment: `${f}/ stands beside ${peers.join(', ')} in the ${layer.name} layer: neither imports the other.`, severity: 'error', from: { path: `^src/${f}/` }, to: { path: folderRe(peers) } });
      }
    }
    return rules;
  }),
];

/** What the CloudWatch pull brings back, for renderers to read: the reading of the local host's metrics. The rest of src/metrics/cloudwatch/ is the pull itself. */
const CLOUDWATCH_RESULTS = '^src/metrics/cloudwatch/local-host\\.ts$';
const CLOUDWATCH_PULL = '^src/metrics/cloudwatch/(?!local-host\\.ts$)';
/** src/'s base layer and its contracts: what every folder may import. */
const BASE = ['^src/(?!cli\\.ts$)[^/]+\\.ts$', '^src/contracts/'];

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

    // Three programs and a contract: the harness sees the system under test only as AWS would show
    // it; the emulator serves any stack of that shape, the reference stack's being one it reads.
    {
      name: 'harness-imports-no-stack',
      comment: 'The harness measures any target by URL and the AWS APIs; what it shares with the emulator and the reference stack lives in common/.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(reference-stack|emulator)/' },
    },
    {
      name: 'stack-imports-no-harness',
      comment: 'The reference stack and the emulator are the system under test: they run without the harness; shared code lives in common/.',
      severity: 'error',
      from: { path: '^(reference-stack|emulator)/' },
      to: { path: '^src/' },
    },
    {
      name: 'common-imports-neither',
      comment: 'common/ is the contract every program imports, so it depends on none of them.',
      severity: 'error',
      from: { path: '^common/' },
      to: { path: '^(src|reference-stack|emulator|artillery)/' },
    },
    {
      name: 'reference-stack-imports-no-emulator',
      comment: 'The reference stack deploys unchanged to AWS: its functions and its CDK app cannot depend on the emulator that hosts them locally.',
      severity: 'error',
      from: { path: '^reference-stack/' },
      to: { path: '^emulator/' },
    },
    {
      name: 'functions-import-no-infra',
      comment: 'The Lambda handlers deploy unchanged to AWS: they cannot depend on the CDK app that deploys them.',
      severity: 'error',
      from: { path: '^reference-stack/functions/' },
      to: { path: '^reference-stack/infra/' },
    },
    {
      name: 'emulator-reads-reference-stack-in-one-place',
      comment: "The emulator runs a stack description; emulator/stack-model/ reads the reference stack (its cloud assembly, in the shape a config asks for), and nothing else of the emulator knows that stack.",
      severity: 'error',
      from: { path: '^emulator/', pathNot: '^emulator/stack-model/' },
      to: { path: '^reference-stack/' },
    },

    // The harness's layers (LAYERS above), and folders that import each other at any depth.
    ...layerRules,
    {
      name: 'no-folder-cycle',
      comment: 'Two folders that import each other, at any depth (src/metrics/cost and src/metrics/results, say), cannot be read or moved one at a time; what both need goes below both.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },

    // Inside the layers: what a folder may import of its own layer and those below it.
    {
      name: 'contracts-import-only-contracts',
      comment: 'The contracts are plain schemas and the threshold language over them: they import nothing of the harness but each other and the base layer.',
      severity: 'error',
      from: { path: '^src/contracts/' },
      to: { path: '^src/', pathNot: BASE },
    },
    {
      name: 'renderers-import-no-target-run-or-command',
      comment: 'Renderers are pure: results in, text out; `fanout-bench report` re-renders a run with no target, fleet, AWS client, session or command at hand.',
      severity: 'error',
      from: { path: '^src/report/' },
      to: { path: '^src/(targets|aws|local-stack|fleet|scenarios)/' },
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
      comment: 'measurement/ is measured in memory while the fleet runs (the fleet imports it): it needs nothing of the harness but the contracts.',
      severity: 'error',
      from: { path: '^src/metrics/measurement/' },
      to: { path: '^src/', pathNot: ['^src/metrics/measurement/', ...BASE] },
    },
    {
      name: 'metrics-cloudwatch-imports',
      comment: 'The pull needs where CloudWatch is (aws/) and histograms (measurement); it knows nothing of results, cost or the comparison.',
      severity: 'error',
      from: { path: '^src/metrics/cloudwatch/' },
      to: { path: '^src/', pathNot: ['^src/(aws|metrics/(cloudwatch|measurement))/', ...BASE] },
    },
    {
      name: 'metrics-attribution-imports',
      comment: "The join is a pure function of the run's trace and the lines and facts it is fed: it reads the trace and histograms (measurement) and the contracts; reading the log groups is the session's, so it knows nothing of the pull, results, cost or a target.",
      severity: 'error',
      from: { path: '^src/metrics/attribution/' },
      to: { path: '^src/', pathNot: ['^src/metrics/(attribution|measurement)/', ...BASE] },
    },
    {
      name: 'metrics-cost-imports',
      comment: "Cost is a pure function of a run's results: it reads the contracts, never the pull or the recorders.",
      severity: 'error',
      from: { path: '^src/metrics/cost/' },
      to: { path: '^src/', pathNot: ['^src/metrics/cost/', ...BASE] },
    },
    {
      name: 'metrics-results-imports',
      comment: 'results.json is built from the recorders (and written beside its reader, src/report/run/results-file.ts); it never depends on the pull, the cost model, a comparison, a run or a renderer.',
      severity: 'error',
      from: { path: '^src/metrics/results/' },
      to: { path: '^src/', pathNot: ['^src/metrics/(results|measurement)/', ...BASE] },
    },
    {
      name: 'analyses-are-pure',
      comment:
        "compare, search and trend are pure: judged results in, their JSON out; the modes drive them and the renderers show them. Of the layers below they read the cost model (a comparison prices again at each size), the host's reading of CloudWatch, the quota attribution, the verdict's rule for an SLO met and repeat medians, the diagnosis of what limited a step, and what a recorded target kind means (and whether the emulator measured a run); nothing that opens a target or asks AWS.",
      severity: 'error',
      from: { path: '^src/analyses/' },
      to: {
        path: '^src/',
        pathNot: [
          '^src/analyses/',
          '^src/metrics/cost/',
          CLOUDWATCH_RESULTS,
          '^src/metrics/results/quota-attribution\\.ts$',
          '^src/metrics/results/measured-on\\.ts$',
          '^src/verdict/',
          '^src/diagnosis/',
          '^src/targets/recorded-target\\.ts$',
          ...BASE,
        ],
      },
    },
    {
      name: 'analyses-stand-apart',
      comment: 'Each analysis is its own idea: compare, search, trend (and plan) do not import one another.',
      severity: 'error',
      from: { path: '^src/analyses/([^/]+)/' },
      to: { path: '^src/analyses/', pathNot: '^src/analyses/$1/' },
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
