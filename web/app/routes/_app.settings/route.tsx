import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { useLoaderData, useRevalidator } from '@remix-run/react';
import { useState, type FormEvent } from 'react';
import { Card, PageHeader, ProblemText } from '~/components/ui';
import {
  SettingsDocument,
  useCreateDiscountCodeMutation,
  useSetDiscountCodeActiveMutation,
  useUpdateBrandSettingsMutation,
  type BrandSettingsFragment,
  type DiscountCodeRowFragment,
  type SettingsQuery,
  type SettingsQueryVariables,
} from '~/gql/graphql';
import { requireApi } from '~/lib/api.server';
import { startOfDayInZone, addDays } from '~/lib/dates';
import { problemFrom, type Problem } from '~/lib/errors';
import { useFormatters } from '~/lib/locale';
import { minorToDecimalString, parseMoneyInput } from '~/lib/money';
import { canAdmin } from '~/lib/roles';

export const meta: MetaFunction = () => [{ title: 'Settings · Luneo Orders' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const api = await requireApi(request);
  const result = await api.query<SettingsQuery, SettingsQueryVariables>(SettingsDocument, {});
  if (!canAdmin(result.viewer.role)) throw data({ message: 'Only owners and admins can change the brand’s settings.' }, { status: 403 });
  return result;
}

export default function SettingsPage() {
  const { viewer, discountCodes } = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  return (
    <>
      <PageHeader title="Settings" subtitle={viewer.brand.name} />
      <div className="grid-2 grid-2--cards">
        <BrandForm brand={viewer.brand} onSaved={() => revalidator.revalidate()} />
        <SubscriptionCard brand={viewer.brand} />
      </div>
      <DiscountCodes codes={discountCodes} currency={viewer.brand.currency} onChanged={() => revalidator.revalidate()} />
    </>
  );
}

/** "20" or "20.5" percent → basis points (2000, 2050); null when not a valid rate. */
export function percentToBps(text: string): number | null {
  const t = text.trim().replace(',', '.');
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(t)) return null;
  const bps = Math.round(Number(t) * 100);
  return bps <= 10_000 ? bps : null;
}

