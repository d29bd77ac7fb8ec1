import { useState, type FormEvent } from 'react';
import { ProblemText } from '~/components/ui';
import { useAdjustStockMutation, type ProductRowFragment } from '~/gql/graphql';
import { problemFrom, type Problem } from '~/lib/errors';
import { useFormatters } from '~/lib/locale';

const REASONS = ['Restock delivery', 'Inventory count correction', 'Damaged goods', 'Returned by customer', 'Sample or gift'];

export function StockAdjustmentPanel({ product, onDone, onClose }: { product: ProductRowFragment; onDone: (m: string) => void; onClose: () => void }) {
  const fmt = useFormatters();
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
    else if (product.stock + n < 0) found.delta = `Stock cannot go below 0 (currently ${fmt.number(product.stock)}).`;
    if (!reason.trim()) found.reason = 'Say why the stock changes.';
    setErrors(found);
    setProblem(null);
    if (Object.keys(found).length) return;
    const result = await adjust({ id: product.id, delta: n, reason: reason.trim() });
    if (result.error) {
      setProblem(problemFrom(result.error));
      return;
    }
    onDone(`Stock of ${product.name} is now ${fmt.number(result.data?.adjustStock.stock ?? product.stock + n)}.`);
  }

  return (
    <form className="card panel" onSubmit={submit} noValidate aria-labelledby="stock-title">
      <header className="card__header">
        <h2 className="card__title" id="stock-title">
          Adjust stock · {product.name}
        </h2>
        <span className="muted">Currently {fmt.number(product.stock)}</span>
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
              {valid ? `New stock: ${fmt.number(product.stock + n)}` : 'e.g. 10 after a delivery, −2 for damaged items'}
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
