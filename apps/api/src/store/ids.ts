import { randomBytes } from 'node:crypto';

let lastMs = 0;
let seq = 0;

/**
 * Time-ordered, URL-safe id: 9 base36 chars of milliseconds, 4 of a per-process sequence
 * (so ids made in the same millisecond still sort in creation order), 12 random hex chars.
 */
export function newId(now = Date.now()): string {
  if (now <= lastMs) {
    seq++;
    now = lastMs;
  } else {
    lastMs = now;
    seq = 0;
  }
  return now.toString(36).padStart(9, '0') + seq.toString(36).padStart(4, '0') + randomBytes(6).toString('hex');
}

/** A job lease's token: 96 random bits, fresh per claim. */
export function newLeaseToken(): string {
  return randomBytes(12).toString('base64url');
}
