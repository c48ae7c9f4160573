import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { readDataFile } from '../../common/data-file.ts';
import { UserError } from '../../common/errors.ts';
import { describeIssue } from '../contracts/schema-issue.ts';
import { StackKnobs } from '../contracts/scenario-schema.ts';

/**
 * `compare --targets`: the deployed variants compared side by side. Either a comma-separated list
 * of targets (`aws:ChatArm64,aws:ChatX86`, each named by itself), or one YAML/JSON variants file
 * (its name ends in .yaml, .yml or .json) whose variants may also carry a local stack's knobs (the
 * scenario's `target:` keys, over the scenario's own) and the architecture to price:
 *
 *   variants:
 *     - { name: node22, target: local, knobs: { runtime: nodejs22.x } }
 *     - { name: node24, target: local, knobs: { runtime: nodejs24.x } }
 *
 * 2 to 12 variants, names unique. Every mistake one line naming the flag or the file and field.
 */
export interface Variant {
  name: string;
  /** local, aws:<stackName> or a wss:// URL: parsed with the variant's run input (checkRunInput), named by `field` */
  target: string;
  /** where the target and knobs were written, for messages: `--targets`, or the file's fields */
  field: { target: string; knobs?: string };
  /** a local target's knobs */
  knobs?: StackKnobs;
  /** priced as (default: --arch, else x86_64) */
  arch?: 'x86_64' | 'arm64';
}

const MAX_VARIANTS = 12;

const VariantsFile = z.strictObject({
  variants: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[A-Za-z0-9_.:@-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ . : @ -').optional(),
        target: z.string().min(1),
        knobs: StackKnobs.optional(),
        arch: z.enum(['x86_64', 'arm64']).optional(),
      }),
    )
    .min(2, `list 2 to ${MAX_VARIANTS} variants`)
    .max(MAX_VARIANTS, `list 2 to ${MAX_VARIANTS} variants`),
});

export function parseVariants(flag: string): Variant[] {
  const v = flag.trim();
  return /\.(ya?ml|json)$/i.test(v) && !v.includes(',') ? fromFile(v) : fromList(v);
}

function fromList(v: string): Variant[] {
  const parts = v.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw new UserError(`--targets: an empty item in "${v}" (a comma-separated list, e.g. --targets aws:ChatArm64,aws:ChatX86, or a variants file)`);
  if (parts.length < 2 || parts.length > MAX_VARIANTS) throw new UserError(`--targets: list 2 to ${MAX_VARIANTS} targets to compare, got ${parts.length} ("${v}")`);
  const count = new Map<string, number>();
  return parts.map((target) => {
    // the same target twice (an A/A comparison) gets a number: local, local#2
    const n = (count.get(target) ?? 0) + 1;
    count.set(target, n);
    return { name: n === 1 ? target : `${target}#${n}`, target, field: { target: '--targets' } };
  });
}

function fromFile(file: string): Variant[] {
  const parsed = VariantsFile.safeParse(readDataFile(file, { what: 'variants file' }));
  if (!parsed.success) throw new UserError(`${file}: ${describeIssue(parsed.error.issues[0]!)}`);
  const names = parsed.data.variants.map((x, i) => x.name ?? `variant-${i + 1}`);
  const twice = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (twice >= 0) throw new UserError(`${file}: variants[${twice}].name: "${names[twice]}" is given twice (names must be unique)`);
  return parsed.data.variants.map((x, i) => {
    const knobs = x.knobs ? { ...x.knobs } : undefined;
    // a stack config, template or token file named in the variants file is relative to it
    if (knobs?.config !== undefined) knobs.config = resolve(dirname(file), knobs.config);
    if (knobs?.template !== undefined) knobs.template = resolve(dirname(file), knobs.template);
    if (knobs && typeof knobs.auth === 'object' && knobs.auth.tokenFile !== undefined) knobs.auth = { ...knobs.auth, tokenFile: resolve(dirname(file), knobs.auth.tokenFile) };
    return { name: names[i]!, target: x.target, field: { target: `${file}: variants[${i}].target`, knobs: `${file}: variants[${i}].knobs` }, ...(knobs ? { knobs } : {}), ...(x.arch ? { arch: x.arch } : {}) };
  });
}
