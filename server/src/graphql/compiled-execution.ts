import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import { execute, getVariableValues, GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type Gateway = ApolloServerOptionsWithGateway<any>['gateway'];
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;

/**
 * graphql-jit's errors leave `extensions` unset when the thrown error has none, where Apollo and our formatError expect
 * graphql-js's (`{}`, or the original error's): the same error as graphql-js's `locatedError` builds it.
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  const located = new GraphQLError(error.message, { path: error.path, originalError: error.originalError });
  (located as { locations: GraphQLError['locations'] }).locations = error.locations;
  return located;
}

/**
 * Queries run as code compiled once per document (graphql-jit) instead of graphql-js walking the document afresh on
 * every request: a page of orders is ~1,000 fields. Apollo Server takes an executor only from a gateway, so this is a
 * gateway that serves our own schema; parsing, validation and every plugin hook but `willResolveField` (which no
 * plugin of ours uses) run as before, and the result's errors go through the same formatting.
 *
 * graphql-js still runs a document's first request, and what the compiled code would answer differently: mutations
 * (run one after another by graphql-js, and rare), documents without the requested operation, documents graphql-jit
 * cannot compile, and requests whose variables graphql-js refuses (its messages are the ones clients see).
 */
export function compiledExecution(schema: GraphQLSchema): Gateway {
  // Apollo's document store hands the same parsed document to every request of the same text. A document is compiled
  // on its second use: compiling costs several executions, so a stream of one-off documents is not made dearer.
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | null | 'seen once'>>();
  const compiledFor = (document: DocumentNode, operationName: string | undefined): CompiledQuery | null => {
    let byOperation = compiled.get(document);
    if (!byOperation) compiled.set(document, (byOperation = new Map()));
    const key = operationName ?? '';
    const known = byOperation.get(key);
    if (known === undefined) {
      byOperation.set(key, 'seen once');
      return null;
    }
    if (known !== 'seen once') return known;
    const result = compileQuery(schema, document, operationName);
    const query = isCompiledQuery(result) ? result : null;
    byOperation.set(key, query);
    return query;
  };

  const executor: Executor = async ({ document, operation, request, context }) => {
    const variables = request.variables;
    const plain = () => execute({ schema, document, contextValue: context, variableValues: variables, operationName: request.operationName });
    if (operation?.operation !== 'query') return plain();
    const query = compiledFor(document, request.operationName);
    if (!query) return plain();
    if (operation.variableDefinitions?.length && getVariableValues(schema, operation.variableDefinitions, variables ?? {}).errors) return plain();
    const result = await query.query(undefined, context, variables);
    return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
  };

  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async load() {
      return { executor };
    },
    async stop() {},
  };
}
