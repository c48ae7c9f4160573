import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './cache-dir.ts';

/**
 * The AWS SDK for JavaScript v2 (`aws-sdk`) that Lambda's nodejs16.x and older runtimes ship:
 * fetched once into the cache by `stack install-node nodejs16.x` (or any runtime that ships it),
 * never a dependency of the package (about 90 MB installed, for the few stacks that need it).
 * Pinned to v2's last release, 2.1693.0 (v2 reached end of support in 2025): AWS's runtimes page
 * does not say which 2.x each runtime carried last, and the newest has every fix.
 */
export const AWS_SDK_V2_VERSION = '2.1693.0';

/** The folder it is installed into (`npm install --prefix`): the cache's node/ folder, beside the pinned Nodes. */
export function awsSdkV2Prefix(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir('node', { env }).dir, `aws-sdk-v${AWS_SDK_V2_VERSION}`);
}

/** The installed package's directory, when it is there. */
export function installedAwsSdkV2(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = join(awsSdkV2Prefix(env), 'node_modules', 'aws-sdk');
  return existsSync(join(dir, 'package.json')) ? dir : undefined;
}

/** The line naming the command that fetches it, for a stack that needs it and lacks it. */
export function missingAwsSdkV2(runtime: string, env: NodeJS.ProcessEnv = process.env): string {
  return `${runtime} ships the AWS SDK for JavaScript v2 (aws-sdk), which is not in ${awsSdkV2Prefix(env)}: run \`npx fanout-bench stack install-node ${runtime}\` once to fetch it`;
}
