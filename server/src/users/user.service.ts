import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { hashPassword } from '../auth/password';
import { auditAs } from '../audit/audit';
import { Brand } from '../brands/brand.entity';
import { OPERATOR_ACTOR } from '../shared/actor';
import { DomainError } from '../errors';
import { parseInput } from '../shared/validation';
import { ROLES, User } from './user.entity';

const CreateUserSchema = z.object({
  brandSlug: z.string().trim().min(1),
  email: z.string().trim().toLowerCase().pipe(z.email('must be a valid email address')),
  password: z.string().min(8, 'must be at least 8 characters'),
  role: z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` }),
  name: z.string().trim().max(200).nullish(),
});

/** Operator use case (CLI, seed): creates a dashboard user in a brand. */
export async function createUser(em: EntityManager, data: z.input<typeof CreateUserSchema>): Promise<User> {
  const input = parseInput(CreateUserSchema, data);
  const brand = await em.findOne(Brand, { slug: input.brandSlug });
  if (!brand) throw new DomainError('NOT_FOUND', `No brand with slug ${input.brandSlug}`);
  if (await em.count(User, { email: input.email })) {
    throw new DomainError('BAD_USER_INPUT', `email: ${input.email} is already registered`, { field: 'email' });
  }
  const user = em.create(User, {
    brand,
    email: input.email,
    name: input.name ?? null,
    passwordHash: await hashPassword(input.password),
    role: input.role,
  });
  auditAs(em, { brandId: brand.id, actor: OPERATOR_ACTOR, requestId: null, clientAddress: null }, {
    action: 'user.create', targetType: 'USER', targetId: user.id, before: null, after: { role: user.role },
  });
  await em.flush();
  return user;
}
