import { basename, dirname, extname, resolve } from 'node:path';
import { UserError } from '../../common/errors.ts';

/**
 * A CloudFormation stack name: a letter, then letters, digits and hyphens, at most 128. Given
 * (`--stack-name`), it must be one; derived from a template's file name, it is made one
 * (`my_chat.yaml` → `my-chat`; SAM's conventional `template.yaml` takes its directory's name, as
 * `sam init` names the project).
 */
const VALID = /^[A-Za-z][-A-Za-z0-9]{0,127}$/;

export function checkStackName(name: string): string {
  if (!VALID.test(name)) throw new UserError(`--stack-name ${JSON.stringify(name)}: a stack name is a letter, then letters, digits and hyphens, at most 128`);
  return name;
}

export function stackNameFromFile(file: string): string {
  const base = basename(file, extname(file));
  const generic = ['template', 'cloudformation', 'stack', 'packaged', 'cloudformation-template-update-stack'];
  const source = generic.includes(base.toLowerCase()) ? basename(dirname(resolve(file))) : base;
  let name = source.replace(/[^-A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (!/^[A-Za-z]/.test(name)) name = `stack-${name}`;
  return name.slice(0, 128).replace(/-+$/, '') || 'stack';
}
