import type { IntegrationFailure } from '../contracts/cloudwatch-schema.ts';

/**
 * A value an `AWS` integration's template put into a form body unencoded, which the service read
 * otherwise than sent: a form body (`application/x-www-form-urlencoded`, what the Query APIs of
 * SQS and SNS take) decodes `+` as a space and `%xx` as its character, so a base64 value such as
 * `$context.requestId` reaches the service changed, and the service's error message shows the
 * changed value (SQS: `Value a b= for parameter MessageDeduplicationId is invalid`). Found where a
 * field of the request the template built is not form-encoded, reads otherwise decoded, and the
 * message shows the value as the service decoded it; undefined otherwise (a value
 * `$util.urlEncode` encoded reaches the service as it was).
 */
export interface UnencodedFormValue {
  field: string;
  sent: string;
  received: string;
}

export function unencodedFormValue(f: Pick<IntegrationFailure, 'message' | 'requestBody'>): UnencodedFormValue | undefined {
  if (f.requestBody === undefined || f.message === '') return undefined;
  for (const pair of f.requestBody.split('&')) {
    const sent = pair.slice(pair.indexOf('=') + 1);
    // as the service reads the field: URLSearchParams follows the form-urlencoded rules
    const [field, received] = [...new URLSearchParams(pair)][0] ?? [];
    if (field && received !== undefined && received !== sent && !encoded(received, sent) && received.trim() !== '' && f.message.includes(received)) return { field, sent, received };
  }
  return undefined;
}

/** Whether `sent` is `received` form-encoded, as `$util.urlEncode` would have sent it (its hex digits in either case). */
const encoded = (received: string, sent: string) => new URLSearchParams([['', received]]).toString().slice(1).toLowerCase() === sent.toLowerCase();
