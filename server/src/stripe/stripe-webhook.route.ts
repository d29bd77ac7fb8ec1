import express from 'express';
import type Stripe from 'stripe';
import type { Env } from '../env';
import type { Logger } from '../logger';
import type { StripeEventInbox } from './event-inbox';
import { verifyWebhook } from './stripe-client';

/** Why a verified body is still not an event we can process, or null. */
function notAnEvent(value: unknown): string | null {
  const event = value as Partial<Stripe.Event> | null;
  if (!event || typeof event !== 'object' || Array.isArray(event)) return 'the body is not a JSON object';
  if (event.object !== 'event') return 'object is not "event"';
  if (typeof event.id !== 'string' || !event.id) return 'id is missing';
  if (typeof event.type !== 'string' || !event.type) return 'type is missing';
  if (typeof event.created !== 'number') return 'created is missing';
  const data = event.data as { object?: unknown } | undefined;
  if (!data || typeof data.object !== 'object' || data.object === null) return 'data.object is missing';
  return null;
}

/** Short, stable reasons for signature failures (Stripe's messages are long and mention docs). */
function signatureProblem(error: unknown): string {
  const text = String((error as Error)?.message ?? '');
  if (/tolerance/i.test(text)) return 'timestamp outside the tolerance zone';
  if (/Unable to extract timestamp and signatures/i.test(text)) return 'malformed Stripe-Signature header';
  if (/No signatures found matching/i.test(text)) return 'signature does not match the payload';
  return 'signature verification failed';
}

/**
 * `POST /webhooks/stripe`: raw bytes in (mounted before any JSON parser), signature verified with
 * STRIPE_WEBHOOK_SECRET. 400 with a short reason — recording nothing — for anything unsigned, stale, altered, not JSON
 * or not an event; 200 once the event is stored (event-inbox.ts), with its outcome when it was handled, already
 * handled, ignored or rejected by our rules within STRIPE_ANSWER_WITHIN_MS and it is not part of a burst (event-inbox.ts),
 * else `queued` (a duplicate when it redelivers an event queued or being applied here); 500 only when our side failed
 * (storing it, or processing it in that time), so that Stripe retries.
 */
export function stripeWebhookHandler(options: { inbox: StripeEventInbox; env: Env; log: Logger }): express.RequestHandler[] {
  const { inbox, env, log } = options;
  const handler: express.RequestHandler = async (req, res) => {
    const secret = env.STRIPE_WEBHOOK_SECRET;
    if (!secret) {
      log.error('stripe webhook received but STRIPE_WEBHOOK_SECRET is not set');
      res.status(500).json({ error: 'webhook secret not configured' });
      return;
    }
    const signature = req.headers['stripe-signature'];
    if (typeof signature !== 'string' || signature.trim() === '') {
      res.status(400).json({ error: 'missing Stripe-Signature header' });
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let event: Stripe.Event;
    try {
      event = verifyWebhook(body, signature, secret);
    } catch (error) {
      res.status(400).json({ error: error instanceof SyntaxError ? 'body is not JSON' : signatureProblem(error) });
      return;
    }
    const problem = notAnEvent(event);
    if (problem) {
      res.status(400).json({ error: `not a Stripe event: ${problem}` });
      return;
    }
    // The verified type, for the metrics (ops/request-log.ts), which would otherwise parse the body again.
    res.locals.stripeEventType = event.type;
    try {
      const answer = await inbox.receive(event, body.includes('\\u0000'), body.length);
      if (answer.state === 'failed') {
        // The inbox logged why, under the event's id; the event is stored and will be retried.
        res.status(500).json({ error: 'could not process the event; Stripe will retry' });
      } else if (answer.state === 'queued') {
        log.debug('stripe event queued', { eventId: answer.eventId, type: event.type });
        res.status(200).json({ received: true, eventId: answer.eventId, queued: true, duplicate: answer.duplicate });
      } else {
        log.debug('stripe event', { ...answer.result, type: event.type });
        res.status(200).json({ received: true, ...answer.result });
      }
    } catch (error) {
      log.error('stripe event could not be stored', { eventId: event.id, type: event.type, error: String((error as Error)?.stack ?? error) });
      res.status(500).json({ error: 'could not process the event; Stripe will retry' });
    }
  };
  return [express.raw({ type: () => true, limit: '1mb' }), handler];
}
