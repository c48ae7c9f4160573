// Runs main.ts through tsx's loader (like bin/fanout-bench.js), for the primary and its workers.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
