// A Keycloak look-alike OpenID Connect provider for Kartenn's tests: npm `oidc-provider`
// (OpenID Certified) mounted under /realms/indigeo, with Keycloak's endpoint paths, claims,
// login form ids and logout behaviour. Started (and described) by peers/src/oidc.rs:
//
//   node server.mjs CONFIG.json
//
// CONFIG.json (written by the Rust launcher): port, keysFile, clientSecret, redirectUris,
// postLogoutRedirectUris, accessTokenTtl, refreshTokenTtl, users. The RS256 signing key is read
// from keysFile, or generated there (with a random kid) when the file does not exist yet.
// Listens on 127.0.0.1 only; logs one line per request on stdout; exits when stdin closes.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as querystring from 'node:querystring';

import Provider, { errors } from 'oidc-provider';

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

/** Start-up milestones with the time since node started, to tell where a slow start went. */
function milestone(text) {
  console.log(`[${process.uptime().toFixed(3)} s] ${text}`);
}
milestone(`modules loaded (node ${process.version})`);

const REALM = 'indigeo';
const REALM_PATH = `/realms/${REALM}`;
const ISSUER = `http://127.0.0.1:${config.port}${REALM_PATH}`;
const OIDC = '/protocol/openid-connect';
const LOGIN_ACTIONS = `${REALM_PATH}/login-actions/authenticate`;
const USERINFO = `${OIDC}/userinfo`;
const INTROSPECT = `${OIDC}/token/introspect`;
const LOGOUT = `${OIDC}/logout`;
const AUTH = `${OIDC}/auth`;
const TOKEN = `${OIDC}/token`;
// The one resource server: every access token is a JWT for it (audience rewritten below).
const RESOURCE = 'urn:kartenn';
const AUDIENCE_CLIENT = 'kartenn';
// Keycloak's default client scopes, added to every token's `scope` even when not requested.
const DEFAULT_SCOPES = ['profile', 'email'];
const SCOPES = ['openid', 'offline_access', 'profile', 'email', 'roles', 'web-origins', 'acr', 'basic'];
const COOKIE_OPTIONS = { httpOnly: true, sameSite: 'lax' };

// ---------------------------------------------------------------------------------------------
// Users

const users = config.users;
const usersBySub = new Map(users.map((user) => [user.sub, user]));

function findUser(login) {
  if (typeof login !== 'string') return undefined;
  const wanted = login.toLowerCase();
  // Keycloak accepts the username (case-insensitive) or the e-mail address.
  return users.find((user) => user.username === wanted || user.email?.toLowerCase() === wanted);
}

