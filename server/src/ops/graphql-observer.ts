import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLContext } from '../graphql/context';
import { operationLabel, recordGraphQLRequest } from './metrics';
import { secondsSince, type RequestObservation } from './request-log';

/** Keyed by the request context: Apollo hands plugins a shallow copy of the GraphQL context, never the object itself. */
const observations = new WeakMap<object, RequestObservation>();

/** Ties a GraphQL context to its HTTP request's log line, so the plugin below can fill it in. */
export function observeContext(context: GraphQLContext, seen: RequestObservation): GraphQLContext {
  observations.set(context.ctx, seen);
  return context;
}

/** Counts and times every GraphQL request by operation name and outcome, and tells the request's log line about it. */
export function graphqlObserver(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ request, contextValue }) {
      const started = process.hrtime.bigint();
      let operation = operationLabel(request.operationName);
      return {
        async didResolveOperation({ operationName }) {
          operation = operationLabel(operationName);
        },
        async willSendResponse({ response }) {
          // An answer thrown away (graphql/http-handler.ts) is made again, and counted then.
          if (contextValue.ctx.answerWithheld) return;
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const outcome = errors?.length ? String(errors[0].extensions?.code ?? 'ERROR') : 'ok';
          recordGraphQLRequest(operation, outcome, secondsSince(started));
          const seen = observations.get(contextValue.ctx);
          if (!seen) return;
          const principal = contextValue.ctx.principal;
          seen.operation = operation;
          seen.outcome = outcome;
          if (principal) {
            seen.actor = principal.actor.id ? `${principal.actor.type}:${principal.actor.id}` : principal.actor.type;
            seen.brand = principal.brandId;
          }
        },
      };
    },
  };
}
