import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import type { ShouldRevalidateFunction } from '@remix-run/react';
import { useLoaderData } from '@remix-run/react';
import { usePendingSearch } from '~/lib/use-pending-search';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { EmptyState, PageHeader, ProblemNotice, ProblemText, UpdatingStatus } from '~/components/ui';
import {
  ProductsDocument,
  useAdjustStockMutation,
  useCreateProductMutation,
  useProductsQuery,
  useUpdateProductMutation,
  type ProductRowFragment,
  type ProductsQuery,
  type ProductsQueryVariables,
} from '~/gql/graphql';
import { requireApi } from '~/lib/api.server';
import { problemFrom, type Problem } from '~/lib/errors';
import { useFormatters } from '~/lib/locale';
import { minorToDecimalString, parseMoneyInput } from '~/lib/money';
import { useDebounced } from '~/lib/use-debounced';
import { useSeededQuery } from '~/lib/use-seeded-query';
import { useCanWrite, useViewer } from '../_app/route';

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
        <ProductEditor product={panel.kind === 'edit' ? panel.product : null} onDone={done} onClose={() => setPanel(null)} />
      ) : null}
      {panel?.kind === 'stock' ? <StockAdjuster product={panel.product} onDone={done} onClose={() => setPanel(null)} /> : null}

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
                    {product.price.formatted}
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

function ProductEditor({ product, onDone, onClose }: { product: Product | null; onDone: (m: string) => void; onClose: () => void }) {
  const { brand } = useViewer();
  const currency = product?.price.currency ?? brand.currency;
  const [createState, create] = useCreateProductMutation();
  const [updateState, update] = useUpdateProductMutation();
  const [sku, setSku] = useState('');
  const [name, setName] = useState(product?.name ?? '');
  const [price, setPrice] = useState(product ? minorToDecimalString(product.price.amount, currency) : '');
  const [stock, setStock] = useState('0');
  const [active, setActive] = useState(product?.active ?? true);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const busy = createState.fetching || updateState.fetching;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    const parsed = parseMoneyInput(price, currency);
    if (!product && !sku.trim()) found.sku = 'Enter a SKU.';
    if (!name.trim()) found.name = 'Enter a name.';
    if (!parsed.ok) found.price = parsed.error;
    const stockNumber = Number(stock);
    if (!product && (!Number.isInteger(stockNumber) || stockNumber < 0)) found.stock = 'Enter a whole number, 0 or more.';
    setErrors(found);
    setProblem(null);
    if (Object.keys(found).length || !parsed.ok) return;

    const result = product
      ? await update({ id: product.id, input: { name: name.trim(), price: parsed.amount, active } })
      : await create({ input: { sku: sku.trim(), name: name.trim(), price: parsed.amount, stock: stockNumber, active } });
    if (result.error) {
      const p = problemFrom(result.error);
      if (p?.field) setErrors({ [p.field.split('.').pop()!]: p.message });
      setProblem(p);
      return;
    }
    onDone(product ? `${name.trim()} was updated.` : `${name.trim()} was created.`);
  }

  const fieldProps = (key: string) => ({
    'aria-invalid': errors[key] ? true : undefined,
    'aria-describedby': errors[key] ? `product-${key}-error` : undefined,
  });
  const error = (key: string) =>
    errors[key] ? (
      <p className="field__error" id={`product-${key}-error`}>
        {errors[key]}
      </p>
    ) : null;

  return (
    <form className="card panel" onSubmit={submit} noValidate aria-labelledby="product-editor-title">
      <header className="card__header">
        <h2 className="card__title" id="product-editor-title">
          {product ? `Edit ${product.name}` : 'New product'}
        </h2>
      </header>
      <div className="grid-2">
        {product ? (
          <div className="field">
            <span className="field__label">SKU</span>
            <p className="mono">{product.sku}</p>
          </div>
        ) : (
          <div className="field">
            <label htmlFor="product-sku" className="field__label">
              SKU
            </label>
            <input id="product-sku" className="input" value={sku} onChange={(e) => setSku(e.target.value)} autoFocus {...fieldProps('sku')} />
            {error('sku')}
          </div>
        )}
        <div className="field">
          <label htmlFor="product-name" className="field__label">
            Name
          </label>
          <input id="product-name" className="input" value={name} onChange={(e) => setName(e.target.value)} autoFocus={Boolean(product)} {...fieldProps('name')} />
          {error('name')}
        </div>
        <div className="field">
          <label htmlFor="product-price" className="field__label">
            Price ({currency})
          </label>
          <input id="product-price" className="input" inputMode="decimal" value={price} onChange={(e) => setPrice(e.target.value)} placeholder="0.00" {...fieldProps('price')} />
          {error('price')}
        </div>
        {product ? null : (
          <div className="field">
            <label htmlFor="product-stock" className="field__label">
              Initial stock
            </label>
            <input id="product-stock" className="input" type="number" min={0} step={1} value={stock} onChange={(e) => setStock(e.target.value)} {...fieldProps('stock')} />
            {error('stock')}
          </div>
        )}
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
        <span>Active (can be ordered)</span>
      </label>
      <ProblemText problem={problem && !problem.field ? problem : null} />
      <div className="actions">
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {busy ? 'Saving…' : product ? 'Save changes' : 'Create product'}
        </button>
        <button type="button" className="btn btn--ghost" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}

