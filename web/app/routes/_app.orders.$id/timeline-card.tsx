import { useState, type FormEvent } from 'react';
import { Card, ProblemText } from '~/components/ui';
import { useAddOrderNoteMutation } from '~/gql/graphql';
import { problemFrom, type Problem } from '~/lib/errors';
import { ACTOR_LABEL, anyStatusLabel } from '~/lib/labels';
import { useFormatters } from '~/lib/locale';
import type { OrderSectionProps } from './order-section';

/** Status changes, payments and notes, oldest first; writers can add a note below. */
export function TimelineCard({ order, onChange, canWrite }: OrderSectionProps & { canWrite: boolean }) {
  const fmt = useFormatters();
  return (
      <Card title="Timeline" className="card--timeline">
        <ol className="timeline" data-testid="timeline">
          {order.statusHistory.map((change) => (
            <li key={change.id} className={`timeline__item timeline__item--${change.kind.toLowerCase()}`}>
              <span className="timeline__dot" aria-hidden="true" />
              <div className="timeline__body">
                <p className="timeline__what">
                  {change.kind === 'NOTE' ? (
                    'Note'
                  ) : (
                    <>
                      {change.kind === 'PAYMENT' ? 'Payment: ' : ''}
                      {change.from ? `${anyStatusLabel(change.from)} → ` : ''}
                      {anyStatusLabel(change.to)}
                    </>
                  )}
                </p>
                {change.note ? <p className="timeline__note">{change.note}</p> : null}
                {change.tracking ? (
                  <p className="timeline__tracking">
                    Tracking: {[change.tracking.carrier, change.tracking.number].filter(Boolean).join(' ') || 'link only'}
                    {change.tracking.url ? (
                      <>
                        {' · '}
                        <a href={change.tracking.url} target="_blank" rel="noopener noreferrer">
                          follow<span className="sr-only"> the parcel (opens in a new tab)</span>
                        </a>
                      </>
                    ) : null}
                  </p>
                ) : null}
                <p className="timeline__meta">
                  {change.actor.label} · {ACTOR_LABEL[change.actor.type]} ·{' '}
                  <time dateTime={change.createdAt}>{fmt.dateTime(change.createdAt)}</time>
                </p>
              </div>
            </li>
          ))}
        </ol>
        {canWrite ? <AddNoteForm order={order} onChange={onChange} /> : null}
      </Card>
  );
}

function AddNoteForm({ order, onChange }: OrderSectionProps) {
  const [state, addNote] = useAddOrderNoteMutation();
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [added, setAdded] = useState('');

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!note.trim()) return;
    setProblem(null);
    setAdded('');
    const result = await addNote({ id: order.id, note: note.trim() });
    if (result.data) {
      onChange(result.data.addOrderNote);
      setNote('');
      setAdded('Note added to the timeline.');
    } else setProblem(problemFrom(result.error));
  }

  return (
    <form className="note-form" onSubmit={submit}>
      <label htmlFor="order-note" className="field__label">
        Add a note
      </label>
      <textarea
        id="order-note"
        className="input"
        rows={2}
        value={note}
        onChange={(e) => setNote(e.target.value)}
        aria-describedby="order-note-hint"
      />
      <p className="field__hint" id="order-note-hint">
        Visible to your team only.
      </p>
      <div className="actions">
        <button type="submit" className="btn btn--secondary" disabled={state.fetching || !note.trim()}>
          {state.fetching ? 'Saving…' : 'Add note'}
        </button>
      </div>
      <p className="field__ok" role="status">
        {added}
      </p>
      <ProblemText problem={problem} />
    </form>
  );
}
