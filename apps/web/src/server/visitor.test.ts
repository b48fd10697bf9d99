import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseEnv } from '@/env';
import { CLIENT_IP_HEADER, forwardVisitor, PROXY_SECRET_HEADER, visitorAddress } from './visitor';

describe('visitorAddress', () => {
  it('is the rightmost X-Forwarded-For entry: the connection next start saw, or what the proxy in front appended', () => {
    expect(visitorAddress({ 'x-forwarded-for': '203.0.113.7' })).toBe('203.0.113.7');
    expect(visitorAddress({ 'x-forwarded-for': '1.2.3.4, 198.51.100.2' })).toBe('198.51.100.2');
    expect(visitorAddress({ 'x-forwarded-for': '::1' })).toBe('::1');
    expect(visitorAddress({ 'x-forwarded-for': 'evil, not-an-ip' })).toBeNull();
    expect(visitorAddress({})).toBeNull();
    expect(visitorAddress(undefined)).toBeNull();
  });
});

describe('forwardVisitor', () => {
  it('sends the visitor address with the shared INTERNAL_API_SECRET', () => {
    const secret = 's'.repeat(40);
    const env = parseEnv({ INTERNAL_API_SECRET: secret });
    expect(forwardVisitor({ 'x-forwarded-for': '203.0.113.7' }, env)).toEqual({
      [CLIENT_IP_HEADER]: '203.0.113.7',
      [PROXY_SECRET_HEADER]: secret,
    });
    expect(forwardVisitor({}, env)).toEqual({});
  });

  it('in development reads (or creates, 600) the secret the API keeps in the shared data folder', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-web-'));
    try {
      const env = parseEnv({ PIXTALE_DATA_DIR: dataDir });
      const sent = forwardVisitor({ 'x-forwarded-for': '203.0.113.7' }, env);
      const file = path.join(dataDir, 'internal-api-secret');
      expect(sent[PROXY_SECRET_HEADER]).toBe(fs.readFileSync(file, 'utf8').trim());
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
