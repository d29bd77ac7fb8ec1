import { hash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { apiKeySecretHash, isApiKeySecret, LAST_USED_RESOLUTION_MS } from '../api-keys/api-key.service';
import type { BrandRecord, Principal } from '../shared/request-context';
import { unscopedSql } from '../shared/unscoped-sql';
import type { Role } from '../users/user.entity';

/**
 * Only a SHA-256 of a session's bearer token is stored, so a database leak yields no usable tokens. (The one-shot
 * `hash` costs a third of a `createHash` object's: every request computes one.)
 */
export const sessionTokenHash = (token: string) => hash('sha256', token, 'hex');

/**
 * A statement fragment that runs in the credential's own round trip: it reads the one-row relation `source`, whose
 * `key` column names the credential (`session:<id>` or `api-key:<id>`). CostBuckets.takeFrom charges the query cost so.
 */
export type CredentialCharge = (source: string) => { sql: string; params: unknown[] };

export interface Authenticated {
  principal: Principal;
  /** The bucket's answer when a charge was given: `available` after the charge, and whether it was `granted`. */
  charged: { available: number; granted: boolean } | null;
}

const MAX_API_KEY_LENGTH = 200;

/**
 * The live credential of a token, looked up by its digest: a session not revoked and not expired (its user's role as it
 * is now), or an API key not revoked. A key's last use is written at most once a minute. Both kinds answer the same
 * columns, so that a statement can name them (deferred-credential-check.ts).
 */
function lookup(token: string): { digest: string; sql: string; params: unknown[]; touch: { sql: string; params: unknown[] } | null } | null {
  if (isApiKeySecret(token)) {
    if (token.length > MAX_API_KEY_LENGTH) return null;
    const digest = apiKeySecretHash(token);
    return {
      digest,
      sql: `select 'api-key:' || k.id as key, k.id, k.brand_id, k.name, k.scopes, null::text as role, null::uuid as user_id
              from api_keys k where k.secret_hash = ? and k.revoked_at is null`,
      params: [digest],
      touch: {
        sql: `update api_keys set last_used_at = clock_timestamp()
               where id = (select id from credential)
                 and (last_used_at is null or last_used_at < clock_timestamp() - make_interval(secs => ?))`,
        params: [LAST_USED_RESOLUTION_MS / 1000],
      },
    };
  }
  const digest = sessionTokenHash(token);
  return {
    digest,
    sql: `select 'session:' || s.id as key, s.id, u.brand_id, coalesce(u.name, u.email) as name, null::text[] as scopes,
                 u.role::text as role, u.id as user_id
            from sessions s join users u on u.id = s.user_id
           where s.token_hash = ? and s.revoked_at is null and s.expires_at > clock_timestamp()`,
    params: [digest],
    touch: null,
  };
}

/** The credential's columns, as both lookups name them. */
export const CREDENTIAL_COLUMNS = ['key', 'id', 'brand_id', 'name', 'scopes', 'role', 'user_id'] as const;

export interface CredentialRow {
  key: string;
  id: string;
  brand_id: string;
  name: string;
  scopes: string[] | null;
  role: Role | null;
  user_id: string | null;
  available?: number;
  granted?: boolean;
  brand?: BrandRow | null;
}

/** The brand's columns as `row_to_json` gives them (money as text: no JSON number past 2^53). */
interface BrandRow {
  id: string;
  slug: string;
  name: string;
  currency: BrandRecord['currency'];
  order_number_prefix: string;
  tax_rate_bps: number;
  tax_inclusive: boolean;
  shipping_flat_rate: string;
  free_shipping_threshold: string | null;
}

/** The credential's own brand, nothing else: the statement reads no other tenant's row. */
const BRAND_CTE = `brand as (select b.id, b.slug, b.name, b.currency, b.order_number_prefix, b.tax_rate_bps, b.tax_inclusive,
                                    b.shipping_flat_rate::text, b.free_shipping_threshold::text
                               from brands b where b.id = (select brand_id from credential))`;

function brandOf(row: BrandRow): BrandRecord {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    currency: row.currency,
    orderNumberPrefix: row.order_number_prefix,
    taxRateBps: row.tax_rate_bps,
    taxInclusive: row.tax_inclusive,
    // As MikroORM's BigIntType('number') maps these columns.
    shippingFlatRate: Number(row.shipping_flat_rate),
    freeShippingThreshold: row.free_shipping_threshold === null ? null : Number(row.free_shipping_threshold),
  };
}

