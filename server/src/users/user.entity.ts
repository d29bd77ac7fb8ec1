import { Entity, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { Brand } from '../brands/brand.entity';
import { BaseEntity } from '../shared/entity-base';

export const ROLES = ['VIEWER', 'STAFF', 'ADMIN', 'OWNER'] as const;
export type Role = (typeof ROLES)[number];

/** True when `role` is at least `required` in the order VIEWER < STAFF < ADMIN < OWNER. */
export function roleAtLeast(role: Role | null | undefined, required: Role): boolean {
  return role != null && ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/**
 * A dashboard user of one brand. Users are not brand-filtered: sign-in looks them up by email before any brand is known.
 * The email is stored lower-cased, which makes the unique index case-insensitive.
 */
@Entity({ tableName: 'users' })
export class User extends BaseEntity<'name'> {
  @ManyToOne(() => Brand, { deleteRule: 'cascade' })
  @Index()
  brand!: Brand;

  @Property({ type: 'text' })
  @Unique()
  email!: string;

  @Property({ type: 'text', nullable: true })
  name: string | null = null;

  @Property({ type: 'text', hidden: true })
  passwordHash!: string;

  @Property({ type: 'text' })
  role!: Role;
}
