import { useState, type FormEvent } from 'react';
import { useClient } from 'urql';
import { Card, ProblemNotice, ProblemText } from '~/components/ui';
import { ExportCustomerDataDocument, useEraseCustomerDataMutation, type EraseCustomerDataMutation } from '~/gql/graphql';
import { problemFrom, type Problem } from '~/lib/errors';

/**
 * Settings → Customer data: a customer's GDPR requests, by email. Export downloads everything held about them as JSON;
 * erase replaces their personal data on every order with a pseudonym (amounts, items and statuses stay), after a
 * confirmation, and is recorded in the audit log.
 */
export function CustomerDataCard() {
  const client = useClient();
  const [email, setEmail] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [exporting, setExporting] = useState(false);
  const [eraseState, erase] = useEraseCustomerDataMutation();
  const [erased, setErased] = useState<EraseCustomerDataMutation['eraseCustomerData'] | null>(null);
  const [exported, setExported] = useState<string | null>(null);

  async function exportData(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    setErased(null);
    setExporting(true);
    const result = await client.query(ExportCustomerDataDocument, { email: email.trim() }, { requestPolicy: 'network-only' }).toPromise();
    setExporting(false);
    if (result.error || !result.data) return setProblem(problemFrom(result.error));
    const json = JSON.stringify(result.data.exportCustomerData, null, 2);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    link.download = `customer-data-${email.trim().replace(/[^a-z0-9@._-]/gi, '_')}.json`;
    link.click();
    URL.revokeObjectURL(link.href);
    const count = (result.data.exportCustomerData as { orders?: unknown[] }).orders?.length ?? 0;
    setExported(`${count} ${count === 1 ? 'order' : 'orders'} exported`);
  }

  async function eraseData() {
    setProblem(null);
    setExported(null);
    const target = email.trim();
    if (!target) return setProblem({ code: 'BAD_USER_INPUT', message: 'Enter the customer’s email first.', field: 'email' } as Problem);
    if (!window.confirm(`Erase the personal data of ${target} on every order? This cannot be undone.`)) return;
    const result = await erase({ email: target });
    if (result.error || !result.data) return setProblem(problemFrom(result.error));
    setErased(result.data.eraseCustomerData);
  }

  return (
    <Card title="Customer data">
      <p className="muted">A customer’s right of access and to erasure (GDPR): find them by the email on their orders.</p>
      <form className="filters__row" onSubmit={exportData} noValidate aria-label="Customer data">
        <label className="field">
          <span className="field__label">Customer email</span>
          <input
            className="input"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={problem?.field === 'email' || undefined}
            aria-describedby="customer-data-problem"
          />
          <ProblemText problem={problem?.field === 'email' ? problem : null} id="customer-data-problem" />
        </label>
        <div className="actions">
          <button type="submit" className="btn btn--secondary" disabled={exporting || !email.trim()}>
            {exporting ? 'Exporting…' : 'Export (JSON)'}
          </button>
          <button type="button" className="btn btn--danger" onClick={eraseData} disabled={eraseState.fetching || !email.trim()}>
            {eraseState.fetching ? 'Erasing…' : 'Erase'}
          </button>
        </div>
      </form>
      {problem && problem.field !== 'email' ? <ProblemNotice problem={problem} /> : null}
      {exported ? <p role="status">{exported}</p> : null}
      {erased ? (
        <p role="status" data-testid="customer-erased">
          Erased: {erased.orderCount} {erased.orderCount === 1 ? 'order' : 'orders'}, {erased.timelineEntryCount} timeline{' '}
          {erased.timelineEntryCount === 1 ? 'note' : 'notes'}, {erased.itemCount} item{' '}
          {erased.itemCount === 1 ? 'personalisation' : 'personalisations'}, {erased.deletedOrderCount} deleted{' '}
          {erased.deletedOrderCount === 1 ? 'order' : 'orders'} and {erased.stripeEventCount} stored payment{' '}
          {erased.stripeEventCount === 1 ? 'message' : 'messages'}; the customer is now{' '}
          <span className="mono">{erased.pseudonym}</span>.
        </p>
      ) : null}
    </Card>
  );
}
