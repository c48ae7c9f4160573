import { UserError } from '../../common/errors.ts';

/**
 * Where in a template a value sits, as the user would look for it: `["Resources", "ChatFn",
 * "Properties", "Environment", "Variables", "TABLE"]` reads "resource ChatFn property
 * Environment.Variables.TABLE".
 */
export type TemplatePath = readonly (string | number)[];

export function describePath(path: TemplatePath): string {
  const [section, id, ...rest] = path;
  const tail = (parts: readonly (string | number)[]) =>
    parts.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
  if (section === 'Resources' && id !== undefined) {
    const props = rest[0] === 'Properties' ? rest.slice(1) : rest;
    return props.length > 0 ? `resource ${id} property ${tail(props)}` : `resource ${id}`;
  }
  if (section === 'Outputs' && id !== undefined) return rest.length > 0 ? `output ${id} ${tail(rest)}` : `output ${id}`;
  if (section === 'Conditions' && id !== undefined) return `condition ${id}`;
  if (section === 'Parameters' && id !== undefined) return rest.length > 0 ? `parameter ${id} property ${tail(rest)}` : `parameter ${id}`;
  if (section === 'Mappings' && id !== undefined) return `mapping ${id}`;
  return tail(path) || '(template)';
}

/** One line naming the file and the place in it: what the CLI prints, exit 2. */
export function templateError(file: string, path: TemplatePath, message: string): UserError {
  return new UserError(`${file}: ${describePath(path)}: ${message}`);
}
