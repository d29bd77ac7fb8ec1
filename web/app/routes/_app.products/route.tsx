import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import type { ShouldRevalidateFunction } from '@remix-run/react';
import { useLoaderData } from '@remix-run/react';
import { usePendingSearch } from '~/lib/use-pending-search';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Dialog } from '~/components/dialog';
import { Pager } from '~/components/pager';
import { EmptyState, PageHeader, ProblemNotice, UpdatingStatus } from '~/components/ui';
import { ProductsDocument, useProductsQuery, type ProductRowFragment, type ProductsQuery, type ProductsQueryVariables } from '~/gql/graphql';
import { requireApi } from '~/lib/api.server';
import { problemFrom } from '~/lib/errors';
import { useFormatters } from '~/lib/locale';
import { pageRange } from '~/lib/paging';
import { useDebounced } from '~/lib/use-debounced';
import { useSeededQuery } from '~/lib/use-seeded-query';
import { useCanWrite } from '../_app/route';
import { ProductEditorPanel } from './product-editor-panel';
import { StockAdjustmentPanel } from './stock-adjustment-panel';
import { StockHistory } from './stock-history';

export const meta: MetaFunction = () => [{ title: 'Products · Luneo Orders' }];

const PAGE_SIZES = [10, 25, 50] as const;
const DEFAULT_PAGE_SIZE = 25;

