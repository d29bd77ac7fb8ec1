import Stripe from 'stripe';
import type { Env } from '../env';

/** The API version this code reads and writes; webhook endpoints should be created with the same version. */
export const STRIPE_API_VERSION = '2026-10-28.endive' as const;

/** The SDK client for outgoing calls (Checkout Sessions), or null when STRIPE_SECRET_KEY is unset. */
export function createStripeClient(env: Env): Stripe | null {
  if (!env.STRIPE_SECRET_KEY) return null;
  return new Stripe(env.STRIPE_SECRET_KEY, {
    apiVersion: STRIPE_API_VERSION,
    host: env.STRIPE_API_HOST,
    port: env.STRIPE_API_PORT,
    protocol: env.STRIPE_API_PROTOCOL,
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
  });
}

/**
 * Verifies a delivery's `Stripe-Signature` over the exact bytes received (default 300 s tolerance) and parses it.
 * Throws Stripe's SignatureVerificationError, or a SyntaxError when a validly signed body is not JSON.
 */
export function verifyWebhook(rawBody: Buffer, signature: string, secret: string): Stripe.Event {
  return Stripe.webhooks.constructEvent(rawBody, signature, secret);
}

export type { Stripe };
