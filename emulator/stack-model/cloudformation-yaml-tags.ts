import { Pair, Scalar, YAMLMap, type CollectionTag, type ScalarTag, type Tags } from 'yaml';

/**
 * CloudFormation's YAML short forms (`!Ref X`, `!Sub '…'`, `!GetAtt A.B`, `!Join [ … ]`, …) as
 * the yaml library's custom tags: each becomes the long form's one-key mapping (`{ Ref: X }`,
 * `{ 'Fn::GetAtt': [A, B] }`), so the resolver sees JSON and YAML templates alike. The tag builds
 * a YAML node, not a plain object, so the library's own conversion (aliases and their bound
 * included) carries on inside it.
 */
const FUNCTIONS = [
  'Base64', 'Cidr', 'FindInMap', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform',
  'If', 'Equals', 'And', 'Or', 'Not', 'Length', 'ToJsonString', 'ForEach', 'GetAtt',
] as const;

function wrap(key: string, value: unknown): YAMLMap {
  const map = new YAMLMap();
  map.items.push(new Pair(new Scalar(key), value));
  return map;
}

function tagsFor(tag: string, key: string, scalar: (value: string) => unknown = (v) => v): Tags {
  // a scalar's value is plain data: returned as a plain object (a node here would reach toJS unconverted)
  const onScalar: ScalarTag = { tag, resolve: (value) => ({ [key]: scalar(value) }) };
  const onSeq: CollectionTag = { tag, collection: 'seq', resolve: (seq) => wrap(key, seq) };
  const onMap: CollectionTag = { tag, collection: 'map', resolve: (map) => wrap(key, map) };
  return [onScalar, onSeq, onMap];
}

/** `!GetAtt Res.Attr` names the resource before the first dot, the attribute after it (which may hold dots). */
function getAttScalar(value: string): unknown {
  const dot = value.indexOf('.');
  return dot < 0 ? value : [value.slice(0, dot), value.slice(dot + 1)];
}

export const CLOUDFORMATION_YAML_TAGS: Tags = [
  ...tagsFor('!Ref', 'Ref'),
  ...tagsFor('!Condition', 'Condition'),
  ...FUNCTIONS.flatMap((name) => tagsFor(`!${name}`, `Fn::${name}`, name === 'GetAtt' ? getAttScalar : undefined)),
];
