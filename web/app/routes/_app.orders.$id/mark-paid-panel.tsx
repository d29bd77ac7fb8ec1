import { useState, type FormEvent } from 'react';
import { ProblemText } from '~/components/ui';
import { useMarkOrderPaidMutation, type PaymentMethod } from '~/gql/graphql';
import { problemFrom, type Problem } from '~/lib/errors';
import { closeOnEscape } from '~/lib/keyboard';
import { PAYMENT_METHOD_LABEL } from '~/lib/labels';
import type { OrderSectionProps } from './order-section';

const METHODS = Object.keys(PAYMENT_METHOD_LABEL) as PaymentMethod[];

/** Marking paid by hand says how the money came in: a method, and the transfer's or receipt's reference. */
export function MarkPaidPanel({ order, onChange, onClose }: OrderSectionProps & { onClose: () => void }) {
  const [state, markPaid] = useMarkOrderPaidMutation();
  const [method, setMethod] = useState<PaymentMethod | ''>('');
  const [reference, setReference] = useState('');
  const [errors, setErrors] = useState<{ method?: string; reference?: string }>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  // Cash has no reference to give; everything else does.
  const referenceNeeded = method !== 'CASH';

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = {
      method: method ? undefined : 'Choose how the customer paid.',
      reference: referenceNeeded && !reference.trim() ? 'Give the reference of the payment (transfer, receipt or slip).' : undefined,
    };
    setErrors(found);
    if (found.method || found.reference) {
      document.getElementById(found.method ? 'payment-method' : 'payment-reference')?.focus();
      return;
    }
    setProblem(null);
    const result = await markPaid({ id: order.id, paymentMethod: method || null, paymentReference: reference.trim() || null });
    if (result.data) onChange(result.data.markOrderPaid);
    else setProblem(problemFrom(result.error));
  }

  return (
    <form id="mark-paid-panel" className="subpanel" onSubmit={submit} aria-label="Mark paid" noValidate onKeyDown={closeOnEscape(onClose)}>
      <div className="grid-2">
        <div className="field">
          <label htmlFor="payment-method" className="field__label">
            Payment method
          </label>
          <select
            id="payment-method"
            className="input"
            value={method}
            onChange={(e) => {
              setMethod(e.target.value as PaymentMethod | '');
              setErrors((current) => ({ ...current, method: undefined }));
            }}
            aria-invalid={errors.method ? true : undefined}
            aria-describedby={errors.method ? 'payment-method-error' : undefined}
            autoFocus
          >
            <option value="">Choose…</option>
            {METHODS.map((m) => (
              <option key={m} value={m}>
                {PAYMENT_METHOD_LABEL[m]}
              </option>
            ))}
          </select>
          {errors.method ? (
            <p className="field__error" id="payment-method-error">
              {errors.method}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="payment-reference" className="field__label">
            Reference {referenceNeeded ? null : <span className="muted">(optional)</span>}
          </label>
          <input
            id="payment-reference"
            className="input"
            value={reference}
            maxLength={100}
            onChange={(e) => {
              setReference(e.target.value);
              if (e.target.value.trim()) setErrors((current) => ({ ...current, reference: undefined }));
            }}
            aria-invalid={errors.reference ? true : undefined}
            aria-describedby={errors.reference ? 'payment-reference-error' : 'payment-reference-hint'}
          />
          {errors.reference ? (
            <p className="field__error" id="payment-reference-error">
              {errors.reference}
            </p>
          ) : (
            <p className="field__hint" id="payment-reference-hint">
              As on the bank statement or the receipt.
            </p>
          )}
        </div>
      </div>
      <div className="actions">
        <button type="submit" className="btn btn--primary" disabled={state.fetching}>
          {state.fetching ? 'Saving…' : 'Confirm payment'}
        </button>
        <button type="button" className="btn btn--ghost" onClick={onClose}>
          Go back
        </button>
      </div>
      <ProblemText problem={problem} />
    </form>
  );
}
