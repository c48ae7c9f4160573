import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { publishHeaders } from '../../src/session/publish-headers.ts';

/** A publish phase's headers read before load: values from the environment or a file, a mistake in one line that never holds a value. */
const dir = mkdtempSync(join(tmpdir(), 'fb-publish-headers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FIELD = 'run.yaml: phases[1].publish.headers';
const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('not refused');
};

describe('publish headers', () => {
  it('reads a value as written, from a variable and from a file (less its last line break), each prefix before it', () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'from-the-file\n');
    const headers = publishHeaders({ Authorization: { file, prefix: 'Bearer ' }, 'X-Team': { env: 'TEAM' }, 'X-Client': 'bench' }, FIELD, { TEAM: 'blue' });
    expect(headers).toEqual({ Authorization: 'Bearer from-the-file', 'X-Team': 'blue', 'X-Client': 'bench' });
  });

  it('refuses an unset or empty variable, a missing file, an empty one and a value with a line break inside, naming the header and the source, never the value', () => {
    expect(refusal(() => publishHeaders({ Authorization: { env: 'NOTIFY_TOKEN' } }, FIELD, {}))).toBe(`${FIELD}.Authorization: the environment variable NOTIFY_TOKEN is not set`);
    expect(refusal(() => publishHeaders({ Authorization: { env: 'NOTIFY_TOKEN' } }, FIELD, { NOTIFY_TOKEN: '' }))).toBe(`${FIELD}.Authorization: the environment variable NOTIFY_TOKEN is not set`);
    const missing = join(dir, 'absent');
    expect(refusal(() => publishHeaders({ Authorization: { file: missing } }, FIELD, {}))).toBe(`${FIELD}.Authorization: ${missing}: cannot read value file (ENOENT)`);
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    expect(refusal(() => publishHeaders({ Authorization: { file: empty } }, FIELD, {}))).toBe(`${FIELD}.Authorization: ${empty}: the token is empty`);
    const broken = 'first-half\nsecond-half';
    const m = refusal(() => publishHeaders({ Authorization: { env: 'T' } }, FIELD, { T: broken }));
    expect(m).toBe(`${FIELD}.Authorization: T: the token contains a control character (a line break inside?)`);
    expect(m).not.toContain('half');
  });
});
