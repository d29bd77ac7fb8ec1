import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, unauthenticated } from '../errors';
import type { Principal, RequestContext } from '../shared/request-context';
import { User } from '../users/user.entity';
import { dummyPasswordHash, verifyPassword } from './password';
import { Session } from './session.entity';

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

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

/** Signs a dashboard user in. Unknown email and wrong password give the same answer, in the same time. */
export async function login(em: EntityManager, email: string, password: string, ttlHours: number): Promise<SignedIn> {
  const user = await em.findOne(User, { email: email.trim().toLowerCase() });
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
  if (!user || !ok) throw new DomainError('UNAUTHENTICATED', 'Email or password is incorrect');
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  const session = em.create(Session, { user, tokenHash: tokenHash(token), expiresAt });
  await em.flush();
  return { token, expiresAt, principal: principalForUser(user, session.id) };
}

/** Resolves a bearer token to its principal, or null when the token is unknown, expired or revoked. */
export async function principalForToken(em: EntityManager, token: string): Promise<Principal | null> {
  const session = await em.findOne(Session, { tokenHash: tokenHash(token) }, { populate: ['user'] });
  if (!session || session.revokedAt || session.expiresAt <= new Date()) return null;
  return principalForUser(session.user, session.id);
}

export async function logout(ctx: RequestContext): Promise<boolean> {
  const sessionId = ctx.principal?.sessionId;
  if (!sessionId) throw unauthenticated();
  await ctx.em.nativeUpdate(Session, { id: sessionId }, { revokedAt: new Date() });
  return true;
}
