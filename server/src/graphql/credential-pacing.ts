import type { RequestHandler } from 'express';
import { KnownEmptyBuckets } from './known-empty-buckets';

/**
 * Pacing per credential, in front of everything else /graphql does (before the body is even read):
 * - a credential that comes back before the Retry-After of its last 429 waits, here, until then (at most
 *   MAX_HOLD_MS), and only then goes on to be priced and answered. A client that ignores Retry-After with 20
 *   connections so sends about 20 requests per MAX_HOLD_MS instead of thousands a second; each cheap refusal was
 *   still a request parsed, priced and answered, and thousands of them took the CPU that other brands' requests
 *   needed (issue 8's flood). Waiting costs a socket and a timer, no CPU;
 * - at most MAX_IN_FLIGHT requests of one credential are in the API at once; the next ones wait in line, and
 *   beyond MAX_WAITING waiting ones a request is refused at once: THROTTLED, HTTP 429, Retry-After.
 * The answer a request finally gets is unchanged (the bucket decides, with its own retry time); only when it starts
 * moves. Requests without a credential (sign-in) are not paced here: sign-in has its own limits. State is per
 * instance and only ever about credentials seen in the last seconds.
 */
export const MAX_IN_FLIGHT = 10;
export const MAX_WAITING = 50;
export const MAX_HOLD_MS = 2_000;
/** Waiting requests of all credentials together: beyond this, refusals come at once (sockets are not free either). */
const MAX_WAITING_TOTAL = 2_000;

interface Pace {
  inFlight: number;
  /** Requests held or in line: they still count on this state, so it is not forgotten under them. */
  pending: number;
  line: (() => void)[];
  /** When the last 429's Retry-After ends. */
  notBefore: number;
}

/** Credentials remembered at most; beyond, idle ones are forgotten (losing only their pacing). */
const MAX_CREDENTIALS = 10_000;

export function credentialPacing(): RequestHandler {
  const paces = new Map<string, Pace>();
  let pendingTotal = 0;

  const forgetIfIdle = (credential: string, pace: Pace) => {
    if (pace.inFlight === 0 && pace.pending === 0 && pace.notBefore <= Date.now()) paces.delete(credential);
  };
  const paceOf = (credential: string): Pace => {
    let pace = paces.get(credential);
    if (pace) return pace;
    if (paces.size >= MAX_CREDENTIALS) {
      for (const [key, p] of paces) if (p.inFlight === 0 && p.pending === 0) paces.delete(key);
    }
    paces.set(credential, (pace = { inFlight: 0, pending: 0, line: [], notBefore: 0 }));
    return pace;
  };

  return (req, res, next) => {
    const credential = req.method === 'POST' ? KnownEmptyBuckets.credentialOf(req) : null;
    if (!credential) return next();
    const pace = paceOf(credential);

    const enter = () => {
      pace.inFlight++;
      res.once('close', () => {
        const retryAfter = Number(res.getHeader('retry-after'));
        if (res.statusCode === 429 && retryAfter > 0) pace.notBefore = Math.max(pace.notBefore, Date.now() + retryAfter * 1000);
        pace.inFlight--;
        const nextInLine = pace.line.shift();
        if (nextInLine) nextInLine();
        else forgetIfIdle(credential, pace);
      });
      next();
    };

    const hold = Math.min(MAX_HOLD_MS, pace.notBefore - Date.now());
    if (hold <= 0 && pace.inFlight < MAX_IN_FLIGHT && pace.line.length === 0) return enter();
    if (pace.pending >= MAX_WAITING || pendingTotal >= MAX_WAITING_TOTAL) {
      res.setHeader('retry-after', '1');
      res.status(429).json({
        errors: [
          {
            message: `Too many requests of this credential at once (at most ${MAX_IN_FLIGHT} in progress and ${MAX_WAITING} waiting); retry in 1 second`,
            extensions: { code: 'THROTTLED', retryAfterSeconds: 1 },
          },
        ],
      });
      return;
    }

    // Wait out the hold, then for a free place among the credential's requests in progress.
    pace.pending++;
    pendingTotal++;
    let waiting = true;
    const stopWaiting = () => {
      if (!waiting) return false;
      waiting = false;
      pace.pending--;
      pendingTotal--;
      return true;
    };
    const start = () => {
      if (stopWaiting()) enter();
    };
    const joinLine = () => {
      if (!waiting) return;
      if (pace.inFlight < MAX_IN_FLIGHT && pace.line.length === 0) return start();
      pace.line.push(start);
    };
    const timer = hold > 0 ? setTimeout(joinLine, hold) : null;
    // A client that hangs up while waiting gives its place back.
    res.once('close', () => {
      if (!stopWaiting()) return;
      if (timer) clearTimeout(timer);
      const at = pace.line.indexOf(start);
      if (at >= 0) pace.line.splice(at, 1);
      forgetIfIdle(credential, pace);
    });
    if (!timer) joinLine();
  };
}
