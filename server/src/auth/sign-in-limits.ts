import { createHash } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError } from '../errors';

export interface SignInLimitOptions {
  /** Failed sign-ins allowed per account (email) per window. */
  perAccount: number;
  /** Failed sign-ins allowed per client address per window. */
  perAddress: number;
  windowSeconds: number;
}

export const throttledSignIn = (retryAfterSeconds: number) =>
  new DomainError('THROTTLED', `Too many failed sign-ins; try again in ${retryAfterSeconds} seconds`, { retryAfterSeconds });

/** Emails are counted by digest: the counters table holds no address book. */
const accountKey = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('hex');

/**
 * Counts failed sign-ins per account and per client address (rate-limiter-flexible with its PostgreSQL store, so every
 * API instance shares the counters). An attempt takes its point before the password is checked — concurrent guesses
 * cannot slip past the count — and a success gives the account's point back. Unknown emails are counted exactly like
 * known ones, so the limit reveals nothing about which accounts exist.
 */
export class SignInLimits {
  private readonly perAccount: RateLimiterPostgres;
  private readonly perAddress: RateLimiterPostgres;

  constructor(orm: MikroORM, options: SignInLimitOptions) {
    // The counters hold no brand's data: sign-in happens before any brand is known.
    const storeClient = orm.em.getConnection().getKnex();
    const common = { storeClient, storeType: 'knex', tableName: 'sign_in_limits', tableCreated: true, duration: options.windowSeconds };
    this.perAccount = new RateLimiterPostgres({ ...common, keyPrefix: 'account', points: options.perAccount });
    this.perAddress = new RateLimiterPostgres({ ...common, keyPrefix: 'address', points: options.perAddress });
  }

  /** Takes one attempt for this email and address, or throws THROTTLED with the seconds until the next is allowed. */
  async attempt(email: string, clientAddress: string): Promise<SignInAttempt> {
    const account = accountKey(email);
    const results = await Promise.allSettled([this.perAccount.consume(account), this.perAddress.consume(clientAddress)]);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    for (const reason of refused) if (!(reason instanceof RateLimiterRes)) throw reason;
    if (refused.length > 0) {
      const waitMs = Math.max(...refused.map((r: RateLimiterRes) => r.msBeforeNext));
      throw throttledSignIn(Math.max(1, Math.ceil(waitMs / 1000)));
    }
    return {
      succeeded: async () => {
        await Promise.all([this.perAccount.delete(account), this.perAddress.reward(clientAddress, 1)]);
      },
    };
  }
}

export interface SignInAttempt {
  /** A right password: the account's failures are forgiven and the address gets its point back. */
  succeeded(): Promise<void>;
}
