// Keycloak's "Direct Access Grants": grant_type=password&username=&password=[&scope=openid] at
// the token endpoint, answered as Keycloak does (tokens, `refresh_expires_in`,
// `not-before-policy`, 401 `invalid_grant` "Invalid user credentials").

import { errors } from 'oidc-provider';

import { grantEverything, findUser, keycloakScope, passwordMatches, resourceServerInfo, userClaims } from './claims.mjs';
import { RESOURCE, SCOPES, config } from './config.mjs';

function invalidCredentials() {
  const error = new errors.CustomOIDCProviderError('invalid_grant', 'Invalid user credentials');
  error.status = 401;
  error.statusCode = 401;
  return error;
}

export function registerPasswordGrant(provider) {
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
        ...userClaims(user),
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
}
