import { hash } from 'node:crypto';
import type { ThrottleStatus } from './cost-buckets';

interface LastSeen {
  available: number;
  at: number;
  status: ThrottleStatus;
}

const digestsByRequest = new WeakMap<object, string | null>();

/**
 * What this instance last heard from PostgreSQL about buckets that refused an operation, by credential. A throttled
 * client that keeps knocking is then refused here, before its credential is looked up and before Apollo — a flood of
 * refusals costs no SQL. Only ever stricter than the database: the level it assumes (the last one seen, refilled at the
 * restore rate since) can only be above the real one, which other instances may have drawn from meanwhile. So it
 * refuses only what the database would refuse too, and defers to it for everything else.
 */
export class KnownEmptyBuckets {
  private readonly entries = new Map<string, LastSeen>();

  constructor(private readonly size = 10_000) {}

  /**
   * A request's credential key here: a digest of its Authorization header, so no bearer secret is held in memory longer
   * than its request. Computed once per request (the pacing and the gate both ask).
   */
  static credentialOf(req: { headers: { authorization?: string } }): string | null {
    let digest = digestsByRequest.get(req);
    if (digest === undefined) {
      const authorization = req.headers.authorization;
      digest = authorization ? hash('sha256', authorization, 'base64url') : null;
      digestsByRequest.set(req, digest);
    }
    return digest;
  }

  remember(credential: string, status: ThrottleStatus): void {
    if (this.entries.size >= this.size) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(credential, { available: status.currentlyAvailable, at: Date.now(), status });
  }

  /** The refusal the database would give for `cost` now, or null when only the database can tell. */
  refusal(credential: string, cost: number): { retryAfterSeconds: number; status: ThrottleStatus } | null {
    const seen = this.entries.get(credential);
    if (!seen) return null;
    const { maximumAvailable, restoreRate } = seen.status;
    const available = Math.min(maximumAvailable, seen.available + ((Date.now() - seen.at) / 1000) * restoreRate);
    if (available >= cost) {
      this.entries.delete(credential);
      return null;
    }
    return {
      retryAfterSeconds: Math.max(1, Math.ceil((cost - available) / restoreRate)),
      status: { ...seen.status, currentlyAvailable: Math.floor(available) },
    };
  }
}
