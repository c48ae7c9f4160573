import type { z } from 'zod';
import { readBounded, readDataFile } from '../../common/data-file.ts';
import { fieldPath, UserError } from '../../common/errors.ts';
import { COUNTERS } from './metric-names.ts';
import { ArtilleryOutput } from './output-schema.ts';
import { ExportedScript } from './plan-schema.ts';

/**
 * Artillery's `--output` JSON and, optionally, the script `artillery export` wrote, read and
 * checked. Every mistake is one line naming the file and the field (exit 2).
 */

/** An hour-long run writes a few MB (one entry per 10-second period); this bounds a wrong path to a huge file. */
export const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
/** A worker's plan lists its rooms: thousands of them are a few hundred KB. */
export const MAX_SCRIPT_BYTES = 16 * 1024 * 1024;

export function readArtilleryOutput(file: string): ArtilleryOutput {
  const text = readBounded(file, 'Artillery output (artillery run --output)', MAX_OUTPUT_BYTES);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const output = valid(ArtilleryOutput, raw, file);
  if (!((output.aggregate.counters[COUNTERS.workers] ?? 0) > 0)) {
    throw new UserError(
      `${file}: aggregate.counters["${COUNTERS.workers}"]: missing: not the output of a run of the fanout engine (a script from fanout-bench artillery export)`,
    );
  }
  return output;
}

export function readExportedScript(file: string): ExportedScript {
  return valid(ExportedScript, readDataFile(file, { what: 'Artillery script', maxBytes: MAX_SCRIPT_BYTES }), file);
}

function valid<T extends z.ZodType>(schema: T, raw: unknown, file: string): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const missing = /^Invalid input: expected (\w+), received undefined$/.exec(issue.message);
    throw new UserError(`${file}: ${fieldPath(issue.path)}: ${missing ? `missing (expected ${missing[1]})` : issue.message}`);
  }
  return parsed.data;
}
