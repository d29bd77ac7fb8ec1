import type { LoaderFunctionArgs } from '@remix-run/node';
import { proxyExport } from '~/lib/exports.server';

const FILTERS = ['actorType', 'action', 'targetType', 'targetId', 'from', 'to'];

/** /exports/audit.csv: the audit log with Settings' filters, as CSV (ADMINs; the API decides). */
export async function loader({ request }: LoaderFunctionArgs) {
  const given = new URL(request.url).searchParams;
  const params = new URLSearchParams();
  for (const name of FILTERS) {
    const value = given.get(name);
    if (value) params.set(name, value);
  }
  return proxyExport(request, '/exports/audit.csv', params);
}
