import { Link, isRouteErrorResponse } from '@remix-run/react';

const TITLES: Record<number, string> = {
  400: 'This request cannot be shown',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Not found',
  503: 'Service unavailable',
};

/** Renders what a loader threw: a Response (404, 403, 503…) or an unexpected error. */
export function RouteErrorView({ error }: { error: unknown }) {
  let status = 500;
  let message = 'Something went wrong on our side. Please try again in a moment.';
  if (isRouteErrorResponse(error)) {
    status = error.status;
    const data = error.data as { message?: string } | string | null;
    message = (typeof data === 'string' ? data : data?.message) || error.statusText || message;
  } else if (error instanceof Error && import.meta.env.DEV) {
    message = error.message;
  }
  const retryable = status >= 500;
  return (
    <section className="error-view" role="alert" aria-live="assertive">
      <p className="error-view__status">{status}</p>
      <h1 className="error-view__title">{TITLES[status] ?? 'Something went wrong'}</h1>
      <p className="error-view__message">{message}</p>
      <div className="error-view__actions">
        <Link to="/orders" className={`btn ${retryable ? 'btn--secondary' : 'btn--primary'}`}>
          Back to the orders list
        </Link>
        {/* Trying again helps only when the fault is ours or the service's, not for a missing page or a refusal. */}
        {retryable ? (
          <button type="button" className="btn btn--ghost" onClick={() => window.location.reload()}>
            Try again
          </button>
        ) : null}
      </div>
    </section>
  );
}
