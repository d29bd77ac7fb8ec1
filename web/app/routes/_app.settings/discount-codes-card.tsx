import { useState } from 'react';
import { Card, ProblemText } from '~/components/ui';
import { useDeleteDiscountCodeMutation, useSetDiscountCodeActiveMutation, type DiscountCodeRowFragment } from '~/gql/graphql';
import { problemFrom, type Problem } from '~/lib/errors';
import { closeOnEscape } from '~/lib/keyboard';
import { discountCodeStatus, discountValidity } from '~/lib/labels';
import { useFormatters } from '~/lib/locale';
import { DiscountCodeForm } from './discount-code-form';

type Editing = { kind: 'new' } | { kind: 'edit'; code: DiscountCodeRowFragment } | null;

/**
 * The brand's discount codes. A code nobody used yet can be edited or deleted; once used, orders name it, so it can
 * only be switched off. An expired code does nothing any more: it offers no switch.
 */
export function DiscountCodesCard({ codes, currency, onChanged }: { codes: DiscountCodeRowFragment[]; currency: string; onChanged: () => void }) {
  const fmt = useFormatters();
  const [toggleState, setActive] = useSetDiscountCodeActiveMutation();
  const [deleteState, deleteCode] = useDeleteDiscountCodeMutation();
  const [rowProblem, setRowProblem] = useState<{ id: string; problem: Problem | null } | null>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');

  async function toggle(code: DiscountCodeRowFragment) {
    setRowProblem(null);
    const result = await setActive({ id: code.id, active: !code.active });
    if (result.error) setRowProblem({ id: code.id, problem: problemFrom(result.error) });
    else {
      setAnnouncement(`${code.code} is ${code.active ? 'deactivated' : 'active again'}.`);
      onChanged();
    }
  }

  async function remove(code: DiscountCodeRowFragment) {
    setRowProblem(null);
    const result = await deleteCode({ id: code.id });
    if (result.error) setRowProblem({ id: code.id, problem: problemFrom(result.error) });
    else {
      setConfirmDelete(null);
      setAnnouncement(`${code.code} was deleted.`);
      onChanged();
    }
  }

  return (
    <Card
      title="Discount codes"
      actions={
        <button
          type="button"
          className="btn btn--secondary btn--small"
          onClick={() => setEditing((e) => (e?.kind === 'new' ? null : { kind: 'new' }))}
          aria-expanded={editing?.kind === 'new'}
        >
          {editing?.kind === 'new' ? 'Close' : 'New code'}
        </button>
      }
    >
      <p className="sr-only" role="status">
        {announcement}
      </p>
      {editing ? (
        <div onKeyDown={closeOnEscape(() => setEditing(null))}>
          <DiscountCodeForm
            key={editing.kind === 'edit' ? editing.code.id : 'new'}
            currency={currency}
            editing={editing.kind === 'edit' ? editing.code : undefined}
            onSaved={() => {
              setAnnouncement(editing.kind === 'edit' ? `${editing.code.code} was saved.` : 'The code was created.');
              setEditing(null);
              onChanged();
            }}
          />
        </div>
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
                <th scope="col">Minimum order</th>
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
              {codes.map((code) => {
                const status = discountCodeStatus(code);
                const unused = code.timesUsed === 0;
                const canToggle = status.label !== 'Expired';
                return (
                  <tr key={code.id} data-code={code.code}>
                    <td data-label="Code" className="mono">
                      {code.code}
                    </td>
                    <td data-label="Discount">{code.percentOff != null ? `${fmt.number(code.percentOff)} %` : code.amountOff ? fmt.amount(code.amountOff) : '—'}</td>
                    <td data-label="Minimum order">{code.minimumSubtotal ? fmt.amount(code.minimumSubtotal) : '—'}</td>
                    <td data-label="Valid">{discountValidity(code, fmt.date)}</td>
                    <td data-label="Used" className="num">
                      {fmt.number(code.timesUsed)}
                      {code.usageLimit != null ? ` of ${fmt.number(code.usageLimit)}` : ''}
                    </td>
                    <td data-label="Status">
                      <span className={`badge badge--${status.tone}`}>{status.label}</span>
                    </td>
                    <td className="row-actions">
                      {confirmDelete === code.id ? (
                        <span className="row-actions__confirm" role="group" aria-label={`Delete ${code.code}?`} onKeyDown={closeOnEscape(() => setConfirmDelete(null))}>
                          <span>Delete {code.code} for good?</span>
                          <button type="button" className="btn btn--danger btn--small" onClick={() => remove(code)} disabled={deleteState.fetching} autoFocus>
                            Yes, delete
                          </button>
                          <button type="button" className="btn btn--ghost btn--small" onClick={() => setConfirmDelete(null)}>
                            Keep
                          </button>
                        </span>
                      ) : (
                        <>
                          {unused ? (
                            <button
                              type="button"
                              className="btn btn--ghost btn--small"
                              onClick={() => setEditing({ kind: 'edit', code })}
                              aria-label={`Edit ${code.code}`}
                            >
                              Edit
                            </button>
                          ) : null}
                          {canToggle ? (
                            <button
                              type="button"
                              className="btn btn--ghost btn--small"
                              onClick={() => toggle(code)}
                              disabled={toggleState.fetching}
                              aria-label={`${code.active ? 'Deactivate' : 'Activate'} ${code.code}`}
                            >
                              {code.active ? 'Deactivate' : 'Activate'}
                            </button>
                          ) : null}
                          {unused ? (
                            <button
                              type="button"
                              className="btn btn--ghost btn--small"
                              onClick={() => setConfirmDelete(code.id)}
                              aria-label={`Delete ${code.code}`}
                            >
                              Delete
                            </button>
                          ) : null}
                        </>
                      )}
                      {rowProblem?.id === code.id ? <ProblemText problem={rowProblem.problem} /> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