const REASONS = ['Restock delivery', 'Inventory count correction', 'Damaged goods', 'Returned by customer', 'Sample or gift'];

function StockAdjuster({ product, onDone, onClose }: { product: Product; onDone: (m: string) => void; onClose: () => void }) {
  const [state, adjust] = useAdjustStockMutation();
  const [delta, setDelta] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const n = Number(delta);
  const valid = delta.trim() !== '' && Number.isInteger(n) && n !== 0;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!valid) found.delta = 'Enter a whole number other than 0, e.g. 10 or -2.';
    else if (product.stock + n < 0) found.delta = `Stock cannot go below 0 (currently ${product.stock}).`;
    if (!reason.trim()) found.reason = 'Say why the stock changes.';
    setErrors(found);
    setProblem(null);
    if (Object.keys(found).length) return;
    const result = await adjust({ id: product.id, delta: n, reason: reason.trim() });
    if (result.error) {
      setProblem(problemFrom(result.error));
      return;
    }
    onDone(`Stock of ${product.name} is now ${result.data?.adjustStock.stock ?? product.stock + n}.`);
  }

  return (
    <form className="card panel" onSubmit={submit} noValidate aria-labelledby="stock-title">
      <header className="card__header">
        <h2 className="card__title" id="stock-title">
          Adjust stock · {product.name}
        </h2>
        <span className="muted">Currently {product.stock}</span>
      </header>
      <div className="grid-2">
        <div className="field">
          <label htmlFor="stock-delta" className="field__label">
            Change (+ adds, − removes)
          </label>
          <input
            id="stock-delta"
            className="input"
            type="number"
            step={1}
            value={delta}
            onChange={(e) => {
              setDelta(e.target.value);
              setErrors(({ delta: _stale, ...rest }) => rest);
            }}
            autoFocus
            aria-invalid={errors.delta ? true : undefined}
            aria-describedby={errors.delta ? 'stock-delta-error' : 'stock-delta-hint'}
          />
          {errors.delta ? (
            <p className="field__error" id="stock-delta-error">
              {errors.delta}
            </p>
          ) : (
            <p className="field__hint" id="stock-delta-hint">
              {valid ? `New stock: ${product.stock + n}` : 'e.g. 10 after a delivery, −2 for damaged items'}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor="stock-reason" className="field__label">
            Reason
          </label>
          <input
            id="stock-reason"
            className="input"
            list="stock-reasons"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            aria-invalid={errors.reason ? true : undefined}
            aria-describedby={errors.reason ? 'stock-reason-error' : undefined}
          />
          <datalist id="stock-reasons">
            {REASONS.map((r) => (
              <option key={r} value={r} />
            ))}
          </datalist>
          {errors.reason ? (
            <p className="field__error" id="stock-reason-error">
              {errors.reason}
            </p>
          ) : null}
        </div>
      </div>
      <ProblemText problem={problem} />
      <div className="actions">
        <button type="submit" className="btn btn--primary" disabled={state.fetching}>
          {state.fetching ? 'Saving…' : 'Save adjustment'}
        </button>
        <button type="button" className="btn btn--ghost" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export { RouteErrorBoundary as ErrorBoundary } from '~/components/route-error-boundary';
