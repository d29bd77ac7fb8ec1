import type { StripeEventsQueryVariables, WebhookEventOutcome } from '~/gql/graphql';

/** How the Settings page shows Stripe: received webhook events and the brand's Luneo subscription. Pure helpers. */

export type Tone = 'green' | 'blue' | 'amber' | 'red' | 'grey' | 'violet';

export const WEBHOOK_OUTCOMES: readonly WebhookEventOutcome[] = ['PROCESSED', 'IGNORED', 'REJECTED', 'FAILED'];

/** Rows per "Load more" (the API allows up to 100). */
export const STRIPE_EVENTS_PAGE_SIZE = 20;

/** The query-string key of the outcome filter on /settings. */
export const OUTCOME_PARAM = 'events';

export interface OutcomeView {
  label: string;
  tone: Tone;
  /** One sentence on what the outcome means, for a tooltip and screen readers. */
  meaning: string;
}

const OUTCOME_VIEW: Record<WebhookEventOutcome, OutcomeView> = {
  PROCESSED: { label: 'Processed', tone: 'green', meaning: 'Applied to your orders or subscription.' },
  IGNORED: { label: 'Ignored', tone: 'grey', meaning: 'Acknowledged; there was nothing to do.' },
  REJECTED: { label: 'Rejected', tone: 'amber', meaning: 'Acknowledged but refused by our rules; replay it after fixing the cause.' },
  FAILED: { label: 'Failed', tone: 'red', meaning: 'Our side failed; Stripe retries it automatically.' },
};

const IN_FLIGHT: OutcomeView = { label: 'In progress', tone: 'blue', meaning: 'Received and kept; Luneo is applying it, or it waits its turn.' };

/** Badge text and colour for an event's outcome; null means it is received and not applied yet (the API's inbox). */
export function outcomeView(outcome: WebhookEventOutcome | null | undefined): OutcomeView {
  return outcome ? OUTCOME_VIEW[outcome] : IN_FLIGHT;
}

/** `?events=failed` → FAILED; anything else → no filter. */
export function parseOutcomeParam(value: string | null | undefined): WebhookEventOutcome | null {
  const upper = value?.trim().toUpperCase();
  return (WEBHOOK_OUTCOMES as readonly string[]).includes(upper ?? '') ? (upper as WebhookEventOutcome) : null;
}

/** The first page's variables, the same in the loader and in the browser (so the loader's page seeds the hook). */
export function stripeEventsVariables(outcome: WebhookEventOutcome | null): StripeEventsQueryVariables {
  return outcome ? { first: STRIPE_EVENTS_PAGE_SIZE, filter: { outcome: [outcome] } } : { first: STRIPE_EVENTS_PAGE_SIZE };
}

/**
 * The API's reasons are written for developers ("metadata.app is not \"orders\""); these say the same for a person.
 * Anything not listed is shown as the API wrote it.
 */
const PLAIN_REASONS: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^(\S+) is not handled$/, () => 'Luneo does not use this type of event.'],
  [/^metadata\.app is not "[^"]*"$/, () => 'Not created by Luneo (it belongs to another app on this Stripe account).'],
  [/^unsupported metadata\.schema_version (.*)$/, (m) => `Created with a checkout format Luneo does not support (version ${m[1]}).`],
  [/^metadata\.brand_id is missing or not an id$/, () => 'It does not say which brand it belongs to.'],
  [/^the subscription has no metadata\.brand_id$/, () => 'The subscription does not say which brand it belongs to.'],
  [/^metadata\.order_ref is missing or malformed$/, () => 'It has no valid order reference.'],
  [/^brand (\S+) does not exist$/, () => 'It names a brand that does not exist.'],
  [/^a (\w+)-mode Checkout Session creates no order$/, (m) => `A ${m[1]} checkout, which creates no order.`],
  [/^the charge has no PaymentIntent$/, () => 'The charge is not linked to a payment, so no order can be found.'],
  [/^subscription (\S+): a newer event was already applied$/, (m) => `A newer update of subscription ${m[1]} was already applied.`],
];

export function plainReason(text: string): string {
  const trimmed = text.trim();
  for (const [pattern, say] of PLAIN_REASONS) {
    const m = pattern.exec(trimmed);
    if (m) return say(m);
  }
  return trimmed;
}

export interface EventExplanation {
  /** What happened, in plain words. */
  summary: string;
  /** The API's own text when `summary` rewrote it (for a tooltip), else null. */
  detail: string | null;
  /** What the operator can do next, if anything. */
  next: string | null;
}

