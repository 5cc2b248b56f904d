//! The admin "Sources" tab in a real browser, against the real OpenID provider peer and a real
//! MapServer: the administrator signs in, adds the MapServer as a source (the server's refusal
//! of a plain-http address shows next to the field), tests the connection, synchronises it —
//! the diff is shown first, then applied from the keyboard — after which the catalogue lists
//! its layers; deleting it (the confirmation names the layer count) takes them away; the audit
//! log has each change. Run by `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyhow::{Context, Result, ensure};
use fantoccini::Locator;
use kartenn_e2e::{
    Browser, Server, free_loopback_port, page_fetch, sign_in_as, wait_for, write_oidc_config,
};
use kartenn_peers::MapServer;
use kartenn_peers::oidc::{OidcOptions, OidcProvider};
use serde_json::json;

/// Sets an input's value as typing would (an `input` event).
async fn fill(browser: &Browser, css: &str, value: &str) -> Result<()> {
    browser.wait_for_element(css).await?;
    browser
        .js(
            "const i = document.querySelector(arguments[0]); i.value = arguments[1];\
             i.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![json!(css), json!(value)],
        )
        .await?;
    Ok(())
}

/// The catalogue's layer ids as the signed-in page sees them.
async fn catalogue(browser: &Browser) -> Result<String> {
    let (status, body) = page_fetch(browser, "/api/catalog").await?;
    ensure!(status == 200, "catalogue: {status}");
    Ok(body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs MapServer, lighttpd, Node.js, Chromium and the built viewer: run `cargo xtask test`"]
async fn an_administrator_adds_a_source_previews_and_applies_its_sync_then_deletes_it() -> Result<()>
{
    let provider =
        tokio::task::spawn_blocking(move || OidcProvider::start(OidcOptions::default())).await??;
    let mapserver = MapServer::start().await?;
    let dir = std::env::temp_dir().join(format!("kartenn-e2e-sources-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let port = free_loopback_port()?;
    let config = write_oidc_config(
        &dir,
        port,
        &provider.issuer(),
        "",
        "[[rules]]\nlayer = \"ms-*\"\nview = \"public\"\n",
        "[oidc.roles]\n\"realm:indigeo-admin\" = \"admin\"\n",
    )?;
    let server = Server::start_at(
        &format!("127.0.0.1:{port}"),
        &["--config", config.to_str().context("path")?],
    )
    .await?;
    let browser = Browser::start(1200, 900, 1.0).await?;
    browser.client.goto(&server.url).await?;
    sign_in_as(&browser, "admin", "admin-pw").await?;
    browser.click("#admin-link").await?;
    browser.click("#admin-tab-sources").await?;
    browser.wait_for_element("table.sources").await?;

    adds_the_source(&browser, &mapserver.url).await?;
    synchronises_it(&browser).await?;
    deletes_it(&browser).await?;

    let (status, audit) = page_fetch(&browser, "/api/admin/audit").await?;
    ensure!(status == 200, "audit: {status}");
    for action in ["source.create", "source.sync", "source.delete"] {
        ensure!(audit.contains(action), "{action} not in the audit log");
    }

    browser.close().await?;
    drop(server);
    drop(mapserver);
    drop(provider);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// A new source: the editor takes the focus; a plain-http address is refused by the server
/// (its message next to the field); the real one answers the connection test and is saved.
async fn adds_the_source(browser: &Browser, url: &str) -> Result<()> {
    // A new source: the editor takes the focus; a plain-http address is refused by the server,
    // its message next to the field.
    browser.click("#new-source").await?;
    browser.wait_for_element("#source-editor").await?;
    let focused = browser
        .js(
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await?;
    ensure!(focused == json!("source-id"), "focus on {focused}");
    fill(browser, "#source-id", "ms").await?;
    fill(browser, "#source-title", "MapServer").await?;
    fill(browser, "#source-url", "http://geo.example.org/ows").await?;
    browser.click("#save-source").await?;
    let error = wait_for(
        browser,
        "the url field's error",
        "const e = document.querySelector('#source-url-error'); return e && e.textContent;",
    )
    .await?;
    ensure!(error.to_string().contains("loopback"), "{error}");

    // The real address: the connection test answers, then it is saved.
    fill(browser, "#source-url", url).await?;
    browser.click("#test-source-form").await?;
    browser
        .wait_for_element("#source-editor .test-result.ok")
        .await?;
    browser.click("#save-source").await?;
    browser.wait_for_element("tr[data-source-id='ms']").await?;
    ensure!(!catalogue(browser).await?.contains("ms-communes"));

    Ok(())
}

/// Synchronise…: the diff first, nothing applied yet; Apply from the keyboard.
async fn synchronises_it(browser: &Browser) -> Result<()> {
    // Synchronise…: the diff first, nothing applied yet; Apply from the keyboard.
    browser
        .click("tr[data-source-id='ms'] .sync-source")
        .await?;
    let added = wait_for(
        browser,
        "the preview's added layers",
        "const l = document.querySelectorAll('#sync-preview .diff.added li');\
         return l.length > 0 && Array.from(l).map(e => e.textContent).join('|');",
    )
    .await?;
    ensure!(added.to_string().contains("ms-communes"), "{added}");
    ensure!(
        !catalogue(browser).await?.contains("ms-communes"),
        "applied before Apply"
    );
    let focused = browser
        .js(
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await?;
    ensure!(focused == json!("apply-sync"), "focus on {focused}");
    browser.screenshot("admin-sources-preview.png").await?;
    browser
        .client
        .find(Locator::Css("#apply-sync"))
        .await?
        .send_keys("\u{e007}")
        .await?;
    wait_for(
        browser,
        "the preview closed and the layer count shown",
        "const c = document.querySelector(\"tr[data-source-id='ms'] td:nth-child(3)\");\
         return !document.querySelector('#sync-preview') && c && Number(c.textContent) > 0;",
    )
    .await?;
    ensure!(catalogue(browser).await?.contains("ms-communes"));

    Ok(())
}

/// Delete: the confirmation names the layers; they leave the catalogue.
async fn deletes_it(browser: &Browser) -> Result<()> {
    // Delete: the confirmation names the layers; they leave the catalogue.
    browser
        .js(
            "window.confirm = (m) => { window.__asked = m; return true; }; return true;",
            vec![],
        )
        .await?;
    browser
        .click("tr[data-source-id='ms'] .delete-source")
        .await?;
    wait_for(
        browser,
        "the row gone",
        "return !document.querySelector(\"tr[data-source-id='ms']\");",
    )
    .await?;
    let asked = browser.js("return window.__asked;", vec![]).await?;
    ensure!(
        asked
            .as_str()
            .is_some_and(|m| m.contains("ms") && m.chars().any(|c| c.is_ascii_digit() && c != '0')),
        "confirmation: {asked}"
    );
    ensure!(!catalogue(browser).await?.contains("ms-communes"));

    Ok(())
}
