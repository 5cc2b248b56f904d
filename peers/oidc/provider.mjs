// oidc-provider configured as Keycloak's realm: Keycloak's routes, token lifetimes and claims,
// implicit consent, logout without confirmation given an id_token_hint, Keycloak-style ID
// tokens and token responses, the password grant, and the login form answered by the
// authorization endpoint itself.

import * as crypto from 'node:crypto';

import Provider, { errors } from 'oidc-provider';

import {
  audience, grantEverything, keycloakScope, profileClaims, resourceServerInfo, roleClaims, scopeClaims, userClaims,
  usersBySub,
} from './claims.mjs';
import { allowWildcardRedirects, clients } from './clients.mjs';
import {
  AUTH, COOKIE_OPTIONS, INTROSPECT, ISSUER, LOGIN_ACTIONS, LOGOUT, OIDC, RESOURCE, SCOPES, TOKEN, USERINFO, config,
} from './config.mjs';
import { errorPage, loggedOutPage, loginPage, logoutPage } from './pages.mjs';
import { registerPasswordGrant } from './password.mjs';

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

/** The realm's provider, signing with `signingJwk`. */
export function createProvider(signingJwk) {
  const provider = new Provider(ISSUER, {
    clients,
    jwks: { keys: [signingJwk] },
    findAccount(_ctx, sub) {
      const user = usersBySub.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        async claims() {
          return userClaims(user);
        },
      };
    },
    claims: scopeClaims,
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
          ctx.body = logoutPage(form);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.type = 'html';
          ctx.body = loggedOutPage();
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
      ctx.body = errorPage(out.error_description || out.error);
    },
  });

  allowWildcardRedirects(provider);

  // Keycloak puts the session id `sid` in every token of a browser session.
  provider.Client.prototype.includeSid = () => true;

  // ID tokens carry `typ: "ID"`, `azp`, `auth_time` and `acr`, as Keycloak's do.
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

  registerPasswordGrant(provider);
  provider.use(keycloakResponses(provider));

  provider.on('server_error', (_ctx, error) => console.error('server_error', error));
  for (const event of ['grant.error', 'authorization.error', 'end_session.error', 'userinfo.error', 'introspection.error', 'revocation.error', 'jwks.error', 'discovery.error']) {
    provider.on(event, (_ctx, error) => console.log(`${event}: ${error.error}: ${error.error_description} (${error.error_detail ?? ''})`));
  }
  return provider;
}

/** Keycloak-style additions to the responses oidc-provider builds itself (a koa middleware). */
function keycloakResponses(provider) {
  return async (ctx, next) => {
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
  };
}
