import { Field, InputType, ObjectType } from 'type-graphql';
import { Actor, Node } from '../graphql/common.types';
import { DateTimeScalar } from '../graphql/scalars';

@ObjectType({ implements: Node, description: 'A partner API key. The secret itself is never readable again after creation.' })
export class ApiKey extends Node {
  @Field()
  name!: string;

  @Field({ description: 'The public beginning of the secret (e.g. "lno_Ab12Cd34"), to tell keys apart.' })
  prefix!: string;

  @Field(() => [String], { description: 'orders:read, orders:write, products:read, products:write, stats:read' })
  scopes!: string[];

  @Field(() => Actor, { description: 'Who created the key.' })
  createdBy!: Actor;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Updated at most once a minute.' })
  lastUsedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  revokedAt!: Date | null;
}

@ObjectType({ description: 'A key just created: the only response that ever carries its secret.' })
export class CreatedApiKey {
  @Field(() => ApiKey)
  apiKey!: ApiKey;

  @Field({ description: 'Send as `Authorization: Bearer <secret>`. Store it now: it is shown only this once.' })
  secret!: string;
}

@InputType()
export class CreateApiKeyInput {
  @Field({ description: 'What the key is for, e.g. "ERP sync"; shown in order timelines as the actor.' })
  name!: string;

  @Field(() => [String])
  scopes!: string[];
}

