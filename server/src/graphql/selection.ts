import {
  getArgumentValues,
  getNamedType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';

/** The fields of a selection set, fragments and inline fragments flattened (directives ignored: over-reading is safe). */
function fieldsOf(set: SelectionSetNode | undefined, info: GraphQLResolveInfo, into: FieldNode[] = [], seen = new Set<string>()): FieldNode[] {
  for (const selection of set?.selections ?? []) {
    if (selection.kind === 'Field') into.push(selection);
    else if (selection.kind === 'InlineFragment') fieldsOf(selection.selectionSet, info, into, seen);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      fieldsOf(info.fragments[selection.name.value]?.selectionSet, info, into, seen);
    }
  }
  return into;
}

/**
 * The names of the fields the client selected under the resolving field, one level per `path` element: `[]` for its
 * own fields, `['nodes']`, `['edges', 'node']` for a connection's nodes. Several paths are merged. Lets a resolver read
 * in its own statement what the client will ask for next (an order's items, a page's totalCount).
 */
export function selectedFields(info: GraphQLResolveInfo, ...paths: string[][]): Set<string> {
  const names = new Set<string>();
  for (const path of paths) {
    let level = info.fieldNodes.flatMap((node) => fieldsOf(node.selectionSet, info));
    for (const step of path) {
      level = level.filter((field) => field.name.value === step).flatMap((field) => fieldsOf(field.selectionSet, info));
    }
    for (const field of level) names.add(field.name.value);
  }
  return names;
}

/**
 * The arguments (variables resolved, defaults applied) of each selection of the field `name` directly under the
 * resolving field: lets a resolver read ahead what a child field will ask for (the best sellers' limit).
 */
export function selectedArguments(info: GraphQLResolveInfo, name: string): Record<string, unknown>[] {
  const type = getNamedType(info.returnType);
  const definition = isObjectType(type) ? type.getFields()[name] : undefined;
  if (!definition) return [];
  return info.fieldNodes
    .flatMap((node) => fieldsOf(node.selectionSet, info))
    .filter((field) => field.name.value === name)
    .map((field) => getArgumentValues(definition, field, info.variableValues));
}

/**
 * Whether a query of the document selects the fields of `path` from its root (`['viewer', 'brand']`), through aliases,
 * fragments and inline fragments (directives ignored: reading ahead for nothing is only a wasted column). Lets the
 * HTTP gate tell, once per document, what a request's first statement may read along.
 */
export function documentSelects(document: DocumentNode, path: string[]): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const fields = (set: SelectionSetNode | undefined, into: FieldNode[] = [], seen = new Set<string>()): FieldNode[] => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) into.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) fields(selection.selectionSet, into, seen);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        fields(fragments.get(selection.name.value)?.selectionSet, into, seen);
      }
    }
    return into;
  };
  return document.definitions.some((definition) => {
    if (definition.kind !== Kind.OPERATION_DEFINITION || definition.operation !== 'query') return false;
    let level = fields(definition.selectionSet);
    for (const step of path) level = level.filter((field) => field.name.value === step).flatMap((field) => (field.selectionSet ? fields(field.selectionSet) : [field]));
    return level.length > 0;
  });
}
