import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import type { ShouldRevalidateFunction } from '@remix-run/react';
import { useLoaderData } from '@remix-run/react';
import { usePendingSearch } from '~/lib/use-pending-search';
import { useEffect, useMemo, useState } from 'react';
import { EmptyState, PageHeader, ProblemNotice, UpdatingStatus } from '~/components/ui';
import { ProductsDocument, useProductsQuery, type ProductRowFragment, type ProductsQuery, type ProductsQueryVariables } from '~/gql/graphql';
import { requireApi } from '~/lib/api.server';
import { problemFrom } from '~/lib/errors';
import { useFormatters } from '~/lib/locale';
import { useDebounced } from '~/lib/use-debounced';
import { useSeededQuery } from '~/lib/use-seeded-query';
import { useCanWrite } from '../_app/route';
import { ProductEditorPanel } from './product-editor-panel';
import { StockAdjustmentPanel } from './stock-adjustment-panel';

export const meta: MetaFunction = () => [{ title: 'Products · Luneo Orders' }];

const PAGE_SIZE = 25;

function productsVariables(params: URLSearchParams): ProductsQueryVariables {
  const variables: ProductsQueryVariables = { first: PAGE_SIZE };
  const q = params.get('q')?.trim();
  if (q) variables.search = q.slice(0, 200);
  const after = params.get('after');
  if (after) variables.after = after;
  return variables;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const api = await requireApi(request);
  const variables = productsVariables(new URL(request.url).searchParams);
  const data = await api.query<ProductsQuery, ProductsQueryVariables>(ProductsDocument, variables);
  return { variables, data };
}

export const shouldRevalidate: ShouldRevalidateFunction = ({ currentUrl, nextUrl, formMethod, defaultShouldRevalidate }) => {
  if (!formMethod && currentUrl.pathname === nextUrl.pathname && currentUrl.search !== nextUrl.search) return false;
  return defaultShouldRevalidate;
};

type Product = ProductRowFragment;
type Panel = { kind: 'create' } | { kind: 'edit'; product: Product } | { kind: 'stock'; product: Product } | null;

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
      const next = new URLSearchParams();
      if (debouncedQ) next.set('q', debouncedQ);
      setParams(next, { replace: true, preventScrollReset: true });
    }
  }, [debouncedQ]);

  const { nodes, totalCount, pageInfo } = products.data.products;
  const problem = problemFrom(products.error);

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

      {panel?.kind === 'create' || panel?.kind === 'edit' ? (
        <ProductEditorPanel product={panel.kind === 'edit' ? panel.product : null} onDone={done} onClose={() => setPanel(null)} />
      ) : null}
      {panel?.kind === 'stock' ? <StockAdjustmentPanel product={panel.product} onDone={done} onClose={() => setPanel(null)} /> : null}

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
        <div className={`table-wrap ${products.fetching ? 'is-busy' : ''}`} aria-busy={products.fetching}>
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
                {canWrite ? (
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                ) : null}
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
                  {canWrite ? (
                    <td className="row-actions">
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
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <nav className="pager" aria-label="Pagination">
        <span />
        <div className="pager__buttons">
          {variables.after ? (
            <button
              type="button"
              className="btn btn--ghost"
              onClick={() => {
                const next = new URLSearchParams(params);
                next.delete('after');
                setParams(next, { preventScrollReset: true });
              }}
            >
              First page
            </button>
          ) : null}
          <button
            type="button"
            className="btn btn--secondary"
            disabled={!pageInfo.hasNextPage || !pageInfo.endCursor}
            onClick={() => {
              const next = new URLSearchParams(params);
              next.set('after', pageInfo.endCursor!);
              setParams(next, { preventScrollReset: true });
            }}
          >
            Next →
          </button>
        </div>
      </nav>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary } from '~/components/route-error-boundary';
