import { useState, type FormEvent } from 'react';
import { Card, ProblemText } from '~/components/ui';
import { useUpdateBrandSettingsMutation, type BrandSettingsFragment } from '~/gql/graphql';
import { problemFrom, type Problem } from '~/lib/errors';
import { useFormatters } from '~/lib/locale';
import { formatMoneyInput, parseMoneyInput } from '~/lib/money';

/** "20" or "20.5" percent → basis points (2000, 2050); null when not a valid rate. */
export function percentToBps(text: string): number | null {
  const t = text.trim().replace(',', '.');
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(t)) return null;
  const bps = Math.round(Number(t) * 100);
  return bps <= 10_000 ? bps : null;
}

export function BrandSettingsCard({ brand, onSaved }: { brand: BrandSettingsFragment; onSaved: () => void }) {
  const [state, save] = useUpdateBrandSettingsMutation();
  const currency = brand.currency;
  const { locale, number } = useFormatters();
  const [name, setName] = useState(brand.name);
  const [prefix, setPrefix] = useState(brand.orderNumberPrefix);
  const [tax, setTax] = useState(number(brand.taxRateBps / 100));
  const [inclusive, setInclusive] = useState(brand.taxInclusive);
  const [shipping, setShipping] = useState(formatMoneyInput(brand.shippingFlatRate.amount, currency, locale));
  const [threshold, setThreshold] = useState(brand.freeShippingThreshold ? formatMoneyInput(brand.freeShippingThreshold.amount, currency, locale) : '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saved, setSaved] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    setProblem(null);
    const found: Record<string, string> = {};
    const bps = percentToBps(tax);
    if (bps === null) found.taxRateBps = 'Enter a rate between 0 and 100, e.g. 20 or 7.7.';
    const ship = parseMoneyInput(shipping, currency);
    if (!ship.ok) found.shippingFlatRate = ship.error;
    const free = threshold.trim() ? parseMoneyInput(threshold, currency) : null;
    if (free && !free.ok) found.freeShippingThreshold = free.error;
    if (!name.trim()) found.name = 'Enter the brand name.';
    if (!/^[A-Za-z0-9]{1,8}$/.test(prefix.trim())) found.orderNumberPrefix = 'Use 1–8 letters or digits, e.g. LL.';
    setErrors(found);
    if (Object.keys(found).length || bps === null || !ship.ok || (free && !free.ok)) return;
    const result = await save({
      input: {
        name: name.trim(),
        orderNumberPrefix: prefix.trim().toUpperCase(),
        taxRateBps: bps,
        taxInclusive: inclusive,
        shippingFlatRate: ship.amount,
        freeShippingThreshold: free ? free.amount : null,
      },
    });
    if (result.error) {
      const p = problemFrom(result.error);
      if (p?.field) setErrors({ [p.field.split('.').pop()!]: p.message });
      setProblem(p);
      return;
    }
    setSaved(true);
    onSaved();
  }

  const describe = (key: string) => ({
    'aria-invalid': errors[key] ? true : undefined,
    'aria-describedby': errors[key] ? `brand-${key}-error` : undefined,
  });
  const err = (key: string) =>
    errors[key] ? (
      <p className="field__error" id={`brand-${key}-error`}>
        {errors[key]}
      </p>
    ) : null;

  return (
    <Card title="Brand, tax and shipping">
      <form onSubmit={submit} noValidate className="form">
        <div className="grid-2">
          <div className="field">
            <label htmlFor="brand-name" className="field__label">
              Brand name
            </label>
            <input id="brand-name" className="input" value={name} onChange={(e) => setName(e.target.value)} {...describe('name')} />
            {err('name')}
          </div>
          <div className="field">
            <label htmlFor="brand-prefix" className="field__label">
              Order number prefix
            </label>
            <input id="brand-prefix" className="input input--short" value={prefix} onChange={(e) => setPrefix(e.target.value.toUpperCase())} {...describe('orderNumberPrefix')} />
            {err('orderNumberPrefix')}
          </div>
          <div className="field">
            <label htmlFor="brand-tax" className="field__label">
              Tax rate (%)
            </label>
            <input id="brand-tax" className="input input--short" inputMode="decimal" value={tax} onChange={(e) => setTax(e.target.value)} {...describe('taxRateBps')} />
            {err('taxRateBps')}
          </div>
          <div className="field field--center">
            <label className="checkbox">
              <input type="checkbox" checked={inclusive} onChange={(e) => setInclusive(e.target.checked)} />
              <span>Catalog prices include tax</span>
            </label>
          </div>
          <div className="field">
            <label htmlFor="brand-shipping" className="field__label">
              Flat shipping rate ({currency})
            </label>
            <input id="brand-shipping" className="input" inputMode="decimal" value={shipping} onChange={(e) => setShipping(e.target.value)} {...describe('shippingFlatRate')} />
            {err('shippingFlatRate')}
          </div>
          <div className="field">
            <label htmlFor="brand-free" className="field__label">
              Free shipping from ({currency}) <span className="muted">(optional)</span>
            </label>
            <input id="brand-free" className="input" inputMode="decimal" value={threshold} onChange={(e) => setThreshold(e.target.value)} {...describe('freeShippingThreshold')} />
            {err('freeShippingThreshold')}
          </div>
        </div>
        <ProblemText problem={problem && !problem.field ? problem : null} />
        {saved ? (
          <p className="field__ok" role="status">
            Saved. New orders use these rules.
          </p>
        ) : null}
        <div className="actions">
          <button type="submit" className="btn btn--primary" disabled={state.fetching}>
            {state.fetching ? 'Saving…' : 'Save settings'}
          </button>
        </div>
      </form>
    </Card>
  );
}