function BrandForm({ brand, onSaved }: { brand: BrandSettingsFragment; onSaved: () => void }) {
  const [state, save] = useUpdateBrandSettingsMutation();
  const currency = brand.currency;
  const [name, setName] = useState(brand.name);
  const [prefix, setPrefix] = useState(brand.orderNumberPrefix);
  const [tax, setTax] = useState(String(brand.taxRateBps / 100));
  const [inclusive, setInclusive] = useState(brand.taxInclusive);
  const [shipping, setShipping] = useState(minorToDecimalString(brand.shippingFlatRate.amount, currency));
  const [threshold, setThreshold] = useState(brand.freeShippingThreshold ? minorToDecimalString(brand.freeShippingThreshold.amount, currency) : '');
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

function SubscriptionCard({ brand }: { brand: BrandSettingsFragment }) {
  const fmt = useFormatters();
  const sub = brand.subscription;
  return (
    <Card title="Subscription">
      {sub ? (
        <dl className="facts">
          <div>
            <dt>Status</dt>
            <dd>
              <span className={`badge ${sub.status === 'active' || sub.status === 'trialing' ? 'badge--green' : 'badge--amber'}`}>{sub.status}</span>
            </dd>
          </div>
          {sub.plan ? (
            <div>
              <dt>Plan</dt>
              <dd>{sub.plan}</dd>
            </div>
          ) : null}
          {sub.currentPeriodEnd ? (
            <div>
              <dt>{sub.cancelAtPeriodEnd ? 'Ends' : 'Renews'}</dt>
              <dd>{fmt.date(sub.currentPeriodEnd)}</dd>
            </div>
          ) : null}
          {sub.endedAt ? (
            <div>
              <dt>Ended</dt>
              <dd>{fmt.date(sub.endedAt)}</dd>
            </div>
          ) : null}
        </dl>
      ) : (
        <p className="muted">No Luneo subscription is linked to this brand yet.</p>
      )}
      <dl className="facts">
        <div>
          <dt>Currency</dt>
          <dd>{brand.currency}</dd>
        </div>
        <div>
          <dt>Slug</dt>
          <dd className="mono">{brand.slug}</dd>
        </div>
      </dl>
    </Card>
  );
}

function DiscountCodes({ codes, currency, onChanged }: { codes: DiscountCodeRowFragment[]; currency: string; onChanged: () => void }) {
  const fmt = useFormatters();
  const [toggleState, setActive] = useSetDiscountCodeActiveMutation();
  const [rowProblem, setRowProblem] = useState<{ id: string; problem: Problem | null } | null>(null);
  const [creating, setCreating] = useState(false);

  async function toggle(code: DiscountCodeRowFragment) {
    setRowProblem(null);
    const result = await setActive({ id: code.id, active: !code.active });
    if (result.error) setRowProblem({ id: code.id, problem: problemFrom(result.error) });
    else onChanged();
  }

  return (
    <Card
      title="Discount codes"
      actions={
        <button type="button" className="btn btn--secondary btn--small" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
          {creating ? 'Close' : 'New code'}
        </button>
      }
    >
      {creating ? (
        <DiscountForm
          currency={currency}
          onCreated={() => {
            setCreating(false);
            onChanged();
          }}
        />
      ) : null}
      {codes.length === 0 ? (
        <p className="muted">No discount codes yet.</p>
      ) : (
        <div className="table-wrap table-wrap--flush">
          <table className="table table--compact" data-testid="discount-codes">
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Discount</th>
                <th scope="col">Minimum</th>
                <th scope="col">Valid</th>
                <th scope="col" className="num">
                  Used
                </th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {codes.map((code) => (
                <tr key={code.id}>
                  <td data-label="Code" className="mono">
                    {code.code}
                  </td>
                  <td data-label="Discount">{code.percentOff != null ? `${code.percentOff}%` : (code.amountOff?.formatted ?? '—')}</td>
                  <td data-label="Minimum">{code.minimumSubtotal?.formatted ?? '—'}</td>
                  <td data-label="Valid">
                    {code.validFrom || code.validUntil
                      ? `${code.validFrom ? fmt.date(code.validFrom) : '…'} – ${code.validUntil ? fmt.date(code.validUntil) : '…'}`
                      : 'Always'}
                  </td>
                  <td data-label="Used" className="num">
                    {code.timesUsed}
                    {code.usageLimit != null ? ` / ${code.usageLimit}` : ''}
                  </td>
                  <td data-label="Status">
                    <span className={`badge ${code.active ? 'badge--green' : 'badge--grey'}`}>{code.active ? 'Active' : 'Inactive'}</span>
                  </td>
                  <td className="row-actions">
                    <button type="button" className="btn btn--ghost btn--small" onClick={() => toggle(code)} disabled={toggleState.fetching}>
                      {code.active ? 'Deactivate' : 'Activate'}
                    </button>
                    {rowProblem?.id === code.id ? <ProblemText problem={rowProblem.problem} /> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

function DiscountForm({ currency, onCreated }: { currency: string; onCreated: () => void }) {
  const { timeZone } = useFormatters();
  const [state, create] = useCreateDiscountCodeMutation();
  const [code, setCode] = useState('');
  const [kind, setKind] = useState<'percent' | 'amount'>('percent');
  const [value, setValue] = useState('');
  const [minimum, setMinimum] = useState('');
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const [limit, setLimit] = useState('');
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
    const result = await create({
      input: {
        code: code.trim(),
        percentOff,
        amountOff,
        minimumSubtotal: min && min.ok ? min.amount : undefined,
        validFrom: from ? startOfDayInZone(from, timeZone) : undefined,
        validUntil: until ? startOfDayInZone(addDays(until, 1), timeZone) : undefined,
        usageLimit: usage,
      },
    });
    if (result.error) {
      const p = problemFrom(result.error);
      if (p?.field) setErrors({ [p.field.split('.').pop()!]: p.message });
      setProblem(p);
      return;
    }
    onCreated();
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
    <form className="subpanel" onSubmit={submit} noValidate aria-label="New discount code">
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
        <div className="field">
          <label htmlFor="discount-from" className="field__label">
            Valid from <span className="muted">(optional)</span>
          </label>
          <input id="discount-from" type="date" className="input" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="discount-until" className="field__label">
            Valid until <span className="muted">(optional)</span>
          </label>
          <input id="discount-until" type="date" className="input" value={until} onChange={(e) => setUntil(e.target.value)} {...describe('validUntil')} />
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
        <button type="submit" className="btn btn--primary" disabled={state.fetching}>
          {state.fetching ? 'Creating…' : 'Create code'}
        </button>
      </div>
    </form>
  );
}

export { RouteErrorBoundary as ErrorBoundary } from '~/components/route-error-boundary';
