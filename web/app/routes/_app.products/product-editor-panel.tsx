import { useState, type FormEvent } from 'react';
import { ProblemText } from '~/components/ui';
import { useCreateProductMutation, useUpdateProductMutation, type ProductRowFragment } from '~/gql/graphql';
import { problemFrom, type Problem } from '~/lib/errors';
import { useFormatters } from '~/lib/locale';
import { formatMoneyInput, parseMoneyInput } from '~/lib/money';
import { useViewer } from '../_app/route';

/** Creates a product, or edits one (its SKU then stays as it is). */
export function ProductEditorPanel({ product, onDone, onClose }: { product: ProductRowFragment | null; onDone: (m: string) => void; onClose: () => void }) {
  const { brand } = useViewer();
  const { locale } = useFormatters();
  const currency = product?.price.currency ?? brand.currency;
  const [createState, create] = useCreateProductMutation();
  const [updateState, update] = useUpdateProductMutation();
  const [sku, setSku] = useState('');
  const [name, setName] = useState(product?.name ?? '');
  const [price, setPrice] = useState(product ? formatMoneyInput(product.price.amount, currency, locale) : '');
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
          <input id="product-price" className="input" inputMode="decimal" value={price} onChange={(e) => setPrice(e.target.value)} {...fieldProps('price')} />
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
