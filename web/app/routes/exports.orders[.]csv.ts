import type { LoaderFunctionArgs } from '@remix-run/node';
import { proxyExport } from '~/lib/exports.server';
import { ordersVariables, parseOrderListParams } from '~/lib/order-filters';
import { requestLocale } from '~/lib/request-locale.server';

/**
 * /exports/orders.csv?<the orders page's own query string>: the orders matching the list's current filters, as CSV
 * (`lines=1`: one row per item). The filters are read exactly as the list reads them, dates in the person's time zone.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const { timeZone } = requestLocale(request);
  const filter = ordersVariables(parseOrderListParams(url.searchParams), timeZone).filter ?? {};
  const params = new URLSearchParams();
  if (filter.status?.length) params.set('status', [filter.status].flat().join(','));
  if (filter.paymentStatus?.length) params.set('paymentStatus', [filter.paymentStatus].flat().join(','));
  if (filter.search) params.set('search', filter.search);
  if (filter.createdAfter) params.set('createdAfter', String(filter.createdAfter));
  if (filter.createdBefore) params.set('createdBefore', String(filter.createdBefore));
  if (filter.productId) params.set('productId', filter.productId);
  if (url.searchParams.get('lines') === '1') params.set('lines', '1');
  return proxyExport(request, '/exports/orders.csv', params);
}
