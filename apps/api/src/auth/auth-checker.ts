import type { AuthChecker } from 'type-graphql';
import type { Context } from '../context';

/** `@Authorized()`: a valid session or API token is required. */
export const authChecker: AuthChecker<Context> = ({ context }) => {
  context.requireUser();
  return true;
};
