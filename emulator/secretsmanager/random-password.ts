import { randomInt } from 'node:crypto';

/**
 * Secrets Manager's password generator, as GetRandomPassword and a secret's GenerateSecretString
 * document it: 32 characters unless PasswordLength says otherwise (1–4,096), drawn from upper-
 * and lowercase letters, digits and the punctuation ``!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~``, each
 * kind removed by its Exclude switch, single characters by ExcludeCharacters, a space only with
 * IncludeSpace; RequireEachIncludedType (default true) puts at least one of every kind left in.
 */
export interface PasswordOptions {
  PasswordLength?: number;
  ExcludeCharacters?: string;
  ExcludeNumbers?: boolean;
  ExcludePunctuation?: boolean;
  ExcludeUppercase?: boolean;
  ExcludeLowercase?: boolean;
  IncludeSpace?: boolean;
  RequireEachIncludedType?: boolean;
}

export const DEFAULT_PASSWORD_LENGTH = 32;
export const MAX_PASSWORD_LENGTH = 4096;
const KINDS = {
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  numbers: '0123456789',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  space: ' ',
} as const;

/** The password, or why these options cannot make one (Secrets Manager's InvalidParameterException). */
export function randomPassword(o: PasswordOptions): { password: string } | { invalid: string } {
  const length = o.PasswordLength ?? DEFAULT_PASSWORD_LENGTH;
  if (!Number.isInteger(length) || length < 1 || length > MAX_PASSWORD_LENGTH) return { invalid: `PasswordLength must be between 1 and ${MAX_PASSWORD_LENGTH}.` };
  const excluded = new Set(o.ExcludeCharacters ?? '');
  const kinds = [
    o.ExcludeUppercase ? '' : KINDS.uppercase,
    o.ExcludeLowercase ? '' : KINDS.lowercase,
    o.ExcludeNumbers ? '' : KINDS.numbers,
    o.ExcludePunctuation ? '' : KINDS.punctuation,
    o.IncludeSpace ? KINDS.space : '',
  ]
    .map((chars) => [...chars].filter((c) => !excluded.has(c)).join(''))
    .filter((chars) => chars.length > 0);
  const all = kinds.join('');
  if (all.length === 0) return { invalid: 'The password has no characters left to be made of: every kind is excluded.' };
  const required = o.RequireEachIncludedType ?? true;
  if (required && kinds.length > length) return { invalid: `PasswordLength ${length} is too short to include each of the ${kinds.length} character types required.` };
  const chars = Array.from({ length }, () => all[randomInt(all.length)]!);
  if (required) {
    // one of each kind at distinct random places (a partial Fisher–Yates over the positions)
    const positions = Array.from({ length }, (_, i) => i);
    kinds.forEach((kind, k) => {
      const j = k + randomInt(length - k);
      [positions[k], positions[j]] = [positions[j]!, positions[k]!];
      chars[positions[k]!] = kind[randomInt(kind.length)]!;
    });
  }
  return { password: chars.join('') };
}
