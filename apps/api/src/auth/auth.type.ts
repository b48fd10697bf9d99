import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { ApiTokenScope } from '@pixtale/shared';
import { Shared } from '../shared-results';

registerEnumType(ApiTokenScope, {
  name: 'ApiTokenScope',
  description: 'What an API token may do.',
  valuesConfig: {
    READ: { description: 'Queries and subscriptions only; mutations are FORBIDDEN (reason TOKEN_SCOPE).' },
    WRITE: { description: 'Everything the owner can do, except managing API tokens and sessions (interactive sessions only).' },
  },
});

@ObjectType({ simpleResolvers: true, description: 'A Pixtale account.' })
export class User {
  @Shared()
  @Field(() => ID, { description: 'Stable id of the user.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Email address; only visible to the user themselves (null for others).' })
  email!: string | null;

  @Shared()
  @Field({ description: 'Public name shown on posts.' })
  displayName!: string;

  @Field({ description: 'Public profile text; empty when none.' })
  bio!: string;

  @Shared()
  @Field({ description: 'When the account was created.' })
  createdAt!: Date;
}

@ObjectType({ simpleResolvers: true, description: 'Result of signing up or logging in.' })
export class AuthPayload {
  @Field({ description: 'Session token; send as `Authorization: Bearer <token>`.' })
  token!: string;

  @Field(() => User, { description: 'The signed-in user.' })
  user!: User;
}

@ObjectType({ simpleResolvers: true, description: 'A personal API token for third-party clients.' })
export class ApiToken {
  @Field(() => ID, { description: 'Id of the token (use it to revoke).' })
  id!: string;

  @Field({ description: 'Name given by the owner.' })
  name!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The secret token (`pxt_...`), returned only once by createApiToken; null afterwards.',
  })
  token!: string | null;

  @Field(() => ApiTokenScope, { description: 'What the token may do, chosen at creation.' })
  scope!: ApiTokenScope;

  @Field({ description: 'When the token was created.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'Last time the token was used.' })
  lastUsedAt!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description:
      'When the token was revoked (by revokeApiToken, logging out of the session it was made in, or logOutEverywhere); null while it is live.',
  })
  revokedAt!: Date | null;
}
