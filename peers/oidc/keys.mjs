// The RS256 signing key, kept in the launcher's keysFile across restarts (a new one, with a
// random kid, when the file does not exist yet), and the check of the access tokens it signed.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

import { ISSUER } from './config.mjs';

function loadOrCreateKey(path) {
  if (fs.existsSync(path)) {
    return JSON.parse(fs.readFileSync(path, 'utf8'));
  }
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = {
    ...privateKey.export({ format: 'jwk' }),
    kid: crypto.randomBytes(32).toString('base64url'),
    alg: 'RS256',
    use: 'sig',
  };
  fs.writeFileSync(path, JSON.stringify(jwk), { mode: 0o600 });
  return jwk;
}

/** `{ jwk, publicKey }`: the private JWK (with its kid) and its public half. */
export function loadSigningKey(path) {
  const jwk = loadOrCreateKey(path);
  return { jwk, publicKey: crypto.createPublicKey({ key: jwk, format: 'jwk' }) };
}

/** The claims of a valid access token signed with `key`, or undefined. */
export function verifyAccessToken(key, token) {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    if (header.alg !== 'RS256' || header.kid !== key.jwk.kid) return undefined;
    const valid = crypto.verify(
      'RSA-SHA256',
      Buffer.from(`${parts[0]}.${parts[1]}`),
      key.publicKey,
      Buffer.from(parts[2], 'base64url'),
    );
    if (!valid) return undefined;
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const now = Math.floor(Date.now() / 1000);
    if (payload.iss !== ISSUER || payload.typ !== 'Bearer' || !(payload.exp > now)) return undefined;
    return payload;
  } catch {
    return undefined;
  }
}
