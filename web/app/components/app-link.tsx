import { PrefetchPageLinks, useNavigate } from '@remix-run/react';
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

type AnchorProp = 'className' | 'title' | 'aria-current' | 'aria-label' | 'children';

/**
 * A link to an absolute path of the app (`/orders/…`), for the links every page renders many of (the orders' rows, the
 * main navigation): what Remix's `<Link prefetch="intent">` does for such a path, for a fraction of its render.
 * - A plain click navigates in the app (replacing the history entry when the link is to the page shown); a click with
 *   a modifier key or another button is the browser's (a new tab, a new window).
 * - The target's modules and data are prefetched once the pointer has rested on the link for 100 ms, or on focus or a
 *   touch.
 * - `data-discover` lets Remix discover the route, as it does for its own links.
 *
 * Remix's Link resolves its path against the matched routes on every render; for the orders page's 20 rows that was
 * ≈ 6 % of the dashboard's CPU per page (docs/performance.md, Dashboard render, round 7).
 */
export function AppLink({
  to,
  className,
  title,
  children,
  'aria-current': ariaCurrent,
  'aria-label': ariaLabel,
}: { to: `/${string}` } & Pick<AnchorHTMLAttributes<HTMLAnchorElement>, AnchorProp>) {
  const navigate = useNavigate();
  const [intent, setIntent] = useState(false);
  const [prefetch, setPrefetch] = useState(false);
  useEffect(() => {
    if (!intent) return;
    const timer = setTimeout(() => setPrefetch(true), 100);
    return () => clearTimeout(timer);
  }, [intent]);
  const start = () => setIntent(true);
  const cancel = () => {
    setIntent(false);
    setPrefetch(false);
  };
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.altKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    // As Remix's Link does, a link to the page already shown replaces its history entry instead of adding one.
    const { pathname, search, hash } = window.location;
    navigate(to, { replace: to === pathname + search + hash });
  };
  return (
    <>
      {/* Each attribute named, not spread: a spread made this element's props ≈ 6 % of the orders page's render. */}
      <a
        href={to}
        className={className}
        title={title}
        aria-current={ariaCurrent}
        aria-label={ariaLabel}
        data-discover="true"
        onClick={onClick}
        onMouseEnter={start}
        onFocus={start}
        onTouchStart={start}
        onMouseLeave={cancel}
        onBlur={cancel}
      >
        {children}
      </a>
      {prefetch ? <PrefetchPageLinks page={to} /> : null}
    </>
  );
}
