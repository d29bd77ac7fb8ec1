import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Link, useLoaderData, useNavigate } from '@remix-run/react';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Card, ProblemText } from '~/components/ui';
import {
  NewOrderProductsDocument,
  ViewerDocument,
  useCreateOrderMutation,
  useNewOrderProductsQuery,
  useQuoteOrderQuery,
  type NewOrderProductsQuery,
  type NewOrderProductsQueryVariables,
  type PickerProductFragment,
  type QuoteOrderQuery,
  type ViewerQuery,
  type ViewerQueryVariables,
} from '~/gql/graphql';
import { requireApi } from '~/lib/api.server';
import { problemFrom, type Problem } from '~/lib/errors';
import { newIdempotencyKey } from '~/lib/id';
import { useFormatters } from '~/lib/locale';
import {
  EMPTY_FORM,
  canQuote,
  clearResolvedErrors,
  stockErrors,
  toCreateOrderInput,
  validateNewOrder,
  type FieldErrors,
  type NewOrderForm,
} from '~/lib/new-order';
import { canWrite } from '~/lib/roles';
import { useDebounced } from '~/lib/use-debounced';
import { useSeededQuery } from '~/lib/use-seeded-query';
import { variablesKey } from '~/lib/variables-key';
import { QuoteSummaryCard } from './quote-summary-card';
import { fieldErrorId, TextField } from './text-field';

export const meta: MetaFunction = () => [{ title: 'New order · Luneo Orders' }];

const PICKER_SIZE = 30;

type AddressKey = Exclude<keyof NewOrderForm['address'], 'country'>;

const ADDRESS_FIELDS: { key: AddressKey; label: string; optional?: boolean }[] = [
  { key: 'name', label: 'Recipient', optional: true },
  { key: 'line1', label: 'Street address' },
  { key: 'line2', label: 'Apartment, suite', optional: true },
  { key: 'city', label: 'City' },
  { key: 'postalCode', label: 'Postal code' },
  { key: 'region', label: 'Region', optional: true },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const api = await requireApi(request, context);
  const variables: NewOrderProductsQueryVariables = { first: PICKER_SIZE };
  const [products, viewer] = await Promise.all([
    api.query<NewOrderProductsQuery, NewOrderProductsQueryVariables>(NewOrderProductsDocument, variables),
    api.query<ViewerQuery, ViewerQueryVariables>(ViewerDocument, {}),
  ]);
  if (!canWrite(viewer.viewer.role)) throw data({ message: 'Your role can view orders but not create them.' }, { status: 403 });
  return { variables, data: products, currency: viewer.viewer.brand.currency };
}

type Product = PickerProductFragment;

