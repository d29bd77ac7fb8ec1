import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Actor, PageInfo } from '../graphql/common.types';
import { ActorTypeEnum } from '../graphql/enums';
import { DateTimeScalar, JSONScalar } from '../graphql/scalars';
import type { ActorType } from '../shared/actor';

@ObjectType({ description: 'One change in the audit log. Entries are never edited or deleted.' })
export class AuditLogEntry {
  @Field(() => ID)
  id!: string;

  @Field({ description: '`<target>.<verb>`, e.g. order.cancel, product.adjustStock, apiKey.revoke, customer.erase.' })
  action!: string;

  @Field(() => Actor)
  actor!: Actor;

  @Field({ description: 'ORDER, PRODUCT, DISCOUNT_CODE, BRAND, API_KEY, CUSTOMER, SESSION, SUBSCRIPTION or USER.' })
  targetType!: string;

  @Field(() => String, { nullable: true })
  targetId!: string | null;

  @Field(() => JSONScalar, {
    description:
      '`{ before, after }` holding only the fields that changed (before is null for a creation, after for a deletion); ' +
      'personal data shows as "[personal data]".',
  })
  changes!: unknown;

  @Field(() => String, { nullable: true, description: 'The x-request-id of the request that made the change.' })
  requestId!: string | null;

  @Field(() => String, { nullable: true })
  clientAddress!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@ObjectType()
export class AuditLogEdge {
  @Field()
  cursor!: string;

  @Field(() => AuditLogEntry)
  node!: AuditLogEntry;
}

@ObjectType()
export class AuditLogConnection {
  @Field(() => [AuditLogEntry])
  nodes!: AuditLogEntry[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@InputType()
export class AuditLogFilterInput {
  @Field(() => ActorTypeEnum, { nullable: true })
  actorType?: ActorType | null;

  @Field(() => String, { nullable: true, description: 'An action (order.cancel), or a target prefix (order) for all of its actions.' })
  action?: string | null;

  @Field(() => String, { nullable: true })
  targetType?: string | null;

  @Field(() => String, { nullable: true })
  targetId?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Inclusive.' })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Exclusive.' })
  to?: Date | null;
}
