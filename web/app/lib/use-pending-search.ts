import { useLocation, useNavigation, useSearchParams } from '@remix-run/react';

/**
 * The query string the page is showing or about to show: while a search-param navigation is pending,
 * its target, so checkboxes and selects answer at once instead of after the router settles.
 */
export function usePendingSearch(): [string, ReturnType<typeof useSearchParams>[1]] {
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const navigation = useNavigation();
  const pending = navigation.location && navigation.location.pathname === location.pathname ? navigation.location.search : null;
  const search = pending !== null ? pending.replace(/^\?/, '') : params.toString();
  return [search, setParams];
}
