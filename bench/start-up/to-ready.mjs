// `stack up` to its ready line, as a user's first command starts it, for timing the whole process
// tree from outside (farm-bench, /usr/bin/time): `node bench/start-up/to-ready.mjs <bin/fanout-bench.js>`.
// Starts `stack up --prepared 0 --exit-with-stdin`, closes the stack's stdin when the ready line
// comes (the stack then ends at once) and exits when the CLI has: exit 0 if it was ready.
import { spawn } from 'node:child_process';

const bin = process.argv[2];
if (!bin) {
  process.stderr.write('usage: node bench/start-up/to-ready.mjs <path to bin/fanout-bench.js>\n');
  process.exit(2);
}
const child = spawn(process.execPath, [bin, 'stack', 'up', '--prepared', '0', '--exit-with-stdin'], { stdio: ['pipe', 'pipe', 'ignore'] });
let ready = false;
child.stdout.on('data', (d) => {
  if (!ready && String(d).includes('"ready":true')) {
    ready = true;
    child.stdin.end();
  }
});
child.on('exit', () => process.exit(ready ? 0 : 1));
