import { Command, CommanderError } from 'commander';
import { UserError } from '../common/errors.ts';
import { addStackCommand } from './commands/stack.ts';
import { addRunCommand } from './commands/run.ts';
import { addReportCommand } from './commands/report.ts';
import { addCompareCommand } from './commands/compare.ts';
import { addSearchCommand } from './commands/search.ts';
import { addArtilleryCommand } from './commands/artillery-export.ts';
import { addTrendCommand } from './commands/trend.ts';
import { addPlanCommand } from './commands/plan.ts';

// Thin entry: each command module declares its flags and calls one function.
const program = new Command('fanout-bench')
  .description('Load-test WebSocket fan-out on AWS (API Gateway WebSocket -> Lambda -> DynamoDB)')
  // commander's own mistakes (unknown option, missing argument) as our one-line errors
  .configureOutput({ outputError: (text, write) => write(`fanout-bench: ${text.replace(/^error: /, '').trimEnd()} (see --help)\n`) })
  .exitOverride();

addRunCommand(program);
addCompareCommand(program);
addSearchCommand(program);
addStackCommand(program);
addReportCommand(program);
addArtilleryCommand(program);
addTrendCommand(program);
addPlanCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // commander already printed its message (help, version, unknown option ...)
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  if (err instanceof UserError) {
    process.stderr.write(`fanout-bench: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  throw err;
}
