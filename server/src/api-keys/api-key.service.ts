import { hash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { auditActorOf, auditAs, auditState, type AuditActor } from '../audit/audit';
import { Brand } from '../brands/brand.entity';
import { DomainError, notFound } from '../errors';
import { OPERATOR_ACTOR, type Actor } from '../shared/actor';
import { parseId } from '../shared/ids';
import type { RequestContext } from '../shared/request-context';
import { parseInput } from '../shared/validation';
import { API_KEY_SCOPES } from './api-key-scopes';
import { ApiKey } from './api-key.entity';

/** Every secret starts with this, so a leaked one is recognisable (secret scanners, logs) as a Luneo key. */
export const API_KEY_SECRET_PREFIX = 'lno_';
/** `lno_` and 8 more characters: enough to tell keys apart in a list, far too little to guess the rest. */
const PUBLIC_PREFIX_LENGTH = API_KEY_SECRET_PREFIX.length + 8;
/** A brand with more live keys than this is mismanaging them; revoke some first. */
export const MAX_ACTIVE_KEYS_PER_BRAND = 50;
/** last_used_at is rewritten at most this often per key, so a busy key does not write on every request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export const apiKeySecretHash = (secret: string) => hash('sha256', secret, 'hex');

export function isApiKeySecret(token: string): boolean {
  return token.startsWith(API_KEY_SECRET_PREFIX);
}

const CreateApiKeySchema = z.object({
  name: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
  scopes: z
    .array(z.enum(API_KEY_SCOPES, { message: `must each be one of ${API_KEY_SCOPES.join(', ')}` }))
    .min(1, 'must name at least one scope')
    .max(API_KEY_SCOPES.length * 2)
    .transform((scopes) => API_KEY_SCOPES.filter((s) => scopes.includes(s))),
});

export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The only time the secret exists outside the caller's hands. */
  secret: string;
}

async function insertKey(em: EntityManager, brand: Brand, input: z.output<typeof CreateApiKeySchema>, creator: Actor, who: AuditActor): Promise<CreatedApiKey> {
  const active = await em.count(ApiKey, { brand, revokedAt: null }, { filters: false });
  if (active >= MAX_ACTIVE_KEYS_PER_BRAND) {
    throw new DomainError('BAD_USER_INPUT', `name: a brand has at most ${MAX_ACTIVE_KEYS_PER_BRAND} active API keys; revoke one first`, { field: 'name' });
  }
  const secret = `${API_KEY_SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
  const apiKey = em.create(ApiKey, {
    brand,
    name: input.name,
    prefix: secret.slice(0, PUBLIC_PREFIX_LENGTH),
    secretHash: apiKeySecretHash(secret),
    scopes: input.scopes,
    createdByType: creator.type,
    createdById: creator.id,
    createdByLabel: creator.label,
  });
  auditAs(em, who, { action: 'apiKey.create', targetType: 'API_KEY', targetId: apiKey.id, before: null, after: auditState('API_KEY', apiKey) });
  await em.flush();
  return { apiKey, secret };
}

/** An ADMIN creates a key for their own brand. */
export async function createApiKey(ctx: RequestContext, data: unknown): Promise<CreatedApiKey> {
  const input = parseInput(CreateApiKeySchema, data, 'input');
  return ctx.transaction(async (tx) => {
    const brand = await tx.em.findOne(Brand, tx.brandId);
    if (!brand) throw notFound('Brand');
    return insertKey(tx.em, brand, input, tx.actor, auditActorOf(tx));
  });
}

/** Operator use case (CLI): a key for the brand with this slug, created by the operator. */
export async function createApiKeyForBrand(
  em: EntityManager,
  data: { brandSlug: string; name: string; scopes: string[] },
): Promise<CreatedApiKey> {
  const input = parseInput(CreateApiKeySchema, { name: data.name, scopes: data.scopes });
  return em.transactional(async (tx) => {
    const brand = await tx.findOne(Brand, { slug: data.brandSlug.trim().toLowerCase() });
    if (!brand) throw new DomainError('NOT_FOUND', `No brand with slug ${data.brandSlug}`);
    return insertKey(tx as EntityManager, brand, input, OPERATOR_ACTOR, { brandId: brand.id, actor: OPERATOR_ACTOR, requestId: null, clientAddress: null });
  });
}

/** The brand's keys, newest first, revoked ones included (their history stays readable). */
export function listApiKeys(ctx: RequestContext): Promise<ApiKey[]> {
  return ctx.em.find(ApiKey, {}, { orderBy: { createdAt: 'desc', id: 'desc' } });
}

/** Revokes at once: every request looks the key up, so no instance keeps honouring it. Revoking twice is harmless. */
export async function revokeApiKey(ctx: RequestContext, rawId: string): Promise<ApiKey> {
  const id = parseId(rawId);
  return ctx.transaction(async (tx) => {
    const apiKey = await tx.em.findOne(ApiKey, id);
    if (!apiKey) throw notFound('API key');
    if (!apiKey.revokedAt) {
      const before = auditState('API_KEY', apiKey);
      apiKey.revokedAt = new Date();
      auditAs(tx.em, auditActorOf(tx), { action: 'apiKey.revoke', targetType: 'API_KEY', targetId: apiKey.id, before, after: auditState('API_KEY', apiKey) });
      await tx.em.flush();
    }
    return apiKey;
  });
}
