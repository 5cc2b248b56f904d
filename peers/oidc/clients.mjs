// The realm's clients (confidential `kartenn`, public `kartenn-cli`) and their redirect URIs: a
// trailing `*` is a prefix wildcard, as in Keycloak.

import { config } from './config.mjs';

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

export const clients = [
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

/** Redirect URIs ending with `*` match by prefix, like Keycloak's wildcards. */
export function allowWildcardRedirects(provider) {
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

/** The confidential client a request authenticates as (HTTP Basic or form), or undefined. */
export function clientFromRequest(req, form) {
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
