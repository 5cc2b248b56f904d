//! The admin pages in a real browser against the real OpenID provider peer: the administrator
//! signs in, opens /admin from the account control, creates a rule for the private layer,
//! is told next to the field that an empty role list is refused, makes the
//! layer visible to `realm:maddog` and signs out; Bob (realm role `maddog`) then finds the layer
//! in his catalogue and its tiles served, and is kept out of /admin; the administrator's audit
//! page lists the change. Run by `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, ensure};
use kartenn_e2e::{
    Browser, Server, catalogue_ids, free_loopback_port, page_fetch, sign_in_as, wait_for,
    write_oidc_config,
};
use kartenn_peers::oidc::{OidcOptions, OidcProvider};
use serde_json::json;

fn write_config(dir: &Path, port: u16, issuer: &str) -> Result<PathBuf> {
    write_oidc_config(
        dir,
        port,
        issuer,
        r#"[[layers]]
id = "zone_b"
title = "Zone B"
path = "{demo}/mairies.fgb"
"#,
        "",
        r#"[oidc.roles]
"realm:indigeo-admin" = "admin"
"#,
    )
}

/// Opens the viewer and signs in there as `user`.
async fn sign_in_at(browser: &Browser, server: &Server, user: &str, pw: &str) -> Result<()> {
    browser.client.goto(&server.url).await?;
    sign_in_as(browser, user, pw).await
}

async fn sign_out(browser: &Browser, server: &Server) -> Result<()> {
    browser.client.goto(&server.url).await?;
    browser.click("#sign-out").await?;
    browser.wait_for_element("#sign-in").await?;
    Ok(())
}

/// Chooses `value` in the `<select>` matching `css` as a person would (a `change` event).
async fn choose(browser: &Browser, css: &str, value: &str) -> Result<()> {
    browser.wait_for_element(css).await?;
    browser
        .js(
            "const s = document.querySelector(arguments[0]); s.value = arguments[1];\
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!(css), json!(value)],
        )
        .await?;
    Ok(())
}

/// The administrator creates a rule for zone_b (which the admin's own catalogue does not show:
/// no rule opens it) and opens it to `realm:maddog`; the matrix then lists it, with view for
/// the `realm:maddog` column and nothing for anonymous visitors.
async fn admin_opens_zone_b_to_maddog(browser: &Browser) -> Result<()> {
    browser.click("#admin-link").await?;
    browser.click("#admin-tab-rules").await?;
    // The file's rule is listed, marked read-only.
    browser
        .wait_for_element(".rule-list .rule.from-config")
        .await?;
    browser.click("#new-rule").await?;
    browser.wait_for_element("#rule-pattern").await?;
    // The editor takes the focus.
    let focused = browser
        .js(
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await?;
    ensure!(focused == json!("rule-kind"), "focus on {focused}");
    browser.type_into("#rule-pattern", "zone_b").await?;
    browser.type_into("#rule-position", "0").await?;

    // Roles with an empty list: the server's 422 message shows next to the field.
    choose(browser, "#rule-view", "roles").await?;
    browser.wait_for_element("#rule-view-roles").await?;
    browser.click("#save-rule").await?;
    wait_for(
        browser,
        "the view field's error",
        "const e = document.querySelector('#rule-view ~ .field-error');\
         return e && e.textContent;",
    )
    .await?;

    browser
        .type_into("#rule-view-roles", "realm:maddog")
        .await?;
    browser.click("#save-rule").await?;
    wait_for(
        browser,
        "the stored rule in the list",
        "return !document.querySelector('#rule-editor') && Array.from(\
         document.querySelectorAll('.rule-list .rule[data-rule-id]')).some(r =>\
         r.textContent.includes('zone_b') && r.textContent.includes('realm:maddog'));",
    )
    .await?;
    browser.screenshot("admin-rules.png").await?;
    // The matrix now lists it (named by a rule), decided by rule #1.
    browser.click("#admin-tab-matrix").await?;
    let cell = "button[data-row='zone_b'][data-column='realm:maddog']";
    let text = browser.wait_for_element(cell).await?.text().await?;
    ensure!(text.contains('V') && text.contains("#1"), "{text}");
    let anonymous = "button[data-row='zone_b'][data-column='Anonymous']";
    let text = browser.wait_for_element(anonymous).await?.text().await?;
    ensure!(text.contains('—') && text.contains("#1"), "{text}");
    browser.screenshot("admin-matrix.png").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Node.js, Chromium and the built viewer: run `cargo xtask test`"]
async fn an_administrator_opens_a_layer_to_a_role_in_the_ui_and_the_audit_log_lists_it()
-> Result<()> {
    let provider =
        tokio::task::spawn_blocking(move || OidcProvider::start(OidcOptions::default())).await??;
    let dir = std::env::temp_dir().join(format!("kartenn-e2e-admin-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let port = free_loopback_port()?;
    let config = write_config(&dir, port, &provider.issuer())?;
    let server = Server::start_at(
        &format!("127.0.0.1:{port}"),
        &["--config", config.to_str().context("path")?],
    )
    .await?;
    let browser = Browser::start(1200, 900, 1.0).await?;

    // Anonymous at /admin: a message and a sign-in link, no admin controls.
    browser
        .client
        .goto(&format!("{}/admin", server.url))
        .await?;
    browser.wait_for_element("#admin-sign-in").await?;
    ensure!(
        browser
            .js(
                "return !document.querySelector('#admin-tab-rules');",
                vec![]
            )
            .await?
            == json!(true)
    );

    sign_in_at(&browser, &server, "admin", "admin-pw").await?;
    admin_opens_zone_b_to_maddog(&browser).await?;
    sign_out(&browser, &server).await?;

    // Bob now sees zone_b and its tiles; /admin stays closed to him.
    sign_in_at(&browser, &server, "bob", "bob-pw").await?;
    ensure!(
        browser
            .js("return !document.querySelector('#admin-link');", vec![])
            .await?
            == json!(true),
        "Bob is offered the admin link"
    );
    let ids = catalogue_ids(&browser).await?;
    ensure!(
        ids.contains(&"zone_b".to_owned()),
        "Bob's catalogue: {ids:?}"
    );
    let tile = page_fetch(&browser, "/tiles/zone_b/8/125/88.mvt").await?.0;
    ensure!(tile == 200 || tile == 204, "zone_b tile for Bob: {tile}");
    browser
        .client
        .goto(&format!("{}/admin", server.url))
        .await?;
    browser.wait_for_element(".admin-denied").await?;
    ensure!(page_fetch(&browser, "/api/admin/rules").await?.0 == 403);
    sign_out(&browser, &server).await?;

    // The administrator's audit page lists the change, with a CSV export.
    sign_in_at(&browser, &server, "admin", "admin-pw").await?;
    browser.click("#admin-link").await?;
    browser.click("#admin-tab-audit").await?;
    wait_for(
        &browser,
        "the audit row",
        "const t = document.querySelector('#audit-log');\
         return t && t.textContent.includes('rule.create') && t.textContent.includes('zone_b')\
           && t.textContent.includes('admin');",
    )
    .await?;
    let href = browser
        .wait_for_element("#audit-csv")
        .await?
        .attr("href")
        .await?
        .unwrap_or_default();
    let (status, csv) = page_fetch(&browser, &href).await?;
    ensure!(
        status == 200 && csv.contains("rule.create"),
        "{status} {csv}"
    );
    browser.screenshot("admin-audit.png").await?;

    browser.close().await?;
    drop(server);
    drop(provider);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