export default function NewOrderPage() {
  const seed = useLoaderData<typeof loader>();
  const navigate = useNavigate();
  const fmt = useFormatters();
  const [form, setForm] = useState<NewOrderForm>(EMPTY_FORM);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [picked, setPicked] = useState<Map<string, Product>>(new Map());
  const formRef = useRef<HTMLFormElement>(null);

  // Product picker: search as you type.
  const [search, setSearch] = useState('');
  const debouncedSearch = useDebounced(search.trim(), 250);
  const pickerVariables = useMemo<NewOrderProductsQueryVariables>(
    () => (debouncedSearch ? { first: PICKER_SIZE, search: debouncedSearch } : seed.variables),
    [debouncedSearch, seed.variables],
  );
  const products = useSeededQuery(useNewOrderProductsQuery, seed, pickerVariables);

  // Live quote: re-priced whenever the form settles.
  const quoteInput = useMemo(() => toCreateOrderInput(form, true), [form]);
  const debouncedQuoteInput = useDebounced(quoteInput, 300);
  const [quoteResult] = useQuoteOrderQuery({
    variables: { input: debouncedQuoteInput },
    pause: !canQuote(form) || typeof document === 'undefined',
    requestPolicy: 'cache-and-network',
  });
  const lastQuote = useRef<QuoteOrderQuery['quoteOrder'] | null>(null);
  if (quoteResult.data) lastQuote.current = quoteResult.data.quoteOrder;
  const quote = canQuote(form) ? lastQuote.current : null;
  const quoteProblem = canQuote(form) ? problemFrom(quoteResult.error) : null;
  const quoteStale = quoteResult.fetching || variablesKey(debouncedQuoteInput) !== variablesKey(quoteInput);

  // One idempotency key per distinct order: a double submit sends the same key and creates one order.
  const submitInput = useMemo(() => toCreateOrderInput(form), [form]);
  const submitKey = variablesKey(submitInput);
  const idempotencyKey = useMemo(() => newIdempotencyKey(), [submitKey]); // new key only when the payload changes
  const [created, createOrder] = useCreateOrderMutation();

  const stock = useMemo(() => new Map([...picked.values()].map((p) => [p.id, p.stock])), [picked]);
  // Errors shown after a submit go away field by field as each becomes valid.
  const previousForm = useRef(form);
  useEffect(() => {
    const before = previousForm.current;
    previousForm.current = form;
    setErrors((current) => clearResolvedErrors(current, before, form, stock, fmt.number));
  }, [form, stock, fmt.number]);
  // A line asking for more than the stock says so at once, before any submit.
  const liveStockErrors = useMemo(() => stockErrors(form, stock, fmt.number), [form, stock, fmt.number]);
  // After a refused submit, focus goes to the first field in error once the errors are on screen.
  const [focusRequest, setFocusRequest] = useState(0);
  useEffect(() => {
    if (focusRequest) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [focusRequest]);
  const update = (patch: Partial<NewOrderForm>) => setForm((f) => ({ ...f, ...patch }));
  const updateAddress = (patch: Partial<NewOrderForm['address']>) => setForm((f) => ({ ...f, address: { ...f.address, ...patch } }));

  function addProduct(product: Product) {
    setPicked((m) => new Map(m).set(product.id, product));
    setForm((f) => {
      const existing = f.lines.find((l) => l.productId === product.id);
      const lines = existing
        ? f.lines.map((l) => (l.productId === product.id ? { ...l, quantity: l.quantity + 1 } : l))
        : [...f.lines, { productId: product.id, quantity: 1 }];
      return { ...f, lines };
    });
    setErrors(({ items: _items, ...rest }) => rest);
  }

  function setQuantity(productId: string, quantity: number) {
    setForm((f) => ({ ...f, lines: f.lines.map((l) => (l.productId === productId ? { ...l, quantity } : l)) }));
  }

  function removeLine(productId: string) {
    setForm((f) => ({ ...f, lines: f.lines.filter((l) => l.productId !== productId) }));
  }

  // Quote errors about the discount code belong next to the discount field.
  const discountProblem = quoteProblem?.code === 'DISCOUNT_INVALID' ? quoteProblem : null;
  const otherQuoteProblem = quoteProblem && quoteProblem.code !== 'DISCOUNT_INVALID' ? quoteProblem : null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (created.fetching) return;
    const found = validateNewOrder(form, stock, fmt.number);
    setErrors(found);
    setProblem(null);
    if (Object.keys(found).length) {
      setFocusRequest((n) => n + 1);
      return;
    }
    const result = await createOrder({ input: submitInput, idempotencyKey });
    if (result.data) {
      const order = result.data.createOrder;
      navigate(`/orders/${order.id}`, { state: { created: order.number } });
      return;
    }
    const p = problemFrom(result.error);
    if (p?.field) {
      setErrors({ [p.field]: p.message });
      setFocusRequest((n) => n + 1);
    }
    setProblem(p);
  }

  const shown: FieldErrors = { ...liveStockErrors, ...errors };
  const err = (key: string) => shown[key];
  const invalid = (key: string) => (shown[key] ? true : undefined);
  const describedBy = (key: string) => (shown[key] ? fieldErrorId(key) : undefined);
  const ErrorFor = ({ name }: { name: string }) =>
    shown[name] ? (
      <p className="field__error" id={fieldErrorId(name)}>
        {shown[name]}
      </p>
    ) : null;

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/orders">Orders</Link> <span aria-hidden="true">/</span> <span aria-current="page">New order</span>
      </nav>
      <header className="page-header">
        <div>
          <h1 className="page-header__title">New order</h1>
          <p className="page-header__subtitle">Prices, discounts, shipping and tax are calculated by Luneo as you type.</p>
        </div>
      </header>

      <form ref={formRef} className="new-order" onSubmit={submit} noValidate aria-label="New order">
        <div className="new-order__main">
          <Card title="Products">
            <div className="field">
              <label htmlFor="product-search" className="field__label">
                Find a product
              </label>
              <input
                id="product-search"
                type="search"
                className="input"
                placeholder="Name or SKU"
                value={search}
                onChange={(e) => setSearch(e.target.value)}
                autoComplete="off"
                onKeyDown={(e) => e.key === 'Enter' && e.preventDefault()}
                aria-invalid={invalid('items')}
                aria-describedby={describedBy('items')}
              />
            </div>
            <ul className={`picker ${products.fetching ? 'is-busy' : ''}`} aria-label="Products" aria-busy={products.fetching}>
              {products.data.products.nodes.map((product) => {
                const inCart = form.lines.find((l) => l.productId === product.id)?.quantity ?? 0;
                const soldOut = product.stock <= 0;
                return (
                  <li key={product.id} className="picker__item">
                    <div>
                      <span className="cell-primary">{product.name}</span>
                      <span className="cell-secondary">
                        {product.sku} · {fmt.amount(product.price)}
                      </span>
                    </div>
                    <span className={`stock ${soldOut ? 'stock--out' : product.stock < 5 ? 'stock--low' : ''}`}>
                      {soldOut ? 'Out of stock' : `${fmt.number(product.stock)} in stock`}
                    </span>
                    <button
                      type="button"
                      className="btn btn--secondary btn--small"
                      onClick={() => addProduct(product)}
                      disabled={soldOut || inCart >= product.stock}
                      aria-label={`Add ${product.name}`}
                    >
                      {inCart ? `Add another (${inCart})` : 'Add'}
                    </button>
                  </li>
                );
              })}
              {products.data.products.nodes.length === 0 ? <li className="picker__empty">No products match “{search}”.</li> : null}
            </ul>
          </Card>

          <Card title="Order lines">
            {form.lines.length === 0 ? (
              <p className="muted" id={fieldErrorId('items')}>
                {err('items') ? <span className="field__error">{err('items')}</span> : 'No products yet. Add them from the list above.'}
              </p>
            ) : (
              <ul className="lines" aria-label="Order lines">
                {form.lines.map((line, i) => {
                  const product = picked.get(line.productId);
                  if (!product) return null;
                  const key = `items.${i}.quantity`;
                  const qtyId = `qty-${product.id}`;
                  return (
                    <li key={line.productId} className="lines__item">
                      <div>
                        <span className="cell-primary">{product.name}</span>
                        <span className="cell-secondary">
                          {fmt.amount(product.price)} each · {fmt.number(product.stock)} in stock
                        </span>
                      </div>
                      <div className="field field--qty">
                        <label htmlFor={qtyId} className="field__label">
                          Quantity
                        </label>
                        <input
                          id={qtyId}
                          name={key}
                          type="number"
                          inputMode="numeric"
                          min={1}
                          max={product.stock}
                          step={1}
                          className="input"
                          value={Number.isFinite(line.quantity) ? line.quantity : ''}
                          onChange={(e) => setQuantity(line.productId, e.target.value === '' ? NaN : Number(e.target.value))}
                          aria-invalid={invalid(key)}
                          aria-describedby={describedBy(key)}
                        />
                        <ErrorFor name={key} />
                      </div>
                      <span className="lines__total money">
                        {Number.isFinite(line.quantity) && line.quantity > 0 ? `${fmt.number(line.quantity)} × ${fmt.amount(product.price)}` : '—'}
                      </span>
                      <button type="button" className="btn btn--ghost btn--small" onClick={() => removeLine(line.productId)} aria-label={`Remove ${product.name}`}>
                        Remove
                      </button>
                    </li>
                  );
                })}
              </ul>
            )}
          </Card>

          <Card title="Customer">
            <div className="grid-2">
              <TextField name="customer.email" label="Email" type="email" required value={form.email} error={errors['customer.email']} onValue={(email) => update({ email })} />
              <TextField name="customer.name" label="Name" optional value={form.name} error={errors['customer.name']} onValue={(name) => update({ name })} />
              <TextField name="customer.phone" label="Phone" optional type="tel" value={form.phone} error={errors['customer.phone']} onValue={(phone) => update({ phone })} />
            </div>
          </Card>

          <Card title="Shipping">
            <label className="checkbox">
              <input type="checkbox" checked={form.ship} onChange={(e) => update({ ship: e.target.checked })} />
              <span>Ship this order to an address</span>
            </label>
            {form.ship ? (
              <div className="grid-2">
                {ADDRESS_FIELDS.map(({ key, label, optional }) => (
                  <TextField
                    key={key}
                    name={`shippingAddress.${key}`}
                    label={label}
                    optional={optional}
                    value={form.address[key]}
                    error={errors[`shippingAddress.${key}`]}
                    onValue={(value) => updateAddress({ [key]: value })}
                  />
                ))}
                <TextField
                  name="shippingAddress.country"
                  label="Country code"
                  hint="Two letters, e.g. FR for France, DE for Germany."
                  className="input input--short"
                  maxLength={2}
                  autoComplete="country"
                  value={form.address.country}
                  error={errors['shippingAddress.country']}
                  onValue={(country) => updateAddress({ country: country.toUpperCase() })}
                />
              </div>
            ) : null}
          </Card>

          <Card title="Discount and note">
            <div className="grid-2">
              <div className="field">
                <label htmlFor="discountCode" className="field__label">
                  Discount code <span className="muted">(optional)</span>
                </label>
                <input
                  id="discountCode"
                  className="input"
                  autoComplete="off"
                  value={form.discountCode}
                  onChange={(e) => update({ discountCode: e.target.value.toUpperCase() })}
                  aria-invalid={discountProblem || errors.discountCode ? true : undefined}
                  aria-describedby={discountProblem ? 'discount-problem' : undefined}
                />
                {discountProblem ? <ProblemText problem={discountProblem} id="discount-problem" /> : <ErrorFor name="discountCode" />}
                {!discountProblem && form.discountCode && quote && quote.discountTotal.amount > 0 && !quoteStale ? (
                  <p className="field__ok">Code applied: −{fmt.amount(quote.discountTotal)}</p>
                ) : null}
              </div>
              <div className="field">
                <label htmlFor="note" className="field__label">
                  Note <span className="muted">(optional, internal)</span>
                </label>
                <textarea id="note" className="input" rows={2} value={form.note} onChange={(e) => update({ note: e.target.value })} />
              </div>
            </div>
          </Card>
        </div>

        <aside className="new-order__side">
          <QuoteSummaryCard
            quotable={canQuote(form)}
            quote={quote}
            stale={quoteStale}
            overStockProducts={form.lines
              .filter((_, i) => liveStockErrors[`items.${i}.quantity`])
              .map((line) => picked.get(line.productId)?.name ?? '')}
            quoteFailed={Boolean(quoteProblem)}
            quoteProblem={otherQuoteProblem}
            submitProblem={problem && !problem.field ? problem : null}
          />
          {/* At phone width this bar stays pinned to the bottom of the screen while the form scrolls. */}
          <div className="submit-bar">
            {quote ? (
              <p className="submit-bar__total">
                Total <strong className="money">{fmt.amount(quote.total)}</strong>
              </p>
            ) : null}
            <button type="submit" className="btn btn--primary btn--block" disabled={created.fetching}>
              {created.fetching ? 'Creating order…' : 'Create order'}
            </button>
            <p className="fineprint">Stock is reserved when the order is created.</p>
          </div>
        </aside>
      </form>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary } from '~/components/route-error-boundary';
