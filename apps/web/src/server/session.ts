import { getServerSession, type Session } from 'next-auth';
import { buildAuthOptions } from './auth';

export function getSession(): Promise<Session | null> {
  return getServerSession(buildAuthOptions());
}