export function principalOf(row: CredentialRow): Principal {
  const principal: Principal = row.key.startsWith('api-key:')
    ? { actor: { type: 'API_KEY', id: row.id, label: row.name }, brandId: row.brand_id, role: null, scopes: row.scopes ?? [], apiKeyId: row.id }
    : { actor: { type: 'USER', id: row.user_id!, label: row.name }, brandId: row.brand_id, role: row.role, scopes: [], sessionId: row.id };
  if (row.brand) principal.brand = brandOf(row.brand);
  return principal;
}

/**
 * The credential's statement, not run: `ctes` (the lookup as `credential`, with the charge as `charged` and the brand as
 * `brand`) and their values; `digest` names the credential without its secret.
 */
export interface CredentialStatement {
  digest: string;
  ctes: string;
  params: unknown[];
  charged: boolean;
  withBrand: boolean;
}

export function credentialStatement(
  token: string,
  charge: CredentialCharge | null = null,
  { withBrand = false }: { withBrand?: boolean } = {},
): CredentialStatement | null {
  const found = lookup(token);
  if (!found) return null;
  const ctes = [`credential as (${found.sql})`];
  const params = [...found.params];
  if (found.touch) {
    ctes.push(`touched as (${found.touch.sql})`);
    params.push(...found.touch.params);
  }
  const take = charge?.('credential');
  if (take) {
    ctes.push(`charged as (${take.sql})`);
    params.push(...take.params);
  }
  if (withBrand) ctes.push(BRAND_CTE);
  return { digest: found.digest, ctes: ctes.join(', '), params, charged: Boolean(take), withBrand };
}

/**
 * Resolves a bearer token — a session's or an API key's (`lno_…`) — to its principal, or null when it is unknown,
 * expired or revoked; with `charge`, its query-cost bucket pays in the SAME statement. Looked up on every request, on
 * every instance: no cache can outlive a sign-out or a revocation (a request that skips this round trip carries the
 * same statement in its first read instead: deferred-credential-check.ts). This runs before any brand is known, so it
 * reads by digest across brands (comparing SHA-256 digests leaks nothing usable about the secret through timing). With
 * `withBrand`, the credential's brand is read in the same statement too (`principal.brand`): the dashboard asks for the
 * viewer's brand on every page, and a statement of its own cost the API about as much as the rest of the viewer.
 */
export async function authenticate(
  em: EntityManager,
  token: string,
  charge: CredentialCharge | null = null,
  options: { withBrand?: boolean } = {},
): Promise<(Authenticated & { digest: string }) | null> {
  const statement = credentialStatement(token, charge, options);
  return statement && checkCredential(em, statement);
}

/** Runs a credential's statement on its own (see authenticate). */
export async function checkCredential(em: EntityManager, statement: CredentialStatement): Promise<(Authenticated & { digest: string }) | null> {
  const columns = ['credential.*', ...(statement.charged ? ['charged.available', 'charged.granted'] : []), ...(statement.withBrand ? ['row_to_json(brand) as brand'] : [])];
  const joins = [...(statement.charged ? ['left join charged on true'] : []), ...(statement.withBrand ? ['left join brand on true'] : [])];
  const sql = `with ${statement.ctes} select ${columns.join(', ')} from credential ${joins.join(' ')}`;
  // Across brands: found by digest before any brand is known. Prepared: one of at most eight texts (the credential's
  // kind, with or without a charge and the brand), each planned once per connection; its generic plan reads the
  // credential by its unique digest as a custom one would.
  const [row] = await unscopedSql<CredentialRow>(em, sql, statement.params, { prepared: true });
  if (!row) return null;
  return {
    digest: statement.digest,
    principal: principalOf(row),
    charged: statement.charged && row.granted != null ? { available: Number(row.available), granted: row.granted } : null,
  };
}
