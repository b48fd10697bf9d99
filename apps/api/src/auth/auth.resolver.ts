import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ApiTokenScope } from '@pixtale/shared';
import type { Context } from '../context';
import type { ApiTokenRecord, UserRecord } from '../store';
import { ApiToken, AuthPayload, User } from './auth.type';

/** Marks a user record as the caller's own (AuthPayload.user), so its email is shown. */
const SELF = Symbol('self');
type SelfUser = UserRecord & { [SELF]?: true };
const own = async (p: Promise<{ token: string; user: UserRecord }>) => {
  const r = await p;
  return { token: r.token, user: { ...r.user, [SELF]: true } as SelfUser };
};

@Resolver(() => User)
export class UserResolver {
  @FieldResolver(() => String, { nullable: true, description: 'Email address; only visible to the user themselves.' })
  email(@Root() user: SelfUser, @Ctx() ctx: Context): string | null {
    return user[SELF] || ctx.viewer?.user.id === user.id ? user.email : null;
  }
}

const tokenOut = (r: ApiTokenRecord, token: string | null = null): ApiToken => ({
  id: r.id,
  name: r.name,
  token,
  scope: r.scope,
  createdAt: r.createdAt,
  lastUsedAt: r.lastUsedAt,
  revokedAt: r.revokedAt,
});

@Resolver()
export class AuthResolver {
  @Query(() => User, {
    nullable: true,
    description: 'The signed-in user; null when anonymous. Errors when the token is invalid or expired.',
  })
  me(@Ctx() ctx: Context): UserRecord | null {
    if (ctx.authError) throw ctx.authError;
    return ctx.viewer?.user ?? null;
  }

  @Mutation(() => AuthPayload, { description: 'Creates an account (email + password) and signs in.' })
  signUp(
    @Arg('email') email: string,
    @Arg('password') password: string,
    @Arg('displayName') displayName: string,
    @Ctx() ctx: Context,
  ) {
    return own(ctx.services.auth.signUp({ email, password, displayName }));
  }

  @Mutation(() => AuthPayload, {
    description:
      'Signs in with email and password. Repeated failures are RATE_LIMITED per account and per address (retryAfterSeconds).',
  })
  logIn(@Arg('email') email: string, @Arg('password') password: string, @Ctx() ctx: Context) {
    return own(ctx.loginLimits.guard(email, ctx.ip, () => ctx.services.auth.logIn({ email, password })));
  }

  @Mutation(() => AuthPayload, {
    description:
      'Signs in with a Google ID token (from the web app\'s "Sign in with Gmail"); maps to the account with the same verified email.',
  })
  signInWithGoogle(@Arg('idToken') idToken: string, @Ctx() ctx: Context) {
    return own(ctx.services.auth.signInWithGoogle(idToken));
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      'Ends this session (the session token sent) and revokes the API tokens created in it. False when it had already ended. Interactive sessions only (FORBIDDEN SESSION_REQUIRED for API tokens).',
  })
  logOut(@Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.auth.logOut(ctx.requireViewer());
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      'Ends every session of yours, on every device, and revokes all your API tokens. Interactive sessions only (FORBIDDEN SESSION_REQUIRED for API tokens).',
  })
  logOutEverywhere(@Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.auth.logOutEverywhere(ctx.requireViewer());
  }

  @Authorized()
  @Mutation(() => ApiToken, {
    description:
      'Creates a personal API token with the given scope. The secret is in `token`, shown only this once. Interactive sessions only (FORBIDDEN SESSION_REQUIRED for API tokens); logging out of this session revokes it.',
  })
  async createApiToken(
    @Arg('name') name: string,
    @Arg('scope', () => ApiTokenScope, { description: 'READ: queries and subscriptions only; WRITE: mutations too.' })
    scope: ApiTokenScope,
    @Ctx() ctx: Context,
  ): Promise<ApiToken> {
    const { record, token } = await ctx.services.auth.createApiToken(ctx.requireViewer(), name, scope);
    return tokenOut(record, token);
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      'Revokes one of your API tokens; false when there is no such live token. Interactive sessions only (FORBIDDEN SESSION_REQUIRED for API tokens).',
  })
  revokeApiToken(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.auth.revokeApiToken(ctx.requireViewer(), id);
  }

  @Authorized()
  @Query(() => [ApiToken], { description: 'Your API tokens, newest first (secrets are never shown again).' })
  async apiTokens(@Ctx() ctx: Context): Promise<ApiToken[]> {
    return (await ctx.services.auth.listApiTokens(ctx.requireUser().id)).map((r) => tokenOut(r));
  }
}
