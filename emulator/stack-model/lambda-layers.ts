import { createHash } from 'node:crypto';
import { renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { overlay } from './folder-overlay.ts';
import type { FunctionCodeReader } from './function-code.ts';
import { layerAsBuilt } from './layer-build.ts';
import type { LayerDescription } from './stack-description.ts';
import type { StackTemplate } from './stack-template.ts';
import { templateError } from './template-errors.ts';

/**
 * A function's `Layers` as Lambda loads them (Lambda developer guide, "Layers"): at most five,
 * each extracted into /opt in the order given, a later layer's file replacing an earlier one's.
 * A layer is a LayerVersion of the template (`Ref`, or its ARN), whose content is local
 * (lambda `Content`, SAM's `ContentUri` after sam-transform.ts, a CDK asset, a Serverless
 * package's zip), or a layer from outside the template mapped to a local folder by the stack
 * config (`template.layers`, a scenario's `target.layers`); any other is refused before the
 * stack starts, in one line saying how to map it. AWS's Lambda Insights extension is not a
 * layer here: the emulator writes its record itself.
 *
 * The merged /opt is a folder of the work directory (the real /opt is never written): one
 * layer is its own content folder as it is; several are merged file by file with hard links
 * (copies across file systems), once per list of layers.
 */

/** AWS's Lambda Insights extension layer: `arn:aws:lambda:<region>:<account>:layer:LambdaInsightsExtension[-Arm64]:<version>`. */
export const INSIGHTS_LAYER = /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:layer:LambdaInsightsExtension(-Arm64)?:\d+$/;
/** Lambda's quota: five layers per function. */
export const MAX_LAYERS = 5;

export interface FunctionLayers {
  /** the function has the Lambda Insights extension's layer */
  insights: boolean;
  layers: LayerDescription[];
  /** the folder standing in for /opt, when it has layers */
  opt?: string;
}

export async function readFunctionLayers(t: StackTemplate, logicalId: string, given: readonly unknown[], code: FunctionCodeReader): Promise<FunctionLayers> {
  const at = ['Resources', logicalId, 'Properties', 'Layers'];
  const templateLayers = new Map(t.ofType('AWS::Lambda::LayerVersion').map((id) => [t.ref(id), id] as const));
  let insights = false;
  const layers: LayerDescription[] = [];
  for (const [i, entry] of given.entries()) {
    const arn = t.resolve(entry, [...at, String(i)]);
    if (typeof arn !== 'string') throw templateError(t.file, [...at, String(i)], 'must resolve to a layer version ARN');
    if (INSIGHTS_LAYER.test(arn)) {
      insights = true;
      continue;
    }
    const layerId = templateLayers.get(arn);
    if (layerId !== undefined) {
      const content = await code.layerContent(layerId, t.properties(layerId).Content);
      // a layer SAM builds (Metadata BuildMethod) loads as `sam build` leaves it
      layers.push({ arn, logicalId: layerId, dir: await layerAsBuilt(t, layerId, content, code.workDir) });
      continue;
    }
    const mapped = code.externalLayers[arn];
    if (mapped === undefined) {
      throw templateError(
        t.file,
        [...at, String(i)],
        `${arn} is a layer from outside the template, so its content is not here: map it to a local folder holding what the layer holds (nodejs/node_modules/…, python/…) with the stack's layers option (emulator config \`template.layers\`, a scenario's \`target.layers\`: { "${arn}": ./path })`,
      );
    }
    const dir = resolve(mapped);
    if (!isDirectory(dir)) throw templateError(t.file, [...at, String(i)], `${arn} is mapped to ${mapped}, which is not a folder`);
    layers.push({ arn, dir });
  }
  if (layers.length + (insights ? 1 : 0) > MAX_LAYERS) throw templateError(t.file, at, `${layers.length + (insights ? 1 : 0)} layers: Lambda allows at most ${MAX_LAYERS} per function`);
  if (layers.length === 0) return { insights, layers };
  return { insights, layers, opt: mergedOpt(layers.map((l) => l.dir), code) };
}

/** The merges one read has made, by list of layers: functions sharing their layers share one /opt. */
const merges = new WeakMap<FunctionCodeReader, Map<string, string>>();

/** One layer: its folder. Several: one folder of them all, later ones over earlier ones, made once per list in a read. */
function mergedOpt(dirs: readonly string[], code: FunctionCodeReader): string {
  if (dirs.length === 1) return dirs[0]!;
  const key = dirs.join('\0');
  const made = merges.get(code) ?? new Map<string, string>();
  merges.set(code, made);
  const done = made.get(key);
  if (done) return done;
  const target = join(code.workDir, 'opt', createHash('sha256').update(key).digest('hex').slice(0, 12));
  const building = `${target}.building`;
  // a work directory reused from an earlier read: merged afresh
  rmSync(building, { recursive: true, force: true });
  rmSync(target, { recursive: true, force: true });
  for (const dir of dirs) overlay(dir, building);
  renameSync(building, target);
  made.set(key, target);
  return target;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
