import { useEffect, useRef } from 'react';
import { useRevalidator } from '@remix-run/react';
import type { AnyVariables, CombinedError, UseQueryArgs, UseQueryResponse } from 'urql';
import { variablesKey } from './variables-key';

export interface SeededQuery<D> {
  data: D;
  fetching: boolean;
  error: CombinedError | undefined;
  /** Fetches again from the API (after a mutation, or on the Refresh button). */
  refresh: () => void;
}

/**
 * Loader data paints first (server-rendered); the generated hook takes over when the variables move away
 * from the loader's (search as you type, filters, paging) without a full route reload.
 * While the new result loads, the previous rows stay on screen and `fetching` is true.
 */
export function useSeededQuery<D, V extends AnyVariables>(
  useGeneratedQuery: (options: Omit<UseQueryArgs<V, D>, 'query'>) => UseQueryResponse<D, V>,
  seed: { variables: V; data: D },
  variables: V,
): SeededQuery<D> {
  const seeded = variablesKey(variables) === variablesKey(seed.variables);
  const [result, reexecute] = useGeneratedQuery({
    variables,
    pause: seeded,
    requestPolicy: 'cache-and-network',
  } as Omit<UseQueryArgs<V, D>, 'query'>);
  const revalidator = useRevalidator();
  const shown = useRef<D>(seed.data);

  const data = seeded ? seed.data : (result.data ?? shown.current);
  useEffect(() => {
    shown.current = data;
  });

  return {
    data,
    fetching: (!seeded && (result.fetching || Boolean(result.stale))) || revalidator.state === 'loading',
    error: seeded ? undefined : result.error,
    refresh: () => (seeded ? revalidator.revalidate() : reexecute({ requestPolicy: 'network-only' })),
  };
}
