// A Keycloak look-alike OpenID Connect provider for Kartenn's tests: npm `oidc-provider`
// (OpenID Certified) mounted under /realms/indigeo, with Keycloak's endpoint paths, claims,
// login form ids and logout behaviour. Started (and described) by peers/src/oidc/mod.rs:
//
//   node server.mjs CONFIG.json
//
// CONFIG.json (written by the Rust launcher): port, keysFile, clientSecret, redirectUris,
// postLogoutRedirectUris, accessTokenTtl, refreshTokenTtl, users. The RS256 signing key is read
// from keysFile, or generated there (with a random kid) when the file does not exist yet.
// Listens on 127.0.0.1 only; logs one line per request on stdout; exits when stdin closes.
//
// This entry point serves HTTP and routes requests; the rest lives in ES modules next to it:
// config.mjs (the config file, the realm's paths), claims.mjs (users and Keycloak's claims),
// keys.mjs (the signing key), clients.mjs, provider.mjs (oidc-provider set up as Keycloak),
// password.mjs (the password grant), routes.mjs (login form, userinfo, introspection) and
// pages.mjs (the HTML).

import * as http from 'node:http';

import { INTROSPECT, ISSUER, LOGIN_ACTIONS, REALM_PATH, USERINFO, config, milestone } from './config.mjs';
import { loadSigningKey } from './keys.mjs';
import { createProvider } from './provider.mjs';
import { bearerToken, introspect, loginActions, realmInfo, sendJson, userinfo } from './routes.mjs';

milestone(`modules loaded (node ${process.version})`);

const key = loadSigningKey(config.keysFile);
milestone(`signing key ${key.jwk.kid} ready`);

const provider = createProvider(key.jwk);
const callback = provider.callback();

const server = http.createServer(async (req, res) => {
  const target = req.url.split('?')[0];
  res.on('finish', () => console.log(`${req.method} ${target} ${res.statusCode}`));
  try {
    const { pathname } = new URL(req.url, ISSUER);
    if (pathname === REALM_PATH) {
      realmInfo(key, res);
      return;
    }
    if (!pathname.startsWith(`${REALM_PATH}/`)) {
      sendJson(res, 404, { error: 'Unable to find matching target resource method' });
      return;
    }
    if (pathname === LOGIN_ACTIONS) {
      await loginActions(provider, req, res);
      return;
    }
    const inner = pathname.slice(REALM_PATH.length);
    const bearer = bearerToken(req);
    if (inner === USERINFO && bearer?.split('.').length === 3) {
      userinfo(key, res, bearer);
      return;
    }
    if (inner === INTROSPECT && req.method === 'POST') {
      await introspect(key, req, res);
      return;
    }
    // Mounted like express does: oidc-provider finds its mount path from originalUrl.
    req.originalUrl = req.url;
    req.url = req.url.slice(REALM_PATH.length);
    await callback(req, res);
  } catch (error) {
    console.error('request failed', error);
    if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
    else res.end();
  }
});

server.listen(config.port, '127.0.0.1', () => {
  milestone(`oidc-provider ${ISSUER} ready (kid ${key.jwk.kid})`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

// The launcher holds our stdin open: end with it, so a killed test process leaves no server.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
