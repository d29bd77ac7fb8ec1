import { Entity, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { User } from '../users/user.entity';
import { BaseEntity } from '../shared/entity-base';

/** A dashboard sign-in. Only a SHA-256 of the bearer token is stored, so a database leak yields no usable tokens. */
@Entity({ tableName: 'sessions' })
export class Session extends BaseEntity<'revokedAt'> {
  @ManyToOne(() => User, { deleteRule: 'cascade' })
  @Index()
  user!: User;

  @Property({ type: 'text' })
  @Unique()
  tokenHash!: string;

  @Property({ type: 'datetime', length: 3 })
  expiresAt!: Date;

  @Property({ type: 'datetime', length: 3, nullable: true })
  revokedAt: Date | null = null;
}