function passwordMatches(user, password) {
  if (!user || typeof password !== 'string') return false;
  const given = Buffer.from(password);
  const expected = Buffer.from(user.password);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** The profile and e-mail claims Keycloak's default scopes put in every token. */
function profileClaims(user) {
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
  const claims = {
    email_verified: user.emailVerified,
    name: name || undefined,
    preferred_username: user.username,
    given_name: user.firstName ?? undefined,
    family_name: user.lastName ?? undefined,
    email: user.email ?? undefined,
  };
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

/** Keycloak's role and group mappers: claims absent (not empty) for a user without any. */
function roleClaims(user) {
  const claims = {};
  if (user.realmRoles.length) {
    claims.realm_access = { roles: user.realmRoles };
  }
  const resourceAccess = {};
  if (user.kartennRoles.length) resourceAccess.kartenn = { roles: user.kartennRoles };
  if (user.accountRoles.length) resourceAccess.account = { roles: user.accountRoles };
  if (Object.keys(resourceAccess).length) claims.resource_access = resourceAccess;
  if (user.groups.length) claims.groups = user.groups;
  return claims;
}

/** The audience mapper adds `kartenn`; Keycloak adds `account` when the user has account roles.
 * A single audience is a string, as Keycloak writes it. */
function audience(user) {
  const aud = [AUDIENCE_CLIENT];
  if (user?.accountRoles.length) aud.push('account');
  return aud.length === 1 ? aud[0] : aud;
}

/** The `scope` of a Keycloak token: the requested scopes plus the default client scopes. */
function keycloakScope(scope) {
  const scopes = new Set((scope || '').split(' ').filter(Boolean));
  const ordered = [];
  if (scopes.has('openid')) ordered.push('openid');
  for (const value of [...scopes, ...DEFAULT_SCOPES]) {
    if (value !== 'openid' && !ordered.includes(value)) ordered.push(value);
  }
  return ordered.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Signing key

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

const signingJwk = loadOrCreateKey(config.keysFile);
milestone(`signing key ${signingJwk.kid} ready`);
const publicKey = crypto.createPublicKey({ key: signingJwk, format: 'jwk' });

// ---------------------------------------------------------------------------------------------
// Clients and redirect URIs (a trailing `*` is a prefix wildcard, as in Keycloak)

/** oidc-provider wants URLs; a pattern `http://127.0.0.1:*` is registered as its prefix. */
function registrable(uris) {
  return uris.map((uri) => (uri.endsWith('*') ? new URL(uri.slice(0, -1)).href : uri));
}

function allowed(patterns, uri) {
  return patterns.some((pattern) => (pattern.endsWith('*') ? uri.startsWith(pattern.slice(0, -1)) : uri === pattern));
}

const clientPatterns = {
  kartenn: {
    redirect: config.redirectUris,
    postLogout: config.postLogoutRedirectUris,
  },
};

const clients = [
  {
    client_id: 'kartenn',
    client_secret: config.clientSecret,
    client_name: 'Kartenn',
    grant_types: ['authorization_code', 'refresh_token', 'password'],
    response_types: ['code'],
    redirect_uris: registrable(config.redirectUris),
    post_logout_redirect_uris: registrable(config.postLogoutRedirectUris),
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    client_id: 'kartenn-cli',
    client_name: 'Kartenn CLI',
    grant_types: ['password', 'refresh_token'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'none',
  },
];

// ---------------------------------------------------------------------------------------------
// Provider

const claims = {
  // Claims outside any scope, kept in ID tokens when set (as in oidc-provider's defaults).
  acr: null,
  auth_time: null,
  sid: null,
  iss: null,
  // Keycloak's default scopes (profile, email) apply whether requested or not.
  openid: ['sub', 'name', 'preferred_username', 'given_name', 'family_name', 'email', 'email_verified', 'groups'],
  profile: ['name', 'preferred_username', 'given_name', 'family_name'],
  email: ['email', 'email_verified'],
};

function resourceServerInfo() {
  return {
    scope: SCOPES.join(' '),
    accessTokenFormat: 'jwt',
    accessTokenTTL: config.accessTokenTtl,
  };
}

/** Every client is first-party: consent is granted without asking (Keycloak's default). */
function grantEverything(grant) {
  grant.addOIDCScope(SCOPES.join(' '));
  grant.addOIDCClaims(claims.openid);
  grant.addResourceScope(RESOURCE, SCOPES.join(' '));
}

async function loadExistingGrant(ctx) {
  const { client, session, result, provider } = ctx.oidc;
  const grantId = result?.consent?.grantId || session.grantIdFor(client.clientId);
  let grant = grantId ? await provider.Grant.find(grantId) : undefined;
  if (!grant) {
    grant = new provider.Grant({ clientId: client.clientId, accountId: ctx.oidc.account.accountId });
  }
  grantEverything(grant);
  if (ctx.oidc.requestParamClaims) grant.addOIDCClaims([...ctx.oidc.requestParamClaims]);
  await grant.save();
  return grant;
}

/** Revokes what a provider session handed out, destroys it and clears its cookie. */
async function endSession(ctx) {
  const { session, provider } = ctx.oidc;
  for (const { grantId } of Object.values(session.authorizations ?? {})) {
    if (!grantId) continue;
    await Promise.all([
      provider.AccessToken.revokeByGrantId(grantId),
      provider.RefreshToken.revokeByGrantId(grantId),
      provider.AuthorizationCode.revokeByGrantId(grantId),
      provider.Grant.adapter.destroy(grantId),
    ]);
  }
  await session.destroy();
  ctx.cookies.set(provider.cookieName('session'), null, COOKIE_OPTIONS);
}

function postLogoutRedirect(ctx) {
  const { state } = ctx.oidc.session;
  if (state?.postLogoutRedirectUri) {
    const uri = new URL(state.postLogoutRedirectUri);
    if (state.state != null) uri.searchParams.set('state', state.state);
    return uri.href;
  }
  return ctx.oidc.urlFor('end_session_success');
}

const provider = new Provider(ISSUER, {
  clients,
  jwks: { keys: [signingJwk] },
  findAccount(_ctx, sub) {
    const user = usersBySub.get(sub);
    if (!user) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, ...profileClaims(user), ...(user.groups.length ? { groups: user.groups } : {}) };
      },
    };
  },
  claims,
  scopes: SCOPES,
  conformIdTokenClaims: false,
  responseTypes: ['code'],
  cookies: {
    keys: [crypto.randomBytes(32).toString('hex')],
    long: COOKIE_OPTIONS,
    short: COOKIE_OPTIONS,
  },
  features: {
    devInteractions: { enabled: false },
    introspection: { enabled: true },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => RESOURCE,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, resource) => {
        if (resource !== RESOURCE) throw new errors.InvalidTarget();
        return resourceServerInfo();
      },
    },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        // Keycloak logs out at once, without a confirmation page, when given an id_token_hint.
        if (ctx.oidc.entities.IdTokenHint) {
          const location = postLogoutRedirect(ctx);
          await endSession(ctx);
          ctx.status = 302;
          ctx.redirect(location);
          return;
        }
        ctx.type = 'html';
        ctx.body = page('Logging out', `
      <h1 id="kc-page-title">Logging out</h1>
      <p>Do you want to log out?</p>
      ${form}
      <button id="kc-logout" type="submit" form="op.logoutForm" name="logout" value="yes">Logout</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.type = 'html';
        ctx.body = page('Signing out', `
      <h1 id="kc-page-title">You are logged out</h1>`);
      },
    },
  },
  formats: {
    customizers: {
      // Keycloak's access token: typ "JWT" header, its claims, no client_id.
      async jwt(_ctx, token, jwt) {
        const user = usersBySub.get(token.accountId);
        jwt.header = { typ: 'JWT' };
        const { payload } = jwt;
        delete payload.client_id;
        payload.aud = audience(user);
        payload.typ = 'Bearer';
        payload.azp = token.clientId;
        if (token.sid) payload.sid = token.sid;
        payload.acr = '1';
        payload.scope = keycloakScope(token.scope);
        if (user) Object.assign(payload, profileClaims(user), roleClaims(user));
      },
    },
  },
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  // Keycloak hands out a refresh token on every refresh and keeps the old one valid.
  rotateRefreshToken: false,
  loadExistingGrant,
  interactions: {
    url: (_ctx, interaction) => `${LOGIN_ACTIONS}?session_code=${interaction.uid}`,
  },
  routes: {
    authorization: AUTH,
    token: TOKEN,
    jwks: `${OIDC}/certs`,
    userinfo: USERINFO,
    end_session: LOGOUT,
    introspection: INTROSPECT,
    revocation: `${OIDC}/revoke`,
    pushed_authorization_request: `${OIDC}/ext/par/request`,
    code_verification: `${OIDC}/device`,
    device_authorization: `${OIDC}/auth/device`,
    backchannel_authentication: `${OIDC}/ext/ciba/auth`,
  },
  ttl: {
    AccessToken: config.accessTokenTtl,
    IdToken: config.accessTokenTtl,
    RefreshToken: config.refreshTokenTtl,
    AuthorizationCode: 60,
    Interaction: 30 * 60,
    Session: 10 * 60 * 60,
    Grant: 10 * 60 * 60,
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Error', `
      <h1 id="kc-page-title">We are sorry...</h1>
      <p id="kc-error-message" class="instruction">${escape(out.error_description || out.error)}</p>`);
  },
});

// Redirect URIs ending with `*` match by prefix, like Keycloak's wildcards.
{
  const { redirectUriAllowed, postLogoutRedirectUriAllowed } = provider.Client.prototype;
  provider.Client.prototype.redirectUriAllowed = function redirectAllowed(uri) {
    const patterns = clientPatterns[this.clientId]?.redirect;
    return patterns ? allowed(patterns, uri) : redirectUriAllowed.call(this, uri);
  };
  provider.Client.prototype.postLogoutRedirectUriAllowed = function postLogoutAllowed(uri) {
    const patterns = clientPatterns[this.clientId]?.postLogout;
    return patterns ? allowed(patterns, uri) : postLogoutRedirectUriAllowed.call(this, uri);
  };
}

// Keycloak puts the session id `sid` in every token of a browser session.
provider.Client.prototype.includeSid = () => true;

// ID tokens carry `typ: "ID"`, `azp`, `auth_time` and `acr`, as Keycloak's do.
{
  const { issue } = provider.IdToken.prototype;
  provider.IdToken.prototype.issue = function issueKeycloakStyle(options) {
    if (options?.use === 'idtoken') {
      this.set('typ', 'ID');
      this.set('azp', this.client.clientId);
      // oidc-provider adds these only when the request asks for them; Keycloak always does.
      for (const claim of ['auth_time', 'acr']) {
        if (this.available[claim] !== undefined && this.extra[claim] === undefined) {
          this.set(claim, this.available[claim]);
        }
      }
    }
    return issue.call(this, options);
  };
}

function invalidCredentials() {
  const error = new errors.CustomOIDCProviderError('invalid_grant', 'Invalid user credentials');
  error.status = 401;
  error.statusCode = 401;
  return error;
}

// Keycloak's "Direct Access Grants": grant_type=password&username=&password=[&scope=openid].
provider.registerGrantType('password', async (ctx) => {
  const { client, params } = ctx.oidc;
  const user = findUser(params.username);
  if (!passwordMatches(user, params.password)) {
    throw invalidCredentials();
  }
  const requested = (params.scope || '').split(' ').filter(Boolean);
  const unknown = requested.filter((scope) => !SCOPES.includes(scope));
  if (unknown.length) {
    throw new errors.InvalidScope(`Invalid scopes: ${requested.join(' ')}`, unknown.join(' '));
  }
  const scope = [...new Set(requested)].join(' ');

  const grant = new provider.Grant({ accountId: user.sub, clientId: client.clientId });
  grantEverything(grant);
  const grantId = await grant.save();

  const at = new provider.AccessToken({
    accountId: user.sub,
    client,
    expiresWithSession: false,
    grantId,
    gty: 'password',
    scope,
  });
  at.resourceServer = new provider.ResourceServer(RESOURCE, resourceServerInfo());
  ctx.oidc.entity('AccessToken', at);
  const accessToken = await at.save();

  let refreshToken;
  if (client.grantTypeAllowed('refresh_token')) {
    const rt = new provider.RefreshToken({
      accountId: user.sub,
      acr: '1',
      amr: ['pwd'],
      authTime: Math.floor(Date.now() / 1000),
      client,
      expiresWithSession: false,
      grantId,
      gty: 'password',
      resource: RESOURCE,
      rotations: 0,
      scope,
    });
    ctx.oidc.entity('RefreshToken', rt);
    refreshToken = await rt.save();
  }

  let idToken;
  if (requested.includes('openid')) {
    const token = new provider.IdToken({
      sub: user.sub,
      ...profileClaims(user),
      ...(user.groups.length ? { groups: user.groups } : {}),
      acr: '1',
      auth_time: Math.floor(Date.now() / 1000),
    }, { ctx });
    token.scope = scope;
    token.mask = {};
    token.rejected = [];
    idToken = await token.issue({ use: 'idtoken' });
  }

  ctx.body = Object.fromEntries(Object.entries({
    access_token: accessToken,
    expires_in: at.expiration,
    refresh_expires_in: refreshToken ? config.refreshTokenTtl : undefined,
    refresh_token: refreshToken,
    token_type: 'Bearer',
    id_token: idToken,
    'not-before-policy': 0,
    scope: keycloakScope(scope),
  }).filter(([, value]) => value !== undefined));
}, ['username', 'password', 'scope']);

// Keycloak-style additions to the responses oidc-provider builds itself.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.method === 'POST' && ctx.path === TOKEN && ctx.status === 200 && ctx.body?.access_token) {
    if (ctx.body.refresh_token && ctx.body.refresh_expires_in === undefined) {
      ctx.body.refresh_expires_in = config.refreshTokenTtl;
    }
    ctx.body['not-before-policy'] ??= 0;
    ctx.body.scope = keycloakScope(ctx.body.scope);
  }
  // The authorization endpoint answers with the login form itself, as Keycloak does, rather
  // than redirecting to it (the interaction cookie is set on this response).
  if (ctx.path === AUTH && ctx.status === 303) {
    const location = ctx.response.get('location');
    if (location.startsWith(`${LOGIN_ACTIONS}?`)) {
      const uid = new URL(location, ISSUER).searchParams.get('session_code');
      const interaction = await provider.Interaction.find(uid);
      if (interaction?.prompt?.name === 'login') {
        ctx.remove('location');
        ctx.status = 200;
        ctx.type = 'html';
        ctx.body = loginPage({ uid, clientId: interaction.params.client_id, username: interaction.params.login_hint });
      }
    }
  }
  // Logout with no session at the provider: oidc-provider answers with a self-submitting form;
  // Keycloak redirects at once.
  if (ctx.path === LOGOUT && ctx.status === 200 && ctx.oidc?.session && !ctx.oidc.session.accountId
      && ctx.body?.includes?.('Submitting Callback')) {
    ctx.status = 302;
    ctx.redirect(postLogoutRedirect(ctx));
  }
});

provider.on('server_error', (_ctx, error) => console.error('server_error', error));
for (const event of ['grant.error', 'authorization.error', 'end_session.error', 'userinfo.error', 'introspection.error', 'revocation.error', 'jwks.error', 'discovery.error']) {
  provider.on(event, (_ctx, error) => console.log(`${event}: ${error.error}: ${error.error_description} (${error.error_detail ?? ''})`));
}

// ---------------------------------------------------------------------------------------------
// Pages

function escape(value) {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="robots" content="noindex, nofollow">
    <title>${escape(title)}</title>
  </head>
  <body id="keycloak-bg" class="login-pf">
    <div class="login-pf-page">
      <div id="kc-header"><div id="kc-header-wrapper">Indigeo</div></div>
      <div class="card-pf" id="kc-content">${body}
      </div>
    </div>
  </body>
</html>`;
}

function loginPage({ uid, clientId, username, error }) {
  const action = `${LOGIN_ACTIONS}?session_code=${encodeURIComponent(uid)}&client_id=${encodeURIComponent(clientId ?? '')}`;
  const message = error
    ? `
        <div class="alert-error pf-c-alert pf-m-danger" id="kc-error">
          <span id="input-error" class="kc-feedback-text" aria-live="polite">${escape(error)}</span>
        </div>`
    : '';
  return page('Sign in to Indigeo', `
        <h1 id="kc-page-title">Sign in to your account</h1>${message}
        <form id="kc-form-login" action="${escape(action)}" method="post">
          <label for="username">Username or email</label>
          <input tabindex="1" id="username" name="username" value="${escape(username)}" type="text" autofocus autocomplete="username">
          <label for="password">Password</label>
          <input tabindex="2" id="password" name="password" type="password" autocomplete="current-password">
          <input type="hidden" id="id-hidden-input" name="credentialId">
          <button tabindex="4" name="login" id="kc-login" type="submit">Sign In</button>
        </form>`);
}

// ---------------------------------------------------------------------------------------------
// Routes served next to oidc-provider: the login form, and JWT access tokens at the userinfo
// and introspection endpoints (oidc-provider only looks up its opaque tokens there).

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

function sendJson(res, status, body, headers) {
  send(res, status, 'application/json', JSON.stringify(body), headers);
}

async function loginActions(req, res) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    send(res, 400, 'text/html; charset=utf-8', page('Error', `
      <h1 id="kc-page-title">We are sorry...</h1>
      <p id="kc-error-message" class="instruction">Cookie not found. Please make sure cookies are enabled in your browser.</p>`));
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

/** The claims of a valid access token issued here, or undefined. */
function verifyAccessToken(token) {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    if (header.alg !== 'RS256' || header.kid !== signingJwk.kid) return undefined;
    const valid = crypto.verify(
      'RSA-SHA256',
      Buffer.from(`${parts[0]}.${parts[1]}`),
      publicKey,
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

function bearerToken(req) {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

function userinfo(req, res, token) {
  const payload = verifyAccessToken(token);
  const user = payload && usersBySub.get(payload.sub);
  if (!user) {
    sendJson(res, 401, { error: 'invalid_token', error_description: 'Token verification failed' }, {
      'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token", error_description="Token verification failed"`,
    });
    return;
  }
  sendJson(res, 200, { sub: user.sub, ...profileClaims(user), ...(user.groups.length ? { groups: user.groups } : {}) });
}

function clientFromRequest(req, form) {
  let id = form.client_id;
  let secret = form.client_secret;
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) {
      id = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
  }
  const client = clients.find((candidate) => candidate.client_id === id);
  if (!client?.client_secret || client.client_secret !== secret) return undefined;
  return client;
}

async function introspect(req, res) {
  const form = await readForm(req);
  const client = clientFromRequest(req, form);
  if (!client) {
    sendJson(res, 401, { error: 'invalid_request', error_description: 'Authentication failed.' });
    return;
  }
  const payload = verifyAccessToken(form.token);
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

function realmInfo(res) {
  const der = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  sendJson(res, 200, {
    realm: REALM,
    public_key: der,
    'token-service': `${ISSUER}${OIDC}`,
    'account-service': `${ISSUER}/account`,
    'tokens-not-before': 0,
  });
}

const callback = provider.callback();

const server = http.createServer(async (req, res) => {
  const target = req.url.split('?')[0];
  res.on('finish', () => console.log(`${req.method} ${target} ${res.statusCode}`));
  try {
    const { pathname } = new URL(req.url, ISSUER);
    if (pathname === REALM_PATH) {
      realmInfo(res);
      return;
    }
    if (!pathname.startsWith(`${REALM_PATH}/`)) {
      sendJson(res, 404, { error: 'Unable to find matching target resource method' });
      return;
    }
    if (pathname === LOGIN_ACTIONS) {
      await loginActions(req, res);
      return;
    }
    const inner = pathname.slice(REALM_PATH.length);
    const bearer = bearerToken(req);
    if (inner === USERINFO && bearer?.split('.').length === 3) {
      userinfo(req, res, bearer);
      return;
    }
    if (inner === INTROSPECT && req.method === 'POST') {
      await introspect(req, res);
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
  milestone(`oidc-provider ${ISSUER} ready (kid ${signingJwk.kid})`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

// The launcher holds our stdin open: end with it, so a killed test process leaves no server.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
