import { UserError } from '../../../common/errors.ts';
import type { AwsRouteDescription } from '../../stack-model/stack-description.ts';
import { compileMappingTemplate, type MappingTemplate } from './mapping-template.ts';

/** A route's mapping templates, compiled: its integration's request templates and its integration response's. */
export interface RouteTemplates {
  /** template key (`$default`, or a value TemplateSelectionExpression yields) → template */
  request: ReadonlyMap<string, MappingTemplate>;
  response: ReadonlyMap<string, MappingTemplate>;
}

/**
 * Compiles every AWS route's templates at stack start. A template velocityjs cannot parse, or one
 * that calls something API Gateway does not have, is refused in one line naming the route, the
 * template and what is wrong, before anything listens.
 */
export function compileRouteTemplates(routes: readonly AwsRouteDescription[]): Map<string, RouteTemplates> {
  const compiled = new Map<string, RouteTemplates>();
  for (const route of routes) {
    compiled.set(route.routeKey, {
      request: compileAll(route, 'request', route.requestTemplates),
      response: compileAll(route, 'response', route.responseTemplates ?? {}),
    });
  }
  return compiled;
}

function compileAll(route: AwsRouteDescription, kind: 'request' | 'response', templates: Record<string, string>): Map<string, MappingTemplate> {
  const out = new Map<string, MappingTemplate>();
  for (const [key, source] of Object.entries(templates)) {
    try {
      out.set(key, compileMappingTemplate(source));
    } catch (err) {
      const property = kind === 'request' ? `integration ${route.integrationId} RequestTemplates` : `integration response of ${route.integrationId} ResponseTemplates`;
      throw new UserError(`route ${route.routeKey} (${property} "${key}"): ${(err as Error).message}`);
    }
  }
  return out;
}
