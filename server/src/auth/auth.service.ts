import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { audit, auditAs } from '../audit/audit';
import { DomainError, unauthenticated } from '../errors';
import type { Principal, RequestContext } from '../shared/request-context';
import { User } from '../users/user.entity';
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from './password';
import { authenticate, sessionTokenHash } from './credentials';
import { Session } from './session.entity';
import type { SignInLimits } from './sign-in-limits';

export interface SignedIn {
  token: string;
  expiresAt: Date;
  principal: Principal;
}

export function principalForUser(user: User, sessionId?: string): Principal {
  return {
    actor: { type: 'USER', id: user.id, label: user.name ?? user.email },
    brandId: user.brand.id,
    role: user.role,
    scopes: [],
    sessionId,
  };
}

/** Longer inputs are nobody's credentials; refusing them early keeps argon2 from hashing megabytes. */
const MAX_EMAIL_LENGTH = 320;
const MAX_PASSWORD_LENGTH = 1024;

/**
 * Signs a dashboard user in. Unknown email and wrong password give the same answer, in the same time, and count
 * against the same limits (per account and per client address).
 */
export async function login(
  em: EntityManager,
  credentials: { email: string; password: string; clientAddress: string },
  limits: SignInLimits,
  ttlHours: number,
): Promise<SignedIn> {
  const { email, password, clientAddress } = credentials;
  const rejected = () => new DomainError('UNAUTHENTICATED', 'Email or password is incorrect');
  if (email.length > MAX_EMAIL_LENGTH || password.length > MAX_PASSWORD_LENGTH) throw rejected();
  const attempt = await limits.attempt(email, clientAddress);
  const user = await em.findOne(User, { email: email.trim().toLowerCase() });
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
  if (!user || !ok) throw rejected();
  await attempt.succeeded();
  if (needsRehash(user.passwordHash)) user.passwordHash = await hashPassword(password);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  const session = em.create(Session, { user, tokenHash: sessionTokenHash(token), expiresAt });
  const principal = principalForUser(user, session.id);
  auditAs(em, { brandId: principal.brandId, actor: principal.actor, requestId: null, clientAddress }, {
    action: 'session.login', targetType: 'SESSION', targetId: session.id, before: null, after: { expiresAt: expiresAt.toISOString() },
  });
  await em.flush();
  return { token, expiresAt, principal };
}

/**
 * Resolves a bearer token — a session's or an API key's (`lno_…`) — to its principal, or null when it is unknown,
 * expired or revoked (see credentials.ts; GraphQL requests also charge their query cost in the same statement).
 */
export async function principalForToken(em: EntityManager, token: string): Promise<Principal | null> {
  return (await authenticate(em, token))?.principal ?? null;
}

export async function logout(ctx: RequestContext): Promise<boolean> {
  const sessionId = ctx.principal?.sessionId;
  if (!sessionId) throw unauthenticated();
  await ctx.transaction(async (tx) => {
    await tx.em.nativeUpdate(Session, { id: sessionId }, { revokedAt: new Date() });
    audit(tx, { action: 'session.logout', targetType: 'SESSION', targetId: sessionId, before: {}, after: { revoked: true } });
  });
  return true;
}
