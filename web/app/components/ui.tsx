import type { ReactNode } from 'react';
import type { Problem } from '~/lib/errors';

/** An API error shown next to the action that caused it. */
export function ProblemText({ problem, id }: { problem: Problem | null | undefined; id?: string }) {
  if (!problem) return null;
  return (
    <p className="problem" role="alert" id={id} data-code={problem.code}>
      {problem.message}
    </p>
  );
}

/** A failed load of a page or section, with a retry when one makes sense. */
export function ProblemNotice({ problem, onRetry }: { problem: Problem | null | undefined; onRetry?: () => void }) {
  if (!problem) return null;
  return (
    <div className="notice notice--error">
      <ProblemText problem={problem} />
      {onRetry ? (
        <button type="button" className="btn btn--secondary btn--small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** Announces (to screen readers too) that a list is being refreshed, without hiding what is shown. */
export function UpdatingStatus({ fetching, what, className = 'filters__status' }: { fetching: boolean; what: string; className?: string }) {
  return (
    <span className={className} aria-live="polite">
      {fetching ? (
        <>
          <Spinner label={`Updating ${what}`} /> Updating…
        </>
      ) : null}
    </span>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <svg className="empty__icon" viewBox="0 0 48 48" aria-hidden="true">
        <rect x="8" y="10" width="32" height="28" rx="4" fill="none" stroke="currentColor" strokeWidth="2" />
        <path d="M8 18h32M16 26h10M16 31h16" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
      </svg>
      <h2 className="empty__title">{title}</h2>
      {children ? <p className="empty__text">{children}</p> : null}
      {action}
    </div>
  );
}

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1 className="page-header__title">{title}</h1>
        {subtitle ? <p className="page-header__subtitle">{subtitle}</p> : null}
      </div>
      {actions ? <div className="page-header__actions">{actions}</div> : null}
    </header>
  );
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return <span className="spinner" role="status" aria-label={label} />;
}

export function Card({ title, children, className, actions }: { title?: string; children: ReactNode; className?: string; actions?: ReactNode }) {
  return (
    <section className={`card ${className ?? ''}`} aria-label={title}>
      {title || actions ? (
        <header className="card__header">
          {title ? <h2 className="card__title">{title}</h2> : <span />}
          {actions}
        </header>
      ) : null}
      {children}
    </section>
  );
}
