import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readOrCreateSecret, visitorProof, VISITOR_HEADER, VISITOR_PROOF_HEADER } from '@pixtale/shared/node';
import { parseEnv } from '@/env';
import { CLIENT_IP_HEADER, forwardVisitor, PROXY_SECRET_HEADER, visitorAddress } from './visitor';

describe('visitorAddress', () => {
  const secret = 'k'.repeat(40);
  const stamped = (address: string, proof = visitorProof(address, secret)) => ({
    [VISITOR_HEADER]: address,
    [VISITOR_PROOF_HEADER]: proof,
  });

  it("is the launcher's stamped address, only with a proof made with the shared secret", () => {
    expect(visitorAddress(stamped('203.0.113.7'), secret)).toBe('203.0.113.7');
    expect(visitorAddress(stamped('::1'), secret)).toBe('::1');
  });

  it('believes nothing a client can write: X-Forwarded-For, a stamp without proof, a proof for another address or secret', () => {
    expect(visitorAddress({ 'x-forwarded-for': '203.0.113.7' }, secret)).toBeNull();
    expect(visitorAddress({ [VISITOR_HEADER]: '203.0.113.7' }, secret)).toBeNull();
    expect(visitorAddress(stamped('203.0.113.7', visitorProof('203.0.113.8', secret)), secret)).toBeNull();
    expect(visitorAddress(stamped('203.0.113.7', visitorProof('203.0.113.7', 'x'.repeat(40))), secret)).toBeNull();
    expect(visitorAddress(stamped('not-an-ip'), secret)).toBeNull();
    expect(visitorAddress(undefined, secret)).toBeNull();
  });
});

describe('forwardVisitor', () => {
  it('sends the visitor address with the shared INTERNAL_API_SECRET', () => {
    const secret = 's'.repeat(40);
    const env = parseEnv({ INTERNAL_API_SECRET: secret });
    expect(
      forwardVisitor({ [VISITOR_HEADER]: '203.0.113.7', [VISITOR_PROOF_HEADER]: visitorProof('203.0.113.7', secret) }, env),
    ).toEqual({
      [CLIENT_IP_HEADER]: '203.0.113.7',
      [PROXY_SECRET_HEADER]: secret,
    });
    expect(forwardVisitor({}, env)).toEqual({});
  });

  it('in development reads (or creates, 600) the secret the API keeps in the shared data folder', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-web-'));
    try {
      const env = parseEnv({ PIXTALE_DATA_DIR: dataDir });
      const file = path.join(dataDir, 'internal-api-secret');
      const generated = readOrCreateSecret(dataDir, 'internal-api-secret');
      const sent = forwardVisitor(
        { [VISITOR_HEADER]: '203.0.113.7', [VISITOR_PROOF_HEADER]: visitorProof('203.0.113.7', generated) },
        env,
      );
      expect(sent[PROXY_SECRET_HEADER]).toBe(fs.readFileSync(file, 'utf8').trim());
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
