// The HTML pages, with Keycloak's element ids: the login form (`kc-form-login`, `username`,
// `password`, `kc-login`, `input-error`), the logout confirmation (`kc-logout`), the logged-out
// page and the error page.

import { LOGIN_ACTIONS } from './config.mjs';

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

export function loginPage({ uid, clientId, username, error }) {
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

/** Keycloak's "We are sorry..." page with `message`. */
export function errorPage(message) {
  return page('Error', `
      <h1 id="kc-page-title">We are sorry...</h1>
      <p id="kc-error-message" class="instruction">${escape(message)}</p>`);
}

/** The logout confirmation around oidc-provider's `form` (shown without an id_token_hint). */
export function logoutPage(form) {
  return page('Logging out', `
      <h1 id="kc-page-title">Logging out</h1>
      <p>Do you want to log out?</p>
      ${form}
      <button id="kc-logout" type="submit" form="op.logoutForm" name="logout" value="yes">Logout</button>`);
}

export function loggedOutPage() {
  return page('Signing out', `
      <h1 id="kc-page-title">You are logged out</h1>`);
}
