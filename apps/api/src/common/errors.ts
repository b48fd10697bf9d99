import { GraphQLError } from 'graphql';
import { ErrorCode, type ErrorReason } from '@pixtale/shared';

/** Builds a client-facing error with a stable `extensions.code` (and optional `reason`). */
export function appError(
  code: ErrorCode,
  message: string,
  extra: { reason?: ErrorReason; [key: string]: unknown } = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

export const badInput = (message: string, extra: { reason?: ErrorReason; field?: string } = {}) =>
  appError(ErrorCode.BAD_USER_INPUT, message, extra);
export const unauthenticated = (message = 'Sign in first (send Authorization: Bearer <token>)', reason?: ErrorReason) =>
  appError(ErrorCode.UNAUTHENTICATED, message, reason ? { reason } : {});
export const forbidden = (message: string, reason?: ErrorReason) =>
  appError(ErrorCode.FORBIDDEN, message, reason ? { reason } : {});
export const notFound = (what: string, id: string) => appError(ErrorCode.NOT_FOUND, `${what} "${id}" not found`);
export const conflict = (message: string, reason: ErrorReason) => appError(ErrorCode.CONFLICT, message, { reason });
