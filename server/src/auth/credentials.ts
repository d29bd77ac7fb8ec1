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
 * is now), or an API key not revoked. A key's last use is written at most once a minute.
 */
function lookup(token: string): { sql: string; params: unknown[]; touch: { sql: string; params: unknown[] } | null } | null {
  if (isApiKeySecret(token)) {
    if (token.length > MAX_API_KEY_LENGTH) return null;
    return {
      sql: `select 'api-key:' || k.id as key, k.id, k.brand_id, k.name, k.scopes, null as role
              from api_keys k where k.secret_hash = ? and k.revoked_at is null`,
      params: [apiKeySecretHash(token)],
      touch: {
        sql: `update api_keys set last_used_at = clock_timestamp()
               where id = (select id from credential)
                 and (last_used_at is null or last_used_at < clock_timestamp() - make_interval(secs => ?))`,
        params: [LAST_USED_RESOLUTION_MS / 1000],
      },
    };
  }
  return {
    sql: `select 'session:' || s.id as key, s.id, u.brand_id, coalesce(u.name, u.email) as name, null::text[] as scopes,
                 u.role, u.id as user_id
            from sessions s join users u on u.id = s.user_id
           where s.token_hash = ? and s.revoked_at is null and s.expires_at > clock_timestamp()`,
    params: [sessionTokenHash(token)],
    touch: null,
  };
}

interface CredentialRow {
  key: string;
  id: string;
  brand_id: string;
  name: string;
  scopes: string[] | null;
  role: Role | null;
  user_id?: string;
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

function principalOf(row: CredentialRow): Principal {
  const principal: Principal = row.key.startsWith('api-key:')
    ? { actor: { type: 'API_KEY', id: row.id, label: row.name }, brandId: row.brand_id, role: null, scopes: row.scopes ?? [], apiKeyId: row.id }
    : { actor: { type: 'USER', id: row.user_id!, label: row.name }, brandId: row.brand_id, role: row.role, scopes: [], sessionId: row.id };
  if (row.brand) principal.brand = brandOf(row.brand);
  return principal;
}

/**
 * Resolves a bearer token — a session's or an API key's (`lno_…`) — to its principal, or null when it is unknown,
 * expired or revoked; with `charge`, its query-cost bucket pays in the SAME statement. Looked up on every request, on
 * every instance: no cache can outlive a sign-out or a revocation. This runs before any brand is known, so it reads
 * by digest across brands (comparing SHA-256 digests leaks nothing usable about the secret through timing). With
 * `withBrand`, the credential's brand is read in the same statement too (`principal.brand`): the dashboard asks for the
 * viewer's brand on every page, and a statement of its own cost the API about as much as the rest of the viewer.
 */
export async function authenticate(
  em: EntityManager,
  token: string,
  charge: CredentialCharge | null = null,
  { withBrand = false }: { withBrand?: boolean } = {},
): Promise<Authenticated | null> {
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
  const columns = ['credential.*', ...(take ? ['charged.available', 'charged.granted'] : []), ...(withBrand ? ['row_to_json(brand) as brand'] : [])];
  const joins = [...(take ? ['left join charged on true'] : []), ...(withBrand ? ['left join brand on true'] : [])];
  const sql = `with ${ctes.join(', ')} select ${columns.join(', ')} from credential ${joins.join(' ')}`;
  // Across brands: found by digest before any brand is known. Prepared: one of at most eight texts (the credential's
  // kind, with or without a charge and the brand), each planned once per connection; its generic plan reads the
  // credential by its unique digest as a custom one would.
  const [row] = await unscopedSql<CredentialRow>(em, sql, params, { prepared: true });
  if (!row) return null;
  return {
    principal: principalOf(row),
    charged: take && row.granted != null ? { available: Number(row.available), granted: row.granted } : null,
  };
}
