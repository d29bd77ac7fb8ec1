import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteError, type ShouldRevalidateFunction } from '@remix-run/react';
import type { ReactNode } from 'react';
import { RouteErrorView } from '~/components/route-error';
import { useCspNonce } from '~/lib/csp-nonce';
import { TZ_COOKIE } from '~/lib/dates';
import { requestLocale } from '~/lib/request-locale.server';
import styles from '~/styles/app.css?url';

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: styles },
  { rel: 'icon', href: 'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="13" fill="%23334155"/><circle cx="21" cy="12" r="9" fill="%23f8fafc"/></svg>' },
];

export const meta: MetaFunction = () => [{ title: 'Luneo Orders' }];

/** Locale from Accept-Language and time zone from a small cookie the page sets, so SSR and hydration agree. */
export async function loader({ request }: LoaderFunctionArgs) {
  return requestLocale(request);
}

/** Locale and time zone only change with a new request: never refetch them on client navigations. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formMethod, defaultShouldRevalidate }) =>
  formMethod ? defaultShouldRevalidate : false;

const setTimeZoneCookie = `try{var z=Intl.DateTimeFormat().resolvedOptions().timeZone;var c='${TZ_COOKIE}='+encodeURIComponent(z);if(z&&document.cookie.split('; ').indexOf(c)<0){document.cookie=c+';path=/;max-age=31536000;samesite=lax'}}catch(e){}`;

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useCspNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <Meta />
        <Links />
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: setTimeZoneCookie }} />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  return (
    <main className="page page--center">
      <RouteErrorView error={error} />
    </main>
  );
}
