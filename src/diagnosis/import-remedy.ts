import { factsOf, isLambdaRuntime } from '../../common/lambda-runtimes.ts';

/**
 * What would make a function's missing import load, said of what the stack uses: the package the
 * error names and the function's own runtime. Only an AWS SDK package is the runtime's to
 * provide (nodejs18.x and newer ship the SDK v3's `@aws-sdk/*` clients, older ones v2's
 * `aws-sdk`; Python runtimes boto3); any other package is the function's own dependency, which
 * its build step installs into its code (`sam build` for a SAM template, `npm ci` or
 * `pip install -t` in its code folder otherwise) or a layer carries (`nodejs/node_modules`, `python/`).
 */
export function importRemedy(message: string, runtime: string | undefined): string {
  const pkg = missingPackageOf(message);
  const known = runtime !== undefined && isLambdaRuntime(runtime) ? runtime : undefined;
  const ships = known ? factsOf(known).ships : undefined;
  const python = ships === 'boto3' || /No module named/.test(message);
  const until = 'every invocation fails until it loads';
  if (pkg !== undefined && isAwsSdkPackage(pkg, python)) {
    if (ships === 'aws-sdk-v3' && pkg === 'aws-sdk') return `${known} ships the AWS SDK v3 (@aws-sdk/* clients), not v2's aws-sdk: move the code to the v3 clients, or ship aws-sdk with the function's code; ${until}`;
    if (ships === 'aws-sdk-v2' && pkg.startsWith('@aws-sdk/')) return `${known} ships v2's aws-sdk, not the v3 clients: ship ${pkg} with the function's code, or run it on nodejs18.x or newer; ${until}`;
  }
  const what = pkg === undefined ? 'the module' : `'${pkg}'`;
  const install = python
    ? 'install it into the function\'s code folder (`sam build` does it for a SAM template from requirements.txt; else `pip install -r requirements.txt -t <code folder>`), or put it in a layer\'s python/'
    : 'install it into the function\'s code folder (`sam build` does it for a SAM template from package.json; else `npm ci` in the code folder, or bundle it), or put it in a layer\'s nodejs/node_modules';
  return `${what} is the function's own dependency, not its runtime's${known ? ` (${known})` : ''}: ${install}; ${until}`;
}

/** The package an import error names: Node's `Cannot find module 'x'` / `Cannot find package 'x'`, Python's `No module named 'x'`. */
export function missingPackageOf(message: string): string | undefined {
  const node = /Cannot find (?:module|package) '([^']+)'/.exec(message)?.[1];
  if (node !== undefined) {
    if (/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(node)) return undefined;
    const parts = node.split('/');
    return node.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  }
  return /No module named '([^'.]+)/.exec(message)?.[1];
}

function isAwsSdkPackage(pkg: string, python: boolean): boolean {
  return python ? pkg === 'boto3' || pkg === 'botocore' : pkg === 'aws-sdk' || pkg.startsWith('@aws-sdk/');
}
