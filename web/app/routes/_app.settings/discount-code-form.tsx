import { useState, type FormEvent } from 'react';
import { DateField } from '~/components/date-field';
import { ProblemText } from '~/components/ui';
import { useCreateDiscountCodeMutation, useUpdateDiscountCodeMutation, type DiscountCodeRowFragment } from '~/gql/graphql';
import { addDays, startOfDayInZone, todayInZone } from '~/lib/dates';
import { problemFrom, type Problem } from '~/lib/errors';
import { useFormatters } from '~/lib/locale';
import { formatMoneyInput, parseMoneyInput } from '~/lib/money';

/** The calendar day (in the person's zone) of the last instant before an exclusive end. */
const lastDay = (validUntil: string, timeZone: string) => todayInZone(timeZone, new Date(Date.parse(validUntil) - 1));

/** Creates a discount code, or — while nobody has used it — edits one in full. */
export function DiscountCodeForm({ currency, editing, onSaved }: { currency: string; editing?: DiscountCodeRowFragment; onSaved: () => void }) {
  const { timeZone, locale } = useFormatters();
  const [createState, create] = useCreateDiscountCodeMutation();
  const [updateState, update] = useUpdateDiscountCodeMutation();
  const busy = createState.fetching || updateState.fetching;
  const [code, setCode] = useState(editing?.code ?? '');
  const [kind, setKind] = useState<'percent' | 'amount'>(editing?.amountOff ? 'amount' : 'percent');
  const [value, setValue] = useState(
    editing?.amountOff ? formatMoneyInput(editing.amountOff.amount, currency, locale) : editing?.percentOff != null ? String(editing.percentOff) : '',
  );
  const [minimum, setMinimum] = useState(editing?.minimumSubtotal ? formatMoneyInput(editing.minimumSubtotal.amount, currency, locale) : '');
  const [from, setFrom] = useState(editing?.validFrom ? todayInZone(timeZone, new Date(editing.validFrom)) : '');
  const [until, setUntil] = useState(editing?.validUntil ? lastDay(editing.validUntil, timeZone) : '');
  const [limit, setLimit] = useState(editing?.usageLimit != null ? String(editing.usageLimit) : '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<Problem | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    const found: Record<string, string> = {};
    if (!/^[A-Z0-9_-]{3,32}$/.test(code.trim())) found.code = 'Use 3–32 letters, digits, - or _.';
    let percentOff: number | undefined;
    let amountOff: number | undefined;
    if (kind === 'percent') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > 100) found.value = 'Enter a whole percentage from 1 to 100.';
      else percentOff = n;
    } else {
      const parsed = parseMoneyInput(value, currency);
      if (!parsed.ok || parsed.amount <= 0) found.value = parsed.ok ? 'Enter an amount above 0.' : parsed.error;
      else amountOff = parsed.amount;
    }
    const min = minimum.trim() ? parseMoneyInput(minimum, currency) : null;
    if (min && !min.ok) found.minimumSubtotal = min.error;
    const usage = limit.trim() ? Number(limit) : undefined;
    if (usage !== undefined && (!Number.isInteger(usage) || usage < 1)) found.usageLimit = 'Enter a whole number of 1 or more.';
    if (from && until && from > until) found.validUntil = 'The end date must be after the start date.';
    setErrors(found);
    if (Object.keys(found).length) return;
    const input = {
      code: code.trim(),
      percentOff,
      amountOff,
      minimumSubtotal: min && min.ok ? min.amount : undefined,
      validFrom: from ? startOfDayInZone(from, timeZone) : undefined,
      validUntil: until ? startOfDayInZone(addDays(until, 1), timeZone) : undefined,
      usageLimit: usage,
    };
    const result = editing ? await update({ id: editing.id, input }) : await create({ input });
    if (result.error) {
      const p = problemFrom(result.error);
      if (p?.field) setErrors({ [p.field.split('.').pop()!]: p.message });
      setProblem(p);
      return;
    }
    onSaved();
  }

  const describe = (key: string) => ({
    'aria-invalid': errors[key] ? true : undefined,
    'aria-describedby': errors[key] ? `discount-${key}-error` : undefined,
  });
  const err = (key: string) =>
    errors[key] ? (
      <p className="field__error" id={`discount-${key}-error`}>
        {errors[key]}
      </p>
    ) : null;

  return (
    <form className="subpanel" onSubmit={submit} noValidate aria-label={editing ? `Edit discount code ${editing.code}` : 'New discount code'}>
      <div className="grid-3">
        <div className="field">
          <label htmlFor="discount-code" className="field__label">
            Code
          </label>
          <input id="discount-code" className="input mono" value={code} onChange={(e) => setCode(e.target.value.toUpperCase())} autoFocus {...describe('code')} />
          {err('code')}
        </div>
        <div className="field">
          <label htmlFor="discount-kind" className="field__label">
            Type
          </label>
          <select id="discount-kind" className="input" value={kind} onChange={(e) => setKind(e.target.value as 'percent' | 'amount')}>
            <option value="percent">Percentage</option>
            <option value="amount">Fixed amount ({currency})</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="discount-value" className="field__label">
            {kind === 'percent' ? 'Percent off' : `Amount off (${currency})`}
          </label>
          <input id="discount-value" className="input" inputMode="decimal" value={value} onChange={(e) => setValue(e.target.value)} {...describe('value')} />
          {err('value')}
        </div>
        <div className="field">
          <label htmlFor="discount-min" className="field__label">
            Minimum subtotal <span className="muted">(optional)</span>
          </label>
          <input id="discount-min" className="input" inputMode="decimal" value={minimum} onChange={(e) => setMinimum(e.target.value)} {...describe('minimumSubtotal')} />
          {err('minimumSubtotal')}
        </div>
        <DateField id="discount-from" label="Valid from" optional value={from || null} max={until || undefined} onChange={(value) => setFrom(value ?? '')} />
        <div className="field">
          <DateField
            id="discount-until"
            label="Valid until"
            optional
            value={until || null}
            min={from || undefined}
            onChange={(value) => setUntil(value ?? '')}
            invalid={Boolean(errors.validUntil)}
            describedBy={errors.validUntil ? 'discount-validUntil-error' : undefined}
          />
          {err('validUntil')}
        </div>
        <div className="field">
          <label htmlFor="discount-limit" className="field__label">
            Usage limit <span className="muted">(optional)</span>
          </label>
          <input id="discount-limit" type="number" min={1} className="input" value={limit} onChange={(e) => setLimit(e.target.value)} {...describe('usageLimit')} />
          {err('usageLimit')}
        </div>
      </div>
      <ProblemText problem={problem && !problem.field ? problem : null} />
      <div className="actions">
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {editing ? (busy ? 'Saving…' : 'Save code') : busy ? 'Creating…' : 'Create code'}
        </button>
      </div>
    </form>
  );
}
