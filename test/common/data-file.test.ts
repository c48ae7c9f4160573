import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_DATA_FILE_BYTES, readDataFile } from '../../common/data-file.ts';
import { UserError } from '../../common/errors.ts';
import { checkRunInput } from '../../src/session/run-input.ts';

const dir = mkdtempSync(join(tmpdir(), 'fb-data-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** The one line a user sees (a UserError, exit 2), or undefined if the file was read. */
function refusal(path: string): string | undefined {
  try {
    readDataFile(path, { what: 'scenario file' });
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    const message = (err as Error).message;
    expect(message.includes('\n')).toBe(false);
    return message;
  }
}

describe('reading a YAML or JSON file', () => {
  it('YAML syntax errors say line and column', () => {
    const p = file('tab.yaml', 'name: x\nphases:\n\t- connect: {}\n');
    expect(refusal(p)).toBe(`${p}:3:1: not valid YAML: Tabs are not allowed as indentation`);
    const q = file('quote.yaml', 'name: x\ndescription: "open\n');
    expect(refusal(q)).toMatch(new RegExp(`^${escape(q)}:3:1: not valid YAML: Missing closing "quote`));
  });

  it('JSON syntax errors say line and column', () => {
    const p = file('bad.json', '{\n  "name": "x",\n  "clients": 1,,\n}\n');
    expect(refusal(p)).toMatch(new RegExp(`^${escape(p)}:3:16: not valid JSON: `));
  });

  it('a duplicate key is refused at the second one, with its line and column', () => {
    const p = file('dup.yaml', 'name: a\nclients: 1\nrooms: 1\n  \nclients: 2\n');
    expect(refusal(p)).toBe(`${p}:5:1: not valid YAML: duplicate key "clients"`);
    const q = file('dup-nested.yaml', 'target:\n  memory: { fanout-connect: 256, fanout-connect: 512 }\n');
    expect(refusal(q)).toBe(`${q}:2:34: not valid YAML: duplicate key "fanout-connect"`);
  });

  it('an alias bomb is refused, not expanded', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [prev, name] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g'], ['g', 'h']]) {
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const p = file('bomb.yaml', `${lines.join('\n')}\n`);
    expect(refusal(p)).toBe(`${p}: not valid YAML: Excessive alias count indicates a resource exhaustion attack`);
    const q = file('unresolved.yaml', 'a: *nowhere\n');
    expect(refusal(q)).toMatch(new RegExp(`^${escape(q)}(:1:4)?: not valid YAML: `));
  });

  it('nesting too deep for the parser is one line, not a stack overflow', () => {
    const p = file('deep.yaml', `a: ${'['.repeat(5_000)}\n`);
    expect(refusal(p)).toBe(`${p}: not valid YAML: nested too deeply (Maximum call stack size exceeded)`);
  });

  it('a file over the size cap is refused before it is parsed', () => {
    const p = file('big.yaml', `description: "${'x'.repeat(MAX_DATA_FILE_BYTES)}"\n`);
    expect(refusal(p)).toBe(`${p}: larger than 1 MiB, the most a scenario file may be`);
  });

  it('a directory, a device and an unreadable file are one line naming the path', () => {
    const d = join(dir, 'a-dir.yaml');
    mkdirSync(d);
    expect(refusal(d)).toMatch(new RegExp(`^${escape(d)}: (not a regular file \\(expected a scenario file\\)|cannot read scenario file \\(EISDIR\\))$`));
    expect(refusal('/dev/zero')).toBe('/dev/zero: not a regular file (expected a scenario file)');
    // a FIFO: opening it must not wait for a writer
    const fifo = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(refusal(fifo)).toBe(`${fifo}: not a regular file (expected a scenario file)`);
    expect(refusal(join(dir, 'missing.yaml'))).toBe(`${join(dir, 'missing.yaml')}: cannot read scenario file (ENOENT)`);
    if (process.getuid?.() !== 0) {
      // root reads any file: the permission case exists only for other users
      const p = file('secret.yaml', 'name: x\n');
      chmodSync(p, 0o000);
      expect(refusal(p)).toBe(`${p}: cannot read scenario file (EACCES)`);
    }
  });

  it('a file that stat calls empty (/proc) is still read with the bound', () => {
    // /proc/self/status reports size 0 but has content: it is read (and is valid YAML: key: value lines)
    expect(readDataFile('/proc/self/status', { what: 'scenario file' })).toMatchObject({ Name: expect.any(String) });
  });

  it('a mapping of 1 MiB of keys parses in linear time', { timeout: 30_000 }, () => {
    // The library's own unique-key check is quadratic: this file took minutes with it, about a second without.
    let text = 'name: wide\nclients: 1\nrooms: 1\nphases: [{ connect: {} }]\ntarget:\n  memory:\n';
    for (let i = 0; text.length < MAX_DATA_FILE_BYTES - 40; i++) text += `    function-${i}: 256\n`;
    const p = file('wide.yaml', text);
    const parsed = readDataFile(p, { what: 'scenario file' }) as { target: { memory: Record<string, number> } };
    expect(Object.keys(parsed.target.memory).length).toBeGreaterThan(40_000);
    // and the run's input is then refused for what it says, naming the first unknown function
    expect(() => checkRunInput({ scenario: p, ignoreHostLimits: true })).toThrow(`${p}: target.memory.function-0: unknown function`);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