/** The "what happened" cell of an event row: the reason (or error), in plain words, and the next step. */
export function explainEvent(event: {
  outcome: WebhookEventOutcome | null;
  reason: string | null;
  error: string | null;
  eventId: string;
}): EventExplanation {
  const raw = (event.outcome === 'REJECTED' || event.outcome === 'FAILED' ? (event.error ?? event.reason) : (event.reason ?? event.error))?.trim() || null;
  const plain = raw ? plainReason(raw) : null;
  const detail = raw && plain !== raw ? raw : null;
  switch (event.outcome) {
    case 'PROCESSED':
      return { summary: plain ?? 'Applied.', detail, next: null };
    case 'IGNORED':
      return { summary: plain ?? 'Nothing to do.', detail, next: null };
    case 'REJECTED':
      return {
        summary: plain ? `Refused: ${plain}` : 'Refused by our rules.',
        detail,
        next: `Fix the cause, then replay it: pnpm cli stripe:replay ${event.eventId}`,
      };
    case 'FAILED':
      return {
        summary: plain ? `Could not be processed: ${plain}` : 'Could not be processed.',
        detail,
        next: 'Stripe retries it automatically.',
      };
    default:
      return { summary: 'Being processed…', detail: null, next: null };
  }
}

/* ---------- The brand's Luneo subscription ---------- */

export interface SubscriptionFields {
  status: string;
  plan: string | null;
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: string | null;
  endedAt: string | null;
}

export interface SubscriptionView {
  statusLabel: string;
  tone: Tone;
  plan: string | null;
  /** Dated facts in display order, e.g. "Renews on" / "Ends on" / "Ended on" with an ISO instant. */
  dates: Array<{ label: string; at: string }>;
  /** A sentence that must not be missed (cancellation scheduled, payment trouble), or null. */
  notice: { tone: 'warning' | 'info'; text: string } | null;
}

const SUBSCRIPTION_STATUS: Record<string, { label: string; tone: Tone }> = {
  active: { label: 'Active', tone: 'green' },
  trialing: { label: 'Trial', tone: 'blue' },
  past_due: { label: 'Past due', tone: 'amber' },
  unpaid: { label: 'Unpaid', tone: 'red' },
  incomplete: { label: 'Incomplete', tone: 'amber' },
  incomplete_expired: { label: 'Expired', tone: 'grey' },
  canceled: { label: 'Canceled', tone: 'grey' },
  paused: { label: 'Paused', tone: 'grey' },
};

/** Stripe's subscription status ("past_due") → a label and a colour; unknown statuses are spelled out. */
export function subscriptionStatusView(status: string): { label: string; tone: Tone } {
  const known = SUBSCRIPTION_STATUS[status];
  if (known) return known;
  const words = status.replace(/[_-]+/g, ' ').trim();
  return { label: words ? words[0].toUpperCase() + words.slice(1) : 'Unknown', tone: 'grey' };
}

/** What the subscription card shows; `formatDate` renders an ISO instant in the user's locale and time zone. */
export function subscriptionView(sub: SubscriptionFields, formatDate: (iso: string) => string): SubscriptionView {
  const { label: statusLabel, tone } = subscriptionStatusView(sub.status);
  const ended = Boolean(sub.endedAt) || sub.status === 'canceled' || sub.status === 'incomplete_expired';
  const dates: SubscriptionView['dates'] = [];
  let notice: SubscriptionView['notice'] = null;

  if (ended) {
    if (sub.endedAt) dates.push({ label: 'Ended on', at: sub.endedAt });
    if (sub.canceledAt) dates.push({ label: 'Canceled on', at: sub.canceledAt });
  } else {
    if (sub.currentPeriodEnd) {
      const label = sub.cancelAtPeriodEnd ? 'Ends on' : sub.status === 'active' ? 'Renews on' : sub.status === 'trialing' ? 'Trial ends on' : 'Period ends on';
      dates.push({ label, at: sub.currentPeriodEnd });
    }
    if (sub.cancelAtPeriodEnd) {
      if (sub.canceledAt) dates.push({ label: 'Cancellation requested on', at: sub.canceledAt });
      notice = {
        tone: 'warning',
        text: sub.currentPeriodEnd
          ? `Set to cancel at the end of the current period: it will not renew, and ends on ${formatDate(sub.currentPeriodEnd)}.`
          : 'Set to cancel at the end of the current period: it will not renew.',
      };
    } else if (sub.status === 'past_due' || sub.status === 'unpaid' || sub.status === 'incomplete') {
      notice = { tone: 'warning', text: 'The last payment did not go through. Update the payment method in Stripe to keep the plan.' };
    }
  }
  return { statusLabel, tone, plan: sub.plan, dates, notice };
}
