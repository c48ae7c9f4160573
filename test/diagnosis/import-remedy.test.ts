import { describe, expect, it } from 'vitest';
import { importRemedy, missingPackageOf } from '../../src/diagnosis/import-remedy.ts';

// A missing import's remedy names what the stack uses: its package and its own runtime. Only an
// AWS SDK package is its runtime's to give; any other is the function's own dependency, which its
// build installs (issue 67: `Cannot find module 'jsonwebtoken'` was told about the SDK nodejs18.x bundles).
describe('the remedy of a Runtime.ImportModuleError', () => {
  it('reads the package from Node and Python import errors', () => {
    expect(missingPackageOf("Error: Cannot find module 'jsonwebtoken'\nRequire stack:\n- /var/task/index.js")).toBe('jsonwebtoken');
    expect(missingPackageOf("Cannot find package '@aws-sdk/client-sqs' imported from /var/task/app.mjs")).toBe('@aws-sdk/client-sqs');
    expect(missingPackageOf("Cannot find module 'lodash/get'")).toBe('lodash');
    expect(missingPackageOf("Cannot find module './lib/util'")).toBeUndefined();
    expect(missingPackageOf("Unable to import module 'app': No module named 'yaml.loader'")).toBe('yaml');
  });

  it("a package that is not an AWS SDK package is the function's own dependency: no word of the SDK", () => {
    const r = importRemedy("Error: Cannot find module 'jsonwebtoken'", 'nodejs18.x');
    expect(r).toBe("'jsonwebtoken' is the function's own dependency, not its runtime's (nodejs18.x): install it into the function's code folder (`sam build` does it for a SAM template from package.json; else `npm ci` in the code folder, or bundle it), or put it in a layer's nodejs/node_modules; every invocation fails until it loads");
    expect(r).not.toMatch(/SDK/);
    expect(importRemedy("Unable to import module 'app': No module named 'jwt'", 'python3.12')).toMatch(/^'jwt' is the function's own dependency, not its runtime's \(python3\.12\): .*requirements\.txt.* layer's python\//);
  });

  it("the SDK a runtime does not ship is said of that runtime", () => {
    expect(importRemedy("Error: Cannot find module 'aws-sdk'", 'nodejs22.x')).toMatch(/^nodejs22\.x ships the AWS SDK v3 \(@aws-sdk\/\* clients\), not v2's aws-sdk: /);
    expect(importRemedy("Cannot find package '@aws-sdk/client-dynamodb' imported from /var/task/a.mjs", 'nodejs16.x')).toMatch(/^nodejs16\.x ships v2's aws-sdk, not the v3 clients: ship @aws-sdk\/client-dynamodb/);
  });
});