function pageSize(params: URLSearchParams): number {
  const size = Number(params.get('size'));
  return (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE;
}

/** The list in the URL: ?q=scarf&size=10&after=<cursor> (or before=<cursor> going back) &page=2. */
function productsVariables(params: URLSearchParams): ProductsQueryVariables {
  const size = pageSize(params);
  const variables: ProductsQueryVariables = {};
  const q = params.get('q')?.trim();
  if (q) variables.search = q.slice(0, 200);
  const after = params.get('after');
  const before = after ? null : params.get('before');
  if (before) {
    variables.last = size;
    variables.before = before;
  } else {
    variables.first = size;
    if (after) variables.after = after;
  }
  return variables;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const api = await requireApi(request, context);
  const variables = productsVariables(new URL(request.url).searchParams);
  const data = await api.query<ProductsQuery, ProductsQueryVariables>(ProductsDocument, variables);
  return { variables, data };
}

export const shouldRevalidate: ShouldRevalidateFunction = ({ currentUrl, nextUrl, formMethod, defaultShouldRevalidate }) => {
  if (!formMethod && currentUrl.pathname === nextUrl.pathname && currentUrl.search !== nextUrl.search) return false;
  return defaultShouldRevalidate;
};

type Product = ProductRowFragment;
type Panel =
  | { kind: 'create' }
  | { kind: 'edit'; product: Product }
  | { kind: 'stock'; product: Product }
  | { kind: 'history'; product: Product }
  | null;

export default function ProductsPage() {
  const seed = useLoaderData<typeof loader>();
  const [search, setParams] = usePendingSearch();
  const canWrite = useCanWrite();
  const fmt = useFormatters();
  const params = useMemo(() => new URLSearchParams(search), [search]);
  const variables = useMemo(() => productsVariables(new URLSearchParams(search)), [search]);
  const products = useSeededQuery(useProductsQuery, seed, variables);
  const [panel, setPanel] = useState<Panel>(null);
  const [message, setMessage] = useState<string | null>(null);

  const [qInput, setQInput] = useState(params.get('q') ?? '');
  const debouncedQ = useDebounced(qInput.trim(), 250);
  useEffect(() => {
    if (debouncedQ !== (params.get('q') ?? '')) {
      // A new search starts from its first page, at the same page size.
      const next = new URLSearchParams();
      if (debouncedQ) next.set('q', debouncedQ);
      if (params.get('size')) next.set('size', params.get('size')!);
      setParams(next, { replace: true, preventScrollReset: true });
    }
  }, [debouncedQ]);

  const { nodes, totalCount, pageInfo } = products.data.products;
  const problem = problemFrom(products.error);
  const size = pageSize(params);
  const cursor = variables.after ?? variables.before ?? null;
  const pageParam = Number(params.get('page'));
  // Cursors carry no offset: the page number travels beside them (null when a shared link lacks it).
  const page = !cursor ? 1 : Number.isSafeInteger(pageParam) && pageParam > 1 ? pageParam : null;
  const tableTop = useRef<HTMLDivElement>(null);
  function goTo(patch: Record<string, string | null>) {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(patch)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    if (next.get('size') === String(DEFAULT_PAGE_SIZE)) next.delete('size');
    setParams(next, { preventScrollReset: true });
    tableTop.current?.scrollIntoView({ block: 'start' });
  }

  const done = (text: string) => {
    setPanel(null);
    setMessage(text);
    products.refresh();
  };

  return (
    <>
      <PageHeader
        title="Products"
        subtitle={`${fmt.number(totalCount)} ${totalCount === 1 ? 'product' : 'products'}`}
        actions={
          canWrite ? (
            <button
              type="button"
              className="btn btn--primary"
              onClick={() => {
                setMessage(null);
                setPanel({ kind: 'create' });
              }}
            >
              New product
            </button>
          ) : null
        }
      />

      {message ? (
        <p className="notice notice--success" role="status">
          {message}
        </p>
      ) : null}

      {/* Edits open over the list, where the row is, instead of a panel at the top of the page. */}
      {panel?.kind === 'create' || panel?.kind === 'edit' ? (
        <Dialog labelledBy="product-editor-title" onClose={() => setPanel(null)}>
          <ProductEditorPanel product={panel.kind === 'edit' ? panel.product : null} onDone={done} onClose={() => setPanel(null)} />
        </Dialog>
      ) : null}
      {panel?.kind === 'stock' ? (
        <Dialog labelledBy="stock-title" onClose={() => setPanel(null)}>
          <StockAdjustmentPanel product={panel.product} onDone={done} onClose={() => setPanel(null)} />
        </Dialog>
      ) : null}
      {panel?.kind === 'history' ? (
        <Dialog title={`Stock history · ${panel.product.name}`} onClose={() => setPanel(null)} wide>
          <StockHistory product={panel.product} />
        </Dialog>
      ) : null}

      <section className="filters" aria-label="Product filters">
        <div className="filters__row">
          <div className="field field--grow">
            <label htmlFor="product-list-search" className="field__label">
              Search
            </label>
            <input
              id="product-list-search"
              type="search"
              className="input"
              placeholder="Name or SKU"
              value={qInput}
              onChange={(e) => setQInput(e.target.value)}
              autoComplete="off"
            />
          </div>
          <UpdatingStatus fetching={products.fetching} what="products" />
        </div>
      </section>

      <ProblemNotice problem={problem} />

      {nodes.length === 0 ? (
        <EmptyState title={variables.search ? 'No products match this search' : 'No products yet'}>
          {variables.search ? 'Try another name or SKU.' : canWrite ? 'Create your first product to start taking orders.' : null}
        </EmptyState>
      ) : (
        <div className={`table-wrap table-wrap--anchor ${products.fetching ? 'is-busy' : ''}`} aria-busy={products.fetching} ref={tableTop}>
          <table className="table" data-testid="products-table">
            <caption className="sr-only">Products</caption>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col" className="num">
                  Price
                </th>
                <th scope="col" className="num">
                  Stock
                </th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {nodes.map((product) => (
                <tr key={product.id} data-sku={product.sku}>
                  <td data-label="Product">
                    <span className="cell-primary">{product.name}</span>
                    <span className="cell-secondary mono">{product.sku}</span>
                  </td>
                  <td data-label="Price" className="num money">
                    {fmt.amount(product.price)}
                  </td>
                  <td data-label="Stock" className="num">
                    <span className={`stock ${product.stock <= 0 ? 'stock--out' : product.stock < 5 ? 'stock--low' : ''}`} data-testid="stock">
                      {fmt.number(product.stock)}
                    </span>
                  </td>
                  <td data-label="Status">
                    <span className={`badge ${product.active ? 'badge--green' : 'badge--grey'}`}>{product.active ? 'Active' : 'Hidden'}</span>
                  </td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="btn btn--ghost btn--small"
                      onClick={() => setPanel({ kind: 'history', product })}
                      aria-label={`Stock history of ${product.name}`}
                    >
                      History
                    </button>
                    {canWrite ? (
                      <>
                      <button
                        type="button"
                        className="btn btn--ghost btn--small"
                        onClick={() => {
                          setMessage(null);
                          setPanel({ kind: 'edit', product });
                        }}
                        aria-label={`Edit ${product.name}`}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        className="btn btn--ghost btn--small"
                        onClick={() => {
                          setMessage(null);
                          setPanel({ kind: 'stock', product });
                        }}
                        aria-label={`Adjust stock of ${product.name}`}
                      >
                        Adjust stock
                      </button>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <Pager
        sizeId="product-page-size"
        size={size}
        sizes={PAGE_SIZES}
        onSize={(next) => goTo({ size: String(next), after: null, before: null, page: null })}
        range={products.fetching ? '' : pageRange({ page, size }, nodes.length, totalCount, fmt.number)}
        onFirst={cursor ? () => goTo({ after: null, before: null, page: null }) : undefined}
        onPrevious={
          (pageInfo.hasPreviousPage || variables.after) && pageInfo.startCursor
            ? () =>
                page === 2
                  ? goTo({ after: null, before: null, page: null })
                  : goTo({ after: null, before: pageInfo.startCursor, page: page ? String(page - 1) : null })
            : undefined
        }
        onNext={
          (pageInfo.hasNextPage || variables.before) && pageInfo.endCursor
            ? () => goTo({ after: pageInfo.endCursor, before: null, page: page ? String(page + 1) : null })
            : undefined
        }
      />
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary } from '~/components/route-error-boundary';
