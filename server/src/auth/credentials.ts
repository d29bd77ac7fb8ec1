import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { apiKeySecretHash, isApiKeySecret, LAST_USED_RESOLUTION_MS } from '../api-keys/api-key.service';
import type { Principal } from '../shared/request-context';
import type { Role } from '../users/user.entity';

/** Only a SHA-256 of a session's bearer token is stored, so a database leak yields no usable tokens. */
export const sessionTokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

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
}

function principalOf(row: CredentialRow): Principal {
  if (row.key.startsWith('api-key:')) {
    return { actor: { type: 'API_KEY', id: row.id, label: row.name }, brandId: row.brand_id, role: null, scopes: row.scopes ?? [], apiKeyId: row.id };
  }
  return { actor: { type: 'USER', id: row.user_id!, label: row.name }, brandId: row.brand_id, role: row.role, scopes: [], sessionId: row.id };
}

/**
 * Resolves a bearer token — a session's or an API key's (`lno_…`) — to its principal, or null when it is unknown,
 * expired or revoked; with `charge`, its query-cost bucket pays in the SAME statement. Looked up on every request, on
 * every instance: no cache can outlive a sign-out or a revocation. This runs before any brand is known, so it reads
 * by digest across brands (comparing SHA-256 digests leaks nothing usable about the secret through timing).
 */
export async function authenticate(em: EntityManager, token: string, charge: CredentialCharge | null = null): Promise<Authenticated | null> {
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
  const sql = take
    ? `with ${ctes.join(', ')} select credential.*, charged.available, charged.granted from credential left join charged on true`
    : `with ${ctes.join(', ')} select * from credential`;
  const [row] = await em.getConnection().execute<CredentialRow[]>(sql, params);
  if (!row) return null;
  return {
    principal: principalOf(row),
    charged: take && row.granted != null ? { available: Number(row.available), granted: row.granted } : null,
  };
}
