import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';

/** One module a file loads when it runs: the specifier as written, and where. */
export interface ModuleImport {
  specifier: string;
  line: number;
}

/**
 * The modules `file` loads at run time, read with TypeScript's own parser: `import … from 'x'`
 * and `import 'x'`, `export … from 'x'`, `import('x')`, `require('x')` and `require.resolve('x')`
 * (also `createRequire(…).resolve('x')`: the path of a package's file, read from disk). Type-only
 * forms are left out, since TypeScript erases them: `import type`, `export type`, an import whose
 * every name is marked `type`, and `import('x').T` in a type. An import written without `type`
 * counts even if only types use it; the fix is to write `type`. A specifier built at run time
 * (not a string literal) names a file, not a package, and is not read.
 */
export function moduleImports(file: string, text = readFileSync(file, 'utf8')): ModuleImport[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: ModuleImport[] = [];
  const add = (literal: ts.StringLiteralLike) =>
    found.push({ specifier: literal.text, line: source.getLineAndCharacterOfPosition(literal.getStart(source)).line + 1 });
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!typeOnlyImport(node.importClause)) add(node.moduleSpecifier);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!node.isTypeOnly) add(node.moduleSpecifier);
    } else if (ts.isCallExpression(node) && loadsModule(node.expression)) {
      const [first] = node.arguments;
      if (first && ts.isStringLiteralLike(first)) add(first);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function typeOnlyImport(clause: ts.ImportClause | undefined): boolean {
  if (!clause) return false; // `import 'x'`: run for its effects
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return !clause.name && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

/** `import(…)`, `require(…)`, `require.resolve(…)`, `createRequire(…).resolve(…)` */
function loadsModule(callee: ts.Expression): boolean {
  if (callee.kind === ts.SyntaxKind.ImportKeyword) return true;
  if (ts.isIdentifier(callee)) return callee.text === 'require';
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'resolve') return false;
  const target = callee.expression;
  return (ts.isIdentifier(target) && target.text === 'require') || (ts.isCallExpression(target) && ts.isIdentifier(target.expression) && target.expression.text === 'createRequire');
}

/**
 * The package a specifier loads (`@scope/name` for a scoped one, `pkg` for `pkg/sub/path`), or
 * undefined for a file (relative, absolute, a URL) or one of Node's built-ins (`node:fs`, `fs`).
 */
export function packageOf(specifier: string): string | undefined {
  if (/^(\.|\/|[a-z][a-z0-9+.-]*:)/i.test(specifier) || isBuiltin(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Each file's runtime imports (`moduleImports`), keyed by its path relative to `root`. */
export function importsOf(root: string, files: readonly string[]): Map<string, ModuleImport[]> {
  return new Map(files.map((f) => [f, moduleImports(join(root, f))]));
}

/**
 * Each package the files load that `dependencies` does not declare, as one line naming it and
 * every place it is imported (`aws-cdk-lib: emulator/x.ts:3, …`), sorted by package.
 */
export function undeclaredPackages(imports: ReadonlyMap<string, readonly ModuleImport[]>, dependencies: Readonly<Record<string, string>>): string[] {
  const where = new Map<string, string[]>();
  for (const [file, found] of imports) {
    for (const { specifier, line } of found) {
      const pkg = packageOf(specifier);
      if (pkg === undefined || Object.hasOwn(dependencies, pkg)) continue;
      where.set(pkg, [...(where.get(pkg) ?? []), `${file}:${line}`]);
    }
  }
  return [...where].sort(([a], [b]) => a.localeCompare(b)).map(([pkg, at]) => `${pkg}: ${at.join(', ')}`);
}
