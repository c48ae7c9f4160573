/**
 * CloudWatch Logs filter patterns, the unstructured-text subset: space-separated terms that must
 * all appear (`ERROR timeout`), "quoted phrases" matched literally (`"REPORT RequestId"`),
 * `?term` alternatives of which at least one must appear, and `-term` exclusions. Matching is
 * case-sensitive substring matching, as CloudWatch does for terms. JSON (`{ $.x = … }`) and
 * space-delimited (`[a, b]`) patterns are not supported and are rejected.
 */
export class FilterPatternError extends Error {
  override name = 'FilterPatternError';
}

export type LogMatcher = (message: string) => boolean;

const matchAll: LogMatcher = () => true;

export function compileFilterPattern(pattern: string | undefined): LogMatcher {
  const text = (pattern ?? '').trim();
  if (text === '') return matchAll;
  if (text.startsWith('{') || text.startsWith('[')) {
    throw new FilterPatternError(
      'Only literal terms and quoted phrases are supported in filterPattern by the local emulator (no JSON or space-delimited patterns)',
    );
  }
  const required: string[] = [];
  const anyOf: string[] = [];
  const excluded: string[] = [];
  for (const token of tokenize(text)) {
    if (token.prefix === '?') anyOf.push(token.term);
    else if (token.prefix === '-') excluded.push(token.term);
    else required.push(token.term);
  }
  return (message) => {
    for (const term of required) if (!message.includes(term)) return false;
    for (const term of excluded) if (message.includes(term)) return false;
    if (anyOf.length === 0) return true;
    for (const term of anyOf) if (message.includes(term)) return true;
    return false;
  };
}

function* tokenize(text: string): Generator<{ prefix: '' | '?' | '-'; term: string }> {
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (i >= text.length) return;
    let prefix: '' | '?' | '-' = '';
    if ((text[i] === '?' || text[i] === '-') && i + 1 < text.length && text[i + 1] !== ' ') {
      prefix = text[i] as '?' | '-';
      i++;
    }
    if (text[i] === '"') {
      let term = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        term += text[i++];
      }
      if (i >= text.length) throw new FilterPatternError('filterPattern has an unterminated quoted phrase');
      i++;
      yield { prefix, term };
    } else {
      const start = i;
      while (i < text.length && text[i] !== ' ' && text[i] !== '\t') i++;
      yield { prefix, term: text.slice(start, i) };
    }
  }
}
