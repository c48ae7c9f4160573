import { UserError } from './errors.ts';
import { readBounded } from './data-file.ts';

/**
 * The token a stack's $connect authorizer expects, as the user hands it over: the
 * FANOUT_BENCH_TOKEN environment variable or a file. Read here and nowhere else, and never
 * printed: a mistake names the file or the variable, never what it holds. The harness sends it;
 * a local stack seeds its Parameter Store with it.
 */
export const TOKEN_ENV = 'FANOUT_BENCH_TOKEN';
/** Parameter Store's standard tier holds at most 4 KB per value. */
export const MAX_TOKEN_BYTES = 4096;

export interface TokenSource {
  /** a file holding the token (wins over the environment) */
  file?: string;
  /** how the file was named, for messages: "--token-file" */
  fileField?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * A secret the user names by where it is (a publish's header: src/session/publish-headers.ts): an
 * environment variable's value, or a file's (less one trailing line break), checked as a token
 * is; `where` names the field, and a mistake names the variable or the file, never the value.
 */
export function readSecret(source: { env: string } | { file: string }, where: string, env: NodeJS.ProcessEnv = process.env): string {
  if ('file' in source) {
    let text: string;
    try {
      text = readBounded(source.file, 'value file', MAX_TOKEN_BYTES);
    } catch (err) {
      throw err instanceof UserError ? new UserError(`${where}: ${err.message}`) : err;
    }
    return checked(text.replace(/\r?\n$/, ''), `${where}: ${source.file}`);
  }
  const value = env[source.env];
  if (value === undefined || value === '') throw new UserError(`${where}: the environment variable ${source.env} is not set`);
  return checked(value, `${where}: ${source.env}`);
}

/** The token, or undefined when neither the file nor the variable gives one. */
export function readToken(source: TokenSource): string | undefined {
  if (source.file !== undefined) {
    const text = readBounded(source.file, 'token file', MAX_TOKEN_BYTES);
    return checked(text.replace(/\r?\n$/, ''), `${source.fileField ?? 'token file'} ${source.file}`);
  }
  // Empty counts as unset: that is what an unset CI secret expands to.
  const value = (source.env ?? process.env)[TOKEN_ENV];
  return value === undefined || value === '' ? undefined : checked(value, TOKEN_ENV);
}

function checked(token: string, where: string): string {
  if (token === '') throw new UserError(`${where}: the token is empty`);
  if (Buffer.byteLength(token) > MAX_TOKEN_BYTES) throw new UserError(`${where}: the token is longer than ${MAX_TOKEN_BYTES} bytes`);
  // A header cannot carry control characters; a token with one was mangled on its way here.
  if (/[\x00-\x1f\x7f]/.test(token)) throw new UserError(`${where}: the token contains a control character (a line break inside?)`);
  return token;
}
