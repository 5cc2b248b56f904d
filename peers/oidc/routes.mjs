// Routes served next to oidc-provider: the login form, JWT access tokens at the userinfo and
// introspection endpoints (oidc-provider only looks up its opaque tokens there) and the realm
// document.

import * as querystring from 'node:querystring';

import { findUser, grantEverything, passwordMatches, userClaims, usersBySub } from './claims.mjs';
import { clientFromRequest } from './clients.mjs';
import { ISSUER, OIDC, REALM } from './config.mjs';
import { verifyAccessToken } from './keys.mjs';
import { errorPage, loginPage } from './pages.mjs';

async function readForm(req) {
  const chunks = [];
  let length = 0;
  for await (const chunk of req) {
    length += chunk.length;
    if (length > 64 * 1024) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return querystring.parse(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, type, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

export function sendJson(res, status, body, headers) {
  send(res, status, 'application/json', JSON.stringify(body), headers);
}

/** The login form (GET), its submission (POST), and consent, granted without asking. */
export async function loginActions(provider, req, res) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    send(res, 400, 'text/html; charset=utf-8',
      errorPage('Cookie not found. Please make sure cookies are enabled in your browser.'));
    return;
  }
  const { uid, prompt, params } = details;

  if (prompt.name === 'consent') {
    // Never asked for: grant everything and go on.
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
    grantEverything(grant);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }

  if (req.method === 'GET') {
    send(res, 200, 'text/html; charset=utf-8', loginPage({ uid, clientId: params.client_id, username: params.login_hint }));
    return;
  }

  const form = await readForm(req);
  const user = findUser(form.username);
  if (!passwordMatches(user, form.password)) {
    send(res, 200, 'text/html; charset=utf-8', loginPage({
      uid, clientId: params.client_id, username: form.username, error: 'Invalid username or password.',
    }));
    return;
  }
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: user.sub, acr: '1', amr: ['pwd'] } },
    { mergeWithLastSubmission: false },
  );
}

export function bearerToken(req) {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

export function userinfo(key, res, token) {
  const payload = verifyAccessToken(key, token);
  const user = payload && usersBySub.get(payload.sub);
  if (!user) {
    sendJson(res, 401, { error: 'invalid_token', error_description: 'Token verification failed' }, {
      'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token", error_description="Token verification failed"`,
    });
    return;
  }
  sendJson(res, 200, userClaims(user));
}

export async function introspect(key, req, res) {
  const form = await readForm(req);
  const client = clientFromRequest(req, form);
  if (!client) {
    sendJson(res, 401, { error: 'invalid_request', error_description: 'Authentication failed.' });
    return;
  }
  const payload = verifyAccessToken(key, form.token);
  if (!payload || !usersBySub.has(payload.sub)) {
    sendJson(res, 200, { active: false });
    return;
  }
  sendJson(res, 200, {
    ...payload,
    client_id: payload.azp,
    username: payload.preferred_username,
    token_type: 'Bearer',
    active: true,
  });
}

/** Keycloak's realm document (`/realms/indigeo`): the public key, the service URLs. */
export function realmInfo(key, res) {
  const der = key.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  sendJson(res, 200, {
    realm: REALM,
    public_key: der,
    'token-service': `${ISSUER}${OIDC}`,
    'account-service': `${ISSUER}/account`,
    'tokens-not-before': 0,
  });
}
