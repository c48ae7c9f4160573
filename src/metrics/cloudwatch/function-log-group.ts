/**
 * Where a function's logs are: Lambda's `/aws/lambda/<name>`, unless its LoggingConfig.LogGroup
 * names another group (GetFunctionConfiguration says which; the target's function list keeps it).
 * Every pull of a function's log (REPORT lines, INIT failures, gone posts) asks this.
 */
export function defaultLogGroup(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** Function name → its log group, for the functions whose group is not the default. */
export type FunctionLogGroups = Readonly<Record<string, string>>;

export function functionLogGroup(functionName: string, groups?: FunctionLogGroups): string {
  return groups?.[functionName] ?? defaultLogGroup(functionName);
}

/** The groups a target's function list names (only those that are not the default). */
export function logGroupsOf(functions: ReadonlyArray<{ name: string; logGroup?: string }>): FunctionLogGroups {
  return Object.fromEntries(functions.flatMap((f) => (f.logGroup ? [[f.name, f.logGroup]] : [])));
}
