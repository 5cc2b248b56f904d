// Keycloak's users and claims: the realm's users (from the launcher's config), their password
// check, the profile, role and group claims Keycloak's mappers put in tokens, the audience and
// `scope` Keycloak writes, and the consent every (first-party) client gets without asking.

import * as crypto from 'node:crypto';

import { AUDIENCE_CLIENT, DEFAULT_SCOPES, RESOURCE, SCOPES, config } from './config.mjs';

const users = config.users;
export const usersBySub = new Map(users.map((user) => [user.sub, user]));

export function findUser(login) {
  if (typeof login !== 'string') return undefined;
  const wanted = login.toLowerCase();
  // Keycloak accepts the username (case-insensitive) or the e-mail address.
  return users.find((user) => user.username === wanted || user.email?.toLowerCase() === wanted);
}

export function passwordMatches(user, password) {
  if (!user || typeof password !== 'string') return false;
  const given = Buffer.from(password);
  const expected = Buffer.from(user.password);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** The profile and e-mail claims Keycloak's default scopes put in every token. */
export function profileClaims(user) {
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

/** `sub`, the profile claims and `groups` (absent when empty): ID tokens and userinfo. */
export function userClaims(user) {
  return { sub: user.sub, ...profileClaims(user), ...(user.groups.length ? { groups: user.groups } : {}) };
}

/** Keycloak's role and group mappers: claims absent (not empty) for a user without any. */
export function roleClaims(user) {
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
export function audience(user) {
  const aud = [AUDIENCE_CLIENT];
  if (user?.accountRoles.length) aud.push('account');
  return aud.length === 1 ? aud[0] : aud;
}

/** The `scope` of a Keycloak token: the requested scopes plus the default client scopes. */
export function keycloakScope(scope) {
  const scopes = new Set((scope || '').split(' ').filter(Boolean));
  const ordered = [];
  if (scopes.has('openid')) ordered.push('openid');
  for (const value of [...scopes, ...DEFAULT_SCOPES]) {
    if (value !== 'openid' && !ordered.includes(value)) ordered.push(value);
  }
  return ordered.join(' ');
}

/** oidc-provider's `claims` setting: which claims each scope releases. */
export const scopeClaims = {
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

export function resourceServerInfo() {
  return {
    scope: SCOPES.join(' '),
    accessTokenFormat: 'jwt',
    accessTokenTTL: config.accessTokenTtl,
  };
}

/** Every client is first-party: consent is granted without asking (Keycloak's default). */
export function grantEverything(grant) {
  grant.addOIDCScope(SCOPES.join(' '));
  grant.addOIDCClaims(scopeClaims.openid);
  grant.addResourceScope(RESOURCE, SCOPES.join(' '));
}
