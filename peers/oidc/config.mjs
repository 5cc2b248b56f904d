// The launcher's configuration (the JSON file named by the first argument) and the realm's
// constants: Keycloak's paths under /realms/indigeo, the resource server, the scopes.

import * as fs from 'node:fs';

/** port, keysFile, clientSecret, redirectUris, postLogoutRedirectUris, accessTokenTtl,
 * refreshTokenTtl, users: written by peers/src/oidc/mod.rs. */
export const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

/** Start-up milestones with the time since node started, to tell where a slow start went. */
export function milestone(text) {
  console.log(`[${process.uptime().toFixed(3)} s] ${text}`);
}

export const REALM = 'indigeo';
export const REALM_PATH = `/realms/${REALM}`;
export const ISSUER = `http://127.0.0.1:${config.port}${REALM_PATH}`;
export const OIDC = '/protocol/openid-connect';
export const LOGIN_ACTIONS = `${REALM_PATH}/login-actions/authenticate`;
export const USERINFO = `${OIDC}/userinfo`;
export const INTROSPECT = `${OIDC}/token/introspect`;
export const LOGOUT = `${OIDC}/logout`;
export const AUTH = `${OIDC}/auth`;
export const TOKEN = `${OIDC}/token`;
// The one resource server: every access token is a JWT for it (audience rewritten in provider.mjs).
export const RESOURCE = 'urn:kartenn';
export const AUDIENCE_CLIENT = 'kartenn';
// Keycloak's default client scopes, added to every token's `scope` even when not requested.
export const DEFAULT_SCOPES = ['profile', 'email'];
export const SCOPES = ['openid', 'offline_access', 'profile', 'email', 'roles', 'web-origins', 'acr', 'basic'];
export const COOKIE_OPTIONS = { httpOnly: true, sameSite: 'lax' };
