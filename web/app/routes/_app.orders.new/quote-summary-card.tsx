import { Card, ProblemText, Spinner } from '~/components/ui';
import type { QuoteOrderQuery } from '~/gql/graphql';
import type { Problem } from '~/lib/errors';
import { useFormatters } from '~/lib/locale';
import { taxIsIncluded } from '~/lib/money';

/** The live price of the order being written, and what stands in the way of creating it. */
export function QuoteSummaryCard({
  quotable,
  quote,
  stale,
  overStockProducts,
  quoteFailed,
  quoteProblem,
  submitProblem,
}: {
  /** Whether the form holds enough to price (at least one valid line). */
  quotable: boolean;
  quote: QuoteOrderQuery['quoteOrder'] | null;
  /** The quote shown is for an earlier version of the form; a newer one is on its way. */
  stale: boolean;
  /** Names of the products whose line asks for more than the stock. */
  overStockProducts: string[];
  /** The last quote request was refused (a discount code's refusal shows beside its field, not here). */
  quoteFailed: boolean;
  quoteProblem: Problem | null;
  submitProblem: Problem | null;
}) {
  const fmt = useFormatters();
  return (
    <Card title="Summary" className="quote" actions={stale && quotable ? <Spinner label="Updating the quote" /> : null}>
      {!quotable ? (
        <p className="muted">Add a product to see the price.</p>
      ) : quote ? (
        <dl className={`totals ${stale ? 'is-busy' : ''}`} aria-live="polite" data-testid="quote">
          <div>
            <dt>Subtotal</dt>
            <dd>{fmt.amount(quote.subtotal)}</dd>
          </div>
          {quote.discountTotal.amount ? (
            <div>
              <dt>Discount</dt>
              <dd data-testid="quote-discount">−{fmt.amount(quote.discountTotal)}</dd>
            </div>
          ) : null}
          <div>
            <dt>Shipping</dt>
            <dd>{quote.shippingTotal.amount ? fmt.amount(quote.shippingTotal) : 'Free'}</dd>
          </div>
          <div>
            <dt>{taxIsIncluded(quote) ? 'Tax (included)' : 'Tax'}</dt>
            <dd>{fmt.amount(quote.taxTotal)}</dd>
          </div>
          <div className="totals__grand">
            <dt>Total</dt>
            <dd data-testid="quote-total">{fmt.amount(quote.total)}</dd>
          </div>
        </dl>
      ) : null}
      {quote && overStockProducts.length > 0 ? (
        <p className="problem" role="alert" data-testid="quote-stock-problem">
          Not enough stock for {overStockProducts.join(', ')}. This total cannot be ordered: lower the quantity on the line.
        </p>
      ) : null}
      {quotable && !quote && !quoteFailed ? (
        <p className="muted">
          <Spinner label="Calculating" /> Calculating…
        </p>
      ) : null}
      <ProblemText problem={quoteProblem} />
      <ProblemText problem={submitProblem} />
    </Card>
  );
}
