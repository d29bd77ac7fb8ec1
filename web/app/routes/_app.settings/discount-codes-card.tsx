import { useState } from 'react';
import { Card, ProblemText } from '~/components/ui';
import { useSetDiscountCodeActiveMutation, type DiscountCodeRowFragment } from '~/gql/graphql';
import { problemFrom, type Problem } from '~/lib/errors';
import { discountCodeStatus } from '~/lib/labels';
import { useFormatters } from '~/lib/locale';
import { NewDiscountCodeForm } from './new-discount-code-form';

export function DiscountCodesCard({ codes, currency, onChanged }: { codes: DiscountCodeRowFragment[]; currency: string; onChanged: () => void }) {
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
        <NewDiscountCodeForm
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
          <table className="table table--compact table--stack" data-testid="discount-codes">
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
                  <td data-label="Discount">{code.percentOff != null ? `${code.percentOff}%` : ((code.amountOff ? fmt.amount(code.amountOff) : null) ?? '—')}</td>
                  <td data-label="Minimum">{(code.minimumSubtotal ? fmt.amount(code.minimumSubtotal) : null) ?? '—'}</td>
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
                    {(() => {
                      const status = discountCodeStatus(code);
                      return <span className={`badge badge--${status.tone}`}>{status.label}</span>;
                    })()}
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
