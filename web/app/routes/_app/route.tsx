import type { LoaderFunctionArgs } from '@remix-run/node';
import { Form, NavLink, Outlet, useLoaderData, useLocation, useNavigation, useRouteError, useRouteLoaderData, type ShouldRevalidateFunction } from '@remix-run/react';
import { useEffect, useRef, useState } from 'react';
import { Provider } from 'urql';
import { AppLink } from '~/components/app-link';
import { RoleBadge } from '~/components/badges';
import { LocalePicker } from '~/components/locale-picker';
import { RouteErrorView } from '~/components/route-error';
import { ViewerDocument, type ViewerQuery, type ViewerQueryVariables } from '~/gql/graphql';
import { requireApi } from '~/lib/api.server';
import { canAdmin, canWrite } from '~/lib/roles';
import { createBrowserClient, createInertClient } from '~/lib/urql-client';

/** The signed-in shell: every page below needs a session, and knows the viewer's role and brand. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const api = await requireApi(request, context);
  const { viewer } = await api.query<ViewerQuery, ViewerQueryVariables>(ViewerDocument, {});
  return { viewer };
}

/** The viewer changes with a sign-in (a form) or an explicit refresh, not with every filter change below. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formMethod, currentUrl, nextUrl, defaultShouldRevalidate }) =>
  formMethod || currentUrl.href === nextUrl.href ? defaultShouldRevalidate : false;

export type AppLoaderData = Awaited<ReturnType<typeof loader>>;

/** The viewer (role, brand) for any page inside the shell. */
export function useViewer(): AppLoaderData['viewer'] {
  const data = useRouteLoaderData<typeof loader>('routes/_app');
  if (!data) throw new Error('useViewer must be used inside the signed-in shell');
  return data.viewer;
}

export function useCanWrite(): boolean {
  return canWrite(useViewer().role);
}

/** "Orders" covers the list and each order; "New order" has its own entry. */
function isCurrent(to: string, pathname: string): boolean {
  if (to === '/orders') return pathname === '/orders' || (pathname.startsWith('/orders/') && !pathname.startsWith('/orders/new'));
  return pathname === to || pathname.startsWith(`${to}/`);
}

function Shell({ viewer, children }: { viewer: AppLoaderData['viewer'] | null; children: React.ReactNode }) {
  const navigation = useNavigation();
  const { pathname } = useLocation();
  const [client] = useState(() => (typeof document === 'undefined' ? createInertClient() : createBrowserClient()));
  const pageAnnouncement = usePageChangeFocus(pathname);
  const entries: { to: `/${string}`; label: string; show: boolean }[] = [
    { to: '/orders', label: 'Orders', show: true },
    { to: '/orders/new', label: 'New order', show: canWrite(viewer?.role) },
    { to: '/stats', label: 'Stats', show: true },
    { to: '/products', label: 'Products', show: true },
    { to: '/settings', label: 'Settings', show: canAdmin(viewer?.role) },
  ];
  const links = entries.filter((l) => l.show);

  return (
    <Provider value={client}>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <div className={`progress ${navigation.state !== 'idle' ? 'progress--active' : ''}`} aria-hidden="true" />
      <header className="topbar">
        <div className="topbar__inner">
          <NavLink to="/orders" className="brandmark-link" aria-label="Luneo Orders, home">
            <span className="brandmark" aria-hidden="true">
              <span className="brandmark__moon" />
            </span>
            <span className="brandmark-link__text">
              <span className="brandmark-link__product">Luneo</span>
              {viewer ? <span className="brandmark-link__brand">{viewer.brand.name}</span> : null}
            </span>
          </NavLink>
          <nav className="nav" aria-label="Main">
            {links.map((link) => {
              const current = isCurrent(link.to, pathname);
              return (
                <AppLink key={link.to} to={link.to} className={`nav__link ${current ? 'active' : ''}`} aria-current={current ? 'page' : undefined}>
                  {link.label}
                </AppLink>
              );
            })}
          </nav>
          {viewer ? (
            <div className="account">
              <span className="account__name" title={viewer.actor.label}>
                {viewer.actor.label}
              </span>
              <RoleBadge role={viewer.role} />
              <LocalePicker brandLocale={viewer.brand.locale} />
              <Form method="post" action="/logout">
                <button type="submit" className="btn btn--ghost btn--small">
                  Sign out
                </button>
              </Form>
            </div>
          ) : null}
        </div>
      </header>
      <p className="sr-only" role="status" aria-live="polite" data-testid="page-announcement">
        {pageAnnouncement}
      </p>
      <main id="main" className="page" tabIndex={-1}>
        {children}
      </main>
    </Provider>
  );
}

/**
 * After an in-app navigation to another page (not a filter change, not the first load), focus goes to the new page's
 * heading, so keyboard and screen-reader users start there, and the page is announced by its title.
 */
function usePageChangeFocus(pathname: string): string {
  const [announcement, setAnnouncement] = useState('');
  const previous = useRef(pathname);
  useEffect(() => {
    if (previous.current === pathname) return;
    previous.current = pathname;
    const heading = document.querySelector<HTMLElement>('#main h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
    setAnnouncement(`${heading?.textContent ?? document.title} page`);
  }, [pathname]);
  return announcement;
}

export default function AppLayout() {
  const { viewer } = useLoaderData<typeof loader>();
  return (
    <Shell viewer={viewer}>
      <Outlet />
    </Shell>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  return (
    <Shell viewer={null}>
      <RouteErrorView error={error} />
    </Shell>
  );
}
