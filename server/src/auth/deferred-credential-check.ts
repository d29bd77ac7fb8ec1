import type { Principal } from '../shared/request-context';
import type { ReadRider, ScopedStatement } from '../shared/sql';
import { CREDENTIAL_COLUMNS, principalOf, type CredentialRow, type CredentialStatement } from './credentials';

/**
 * A credential's check that travels in the request's first read instead of a round trip of its own.
 *
 * Every request checks its credential in PostgreSQL and charges its bucket there (credentials.ts): no cache may outlive
 * a sign-out or a revocation. For a read-only operation whose credential this instance has seen before, the principal
 * it had then is a *hint*: the operation runs with it, and the credential's statement (lookup, charge, a key's last
 * use) goes out as the head of the operation's first read, whose rows PostgreSQL only reads when the credential is
 * there, its bucket paid and its brand the hinted one. The answer goes out only when the check confirms the hint
 * exactly; otherwise the HTTP handler (graphql/http-handler.ts) throws it away and runs the operation again the usual
 * way, which answers whatever the credential is now: unknown, throttled, or another role. One statement instead of two
 * for a dashboard's or a partner's list (docs/performance.md, Read path).
 */

/** What the check found: the credential as it is now (null: unknown, expired or revoked) and its bucket's answer. */
export interface CredentialVerdict {
  principal: Principal | null;
  charged: { available: number; granted: boolean } | null;
}

/** Column names of the check in the read's rows; nothing the read itself selects starts so. */
const PREFIX = 'luneo_credential_';
const CHECK_COLUMNS = CREDENTIAL_COLUMNS.map((column) => `credential.${column} as ${PREFIX}${column}`).join(', ');

function samePrincipal(a: Principal, b: Principal): boolean {
  return (
    a.actor.type === b.actor.type &&
    a.actor.id === b.actor.id &&
    a.actor.label === b.actor.label &&
    a.brandId === b.brandId &&
    a.role === b.role &&
    a.sessionId === b.sessionId &&
    a.apiKeyId === b.apiKeyId &&
    a.scopes.length === b.scopes.length &&
    a.scopes.every((scope, i) => scope === b.scopes[i])
  );
}

export class DeferredCredentialCheck implements ReadRider {
  private sent = false;
  verdict: CredentialVerdict | null = null;

  constructor(
    /** The hinted principal the operation runs with. */
    readonly expected: Principal,
    private readonly statement: CredentialStatement,
    private readonly onVerdict: (verdict: CredentialVerdict, confirmed: boolean) => void,
  ) {
    if (!statement.charged || statement.withBrand) throw new Error('A deferred credential check charges the bucket and reads no brand');
  }

  /** Whether the answer may go out: checked in this request, still the credential and principal hinted, its bucket paid. */
  get confirmed(): boolean {
    const { verdict } = this;
    return verdict !== null && verdict.charged?.granted === true && verdict.principal !== null && samePrincipal(verdict.principal, this.expected);
  }

  get withholdsAnswer(): boolean {
    return !this.confirmed;
  }

  /** The first read, with the check at its head; null for the reads after it, which go alone. */
  ride(read: ScopedStatement): ScopedStatement | null {
    if (this.sent) return null;
    this.sent = true;
    // One row of the check whatever the read gives; the read's rows only for the credential hinted, once paid. The
    // read's own ORDER BY holds: its rows come through a lateral join on that single row, in the order they are made.
    return {
      sql: `with ${this.statement.ctes}
        select ${CHECK_COLUMNS}, charged.available as ${PREFIX}available, charged.granted as ${PREFIX}granted, luneo_read.*
          from (select 1) luneo_one left join credential on true left join charged on true
          left join lateral (select true as ${PREFIX}read_row, luneo_rows.* from (${read.sql}) luneo_rows
                              where charged.granted and credential.brand_id = ?) luneo_read on true`,
      params: [...this.statement.params, ...read.params, this.expected.brandId],
    };
  }

  /** The read's own rows from what `ride`'s statement answered; none unless the check confirmed the hint. */
  settle<T>(rows: Record<string, any>[]): T[] {
    const head = rows[0] as CheckRow | undefined;
    const found = head?.luneo_credential_key != null;
    this.verdict = {
      principal: found ? principalOf(credentialOf(head!)) : null,
      charged: head?.luneo_credential_granted == null ? null : { available: Number(head.luneo_credential_available), granted: head.luneo_credential_granted },
    };
    const confirmed = this.confirmed;
    this.onVerdict(this.verdict, confirmed);
    return confirmed && head?.luneo_credential_read_row ? (rows as T[]) : [];
  }
}

/** The check's columns as the statement names them (PREFIX + the credential's column). */
interface CheckRow {
  luneo_credential_key: string | null;
  luneo_credential_id: string;
  luneo_credential_brand_id: string;
  luneo_credential_name: string;
  luneo_credential_scopes: string[] | null;
  luneo_credential_role: CredentialRow['role'];
  luneo_credential_user_id: string | null;
  luneo_credential_available: number | null;
  luneo_credential_granted: boolean | null;
  luneo_credential_read_row: true | null;
}

function credentialOf(head: CheckRow): CredentialRow {
  return {
    key: head.luneo_credential_key!,
    id: head.luneo_credential_id,
    brand_id: head.luneo_credential_brand_id,
    name: head.luneo_credential_name,
    scopes: head.luneo_credential_scopes,
    role: head.luneo_credential_role,
    user_id: head.luneo_credential_user_id,
  };
}

/**
 * The principal each credential had when this instance last checked it, by the credential's digest: hints for
 * DeferredCredentialCheck, never trusted alone. Bounded; the oldest goes first.
 */
export class CredentialHints {
  private readonly byDigest = new Map<string, Principal>();
  constructor(private readonly size = 10_000) {}

  /** A copy the request may complete (its address), or null. */
  get(digest: string): Principal | null {
    const hint = this.byDigest.get(digest);
    return hint ? { ...hint } : null;
  }

  remember(digest: string, principal: Principal): void {
    const { clientAddress: _address, brand: _brand, ...hint } = principal;
    this.byDigest.delete(digest);
    if (this.byDigest.size >= this.size) this.byDigest.delete(this.byDigest.keys().next().value!);
    this.byDigest.set(digest, hint);
  }

  forget(digest: string): void {
    this.byDigest.delete(digest);
  }
}
