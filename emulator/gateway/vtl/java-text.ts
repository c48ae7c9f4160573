/**
 * How a value prints in API Gateway's mapping templates, as observed on AWS (LocalStack's
 * AWS-recorded test `test_input_path_template_formatting`, see docs/aws-facts.md): an object from
 * `$input.path` prints as Java prints a map (`{foo=bar}`, `{bigger=dict, to=test, with=separators}`),
 * a list as JSON (`[{"foo":"bar"}]`, also inside a map: `{foo=[{"nested":"bar"}]}`), and a
 * reference whose value is null, or that names nothing, prints nothing (`"body": ,`), not its own
 * text as stock Velocity would.
 */

/** The text a `$reference` puts into the output. */
export function referenceText(value: unknown): string {
  return value === null || value === undefined ? '' : javaText(value);
}

/** `toString()` of a value: a map as Java's, a list as JSON text, null inside a map as `null`. */
export function javaText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return JSON.stringify(value);
  if (isMap(value)) {
    const entries = Object.entries(value).filter(([, v]) => typeof v !== 'function');
    return `{${entries.map(([k, v]) => `${k}=${javaText(v)}`).join(', ')}}`;
  }
  return String(value);
}

/** A JSON object (what `$input.path`, `$util.parseJson` and `#set($m = {})` give), not a list. */
export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
