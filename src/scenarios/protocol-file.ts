import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { readDataFile } from '../../common/data-file.ts';
import { UserError, fieldPath } from '../../common/errors.ts';
import { protocolFieldIssues } from '../contracts/protocol-schema.ts';

/**
 * A scenario's `protocol: { file }` or `{ module }`, relative to the scenario's folder: a file is
 * read and checked on its own (a mistake names the protocol file and its field) and returned
 * inline; a module's path is made absolute (the module itself is loaded and checked before the
 * run starts: protocol-module-check.ts). Anything else is returned as it is.
 */
export function resolveProtocolRef(value: unknown, dir: string, source: string): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const o = value as Record<string, unknown>;
  if (typeof o.module === 'string' && o.module.length > 0) {
    const path = isAbsolute(o.module) ? o.module : resolve(dir, o.module);
    if (!existsSync(path)) throw new UserError(`${source}: protocol.module: ${o.module}: no such file (relative to ${relative(process.cwd(), dir) || '.'})`);
    return { ...o, module: path };
  }
  if (typeof o.file !== 'string' || Object.keys(o).length !== 1) return value;
  const path = isAbsolute(o.file) ? o.file : resolve(dir, o.file);
  if (!existsSync(path)) throw new UserError(`${source}: protocol.file: ${o.file}: no such file (relative to ${relative(process.cwd(), dir) || '.'})`);
  const description = readDataFile(path, { what: 'protocol file' });
  // checked alone first, so the line names the protocol file; the scenario then checks the phases against it
  const issue = protocolFieldIssues(description, { rooms: 1, phases: [] })[0];
  if (issue && issue.path[0] === 'protocol' && issue.path.length > 1) throw new UserError(`${o.file}: ${fieldPath(issue.path.slice(1))}: ${issue.message}`);
  if (issue) throw new UserError(`${o.file}: ${issue.message}`);
  return description;
}
