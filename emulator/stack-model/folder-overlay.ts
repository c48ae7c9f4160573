import { copyFileSync, linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `from`'s files into `to`, replacing what is there: hard links where the file system allows,
 * else copies; links kept as links. What Lambda's extraction of a zip into a folder does, file
 * by file (a later layer over an earlier one's /opt, a built layer's folder), without copying
 * the bytes. `skip` names entries of `from`'s top level left out (a source's own node_modules).
 */
export function overlay(from: string, to: string, skip: ReadonlySet<string> = new Set()): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory()) {
      if (isSymlinkOrFile(dst)) rmSync(dst, { force: true });
      overlay(src, dst);
      continue;
    }
    rmSync(dst, { recursive: true, force: true });
    if (entry.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else if (entry.isFile()) linkOrCopy(src, dst);
  }
}

function linkOrCopy(src: string, dst: string): void {
  try {
    linkSync(src, dst);
  } catch {
    copyFileSync(src, dst);
  }
}

function isSymlinkOrFile(path: string): boolean {
  try {
    return !lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}
