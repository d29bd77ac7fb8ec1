import { useRouteError } from '@remix-run/react';
import { RouteErrorView } from './route-error';

/** The ErrorBoundary of a page inside the shell: thrown Responses (403, 404, 503) render in place. */
export function RouteErrorBoundary() {
  return <RouteErrorView error={useRouteError()} />;
}
