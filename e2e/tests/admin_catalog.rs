//! The catalogue administration in a real browser against the real OpenID provider peer: the
//! administrator signs in, opens the "Catalogue" tab, creates a category, renames one layer
//! and files it there, and unpublishes another in the settings form (the harvested value shown
//! beside each field); then an anonymous visitor's viewer lists the first under its new title
//! and category and no longer lists the second, whose tiles are refused. Last, the
//! administrator filters the permission matrix by that category and gives "view" to signed-in
//! users for the whole category: the anonymous catalogue loses the layer. Run by
//! `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, ensure};
use kartenn_e2e::{
    Browser, Server, catalogue_ids, free_loopback_port, page_fetch, sign_in_as, wait_for,
    write_oidc_config,
};
use kartenn_peers::oidc::{OidcOptions, OidcProvider};
use serde_json::json;

const NEW_TITLE: &str = "Mairies du Finistère";

fn write_config(dir: &Path, port: u16, issuer: &str) -> Result<PathBuf> {
    write_oidc_config(
        dir,
        port,
        issuer,
        r#"[[layers]]
id = "zone_a"
title = "Zone A"
path = "{demo}/mairies.fgb"
[[layers]]
id = "zone_b"
title = "Zone B"
path = "{demo}/mairies.fgb"
[[rules]]
layer = "zone_?"
view = "public"
"#,
        "",
        r#"[oidc.roles]
"realm:indigeo-admin" = "admin"
"#,
    )
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

/// Opens `layer`'s settings form from the layer table.
async fn open_settings(browser: &Browser, layer: &str) -> Result<()> {
    browser
        .click(&format!("tr[data-layer='{layer}'] button.edit-settings"))
        .await?;
    wait_for(
        browser,
        "the settings form",
        &format!(
            "const f = document.querySelector('#settings-form');\
             return f && f.getAttribute('aria-label').includes('{layer}');"
        ),
    )
    .await?;
    Ok(())
}

async fn save_and_wait_closed(browser: &Browser) -> Result<()> {
    browser.click("#save-settings").await?;
    wait_for(
        browser,
        "the settings saved",
        "return !document.querySelector('#settings-form');",
    )
    .await?;
    Ok(())
}

async fn admin_renames_zone_a_and_unpublishes_zone_b(browser: &Browser) -> Result<()> {
    browser.click("#admin-link").await?;
    browser.click("#admin-tab-catalogue").await?;
    browser.wait_for_element("#category-title").await?;
    browser.type_into("#category-title", "Littoral").await?;
    browser.click("#save-category").await?;
    let category = wait_for(
        browser,
        "the new category in the tree",
        "const c = Array.from(document.querySelectorAll('.category[data-category-id]'))\
           .find(c => c.textContent.includes('Littoral'));\
         return c && c.getAttribute('data-category-id');",
    )
    .await?;
    let category = category.as_str().context("category id")?.to_owned();
    open_settings(browser, "zone_a").await?;
    // The form takes the focus; the configured title is shown beside the field.
    wait_for(
        browser,
        "the focus in the title field",
        "return document.activeElement && document.activeElement.id === 'settings-title';",
    )
    .await?;
    let beside = browser
        .wait_for_element("#settings-title ~ .harvested")
        .await?
        .text()
        .await?;
    ensure!(beside.contains("Zone A"), "beside the title: {beside}");
    browser.type_into("#settings-title", NEW_TITLE).await?;
    choose(browser, "#settings-category", &category).await?;
    browser.screenshot("admin-catalogue-settings.png").await?;
    save_and_wait_closed(browser).await?;
    wait_for(
        browser,
        "the new title in the table",
        &format!(
            "const r = document.querySelector(\"tr[data-layer='zone_a']\");\
             return r && r.textContent.includes('{NEW_TITLE}');"
        ),
    )
    .await?;

    open_settings(browser, "zone_b").await?;
    choose(browser, "#settings-published", "false").await?;
    save_and_wait_closed(browser).await?;
    wait_for(
        browser,
        "zone_b unpublished in the table",
        "const r = document.querySelector(\"tr[data-layer='zone_b']\");\
         return r && r.querySelector('.badge') !== null;",
    )
    .await?;
    browser.screenshot("admin-catalogue.png").await?;
    Ok(())
}

/// The administrator filters the matrix by "Littoral" and gives "view" to signed-in users for
/// the whole category, then signs out.
async fn admin_restricts_the_category_from_the_matrix(
    browser: &Browser,
    server: &Server,
) -> Result<()> {
    sign_in_as(browser, "admin", "admin-pw").await?;
    browser.click("#admin-link").await?;
    browser.click("#admin-tab-matrix").await?;
    choose(browser, "#matrix-category", "Littoral").await?;
    wait_for(
        browser,
        "the matrix filtered by category",
        "const rows = document.querySelectorAll('table.matrix tbody tr');\
         return rows.length === 1 && rows[0].textContent.includes('zone_a')\
           && document.querySelector('#bulk-apply') !== null;",
    )
    .await?;
    choose(browser, "#bulk-audience", "authenticated").await?;
    browser
        .js("window.confirm = () => true; return true;", vec![])
        .await?;
    browser.click("#bulk-apply").await?;
    wait_for(
        browser,
        "the matrix showing the new rule",
        "const s = document.querySelector(\"button[data-row='zone_a'][data-column='Signed in']\");\
         const a = document.querySelector(\"button[data-row='zone_a'][data-column='Anonymous']\");\
         return s && a && s.textContent.includes('V') && s.textContent.includes('#1')\
           && a.textContent.includes('—') && a.textContent.includes('#1');",
    )
    .await?;
    browser.screenshot("admin-matrix-category.png").await?;
    browser.client.goto(&server.url).await?;
    browser.click("#sign-out").await?;
    browser.wait_for_element("#sign-in").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Node.js, Chromium and the built viewer: run `cargo xtask test`"]
async fn an_administrator_renames_and_unpublishes_layers_and_the_viewer_follows() -> Result<()> {
    let provider =
        tokio::task::spawn_blocking(move || OidcProvider::start(OidcOptions::default())).await??;
    let dir =
        std::env::temp_dir().join(format!("kartenn-e2e-admin-catalog-{}", std::process::id()));
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

    browser.client.goto(&server.url).await?;
    let before = catalogue_ids(&browser).await?;
    ensure!(
        before.contains(&"zone_a".to_owned()) && before.contains(&"zone_b".to_owned()),
        "{before:?}"
    );
    sign_in_as(&browser, "admin", "admin-pw").await?;
    admin_renames_zone_a_and_unpublishes_zone_b(&browser).await?;
    browser.client.goto(&server.url).await?;
    browser.click("#sign-out").await?;
    browser.wait_for_element("#sign-in").await?;

    // Anonymous: zone_a under its new title, zone_b gone and its tiles refused.
    browser.client.goto(&server.url).await?;
    wait_for(
        &browser,
        "the new title in the layer list",
        &format!(
            "const l = document.querySelector(\"[data-overlay='zone_a'] label\");\
             return l && l.textContent.includes('{NEW_TITLE}');"
        ),
    )
    .await?;
    let ids = catalogue_ids(&browser).await?;
    ensure!(
        ids.contains(&"zone_a".to_owned()) && !ids.contains(&"zone_b".to_owned()),
        "anonymous catalogue: {ids:?}"
    );
    let (_, catalog) = page_fetch(&browser, "/api/catalog").await?;
    let catalog: serde_json::Value = serde_json::from_str(&catalog)?;
    let zone_a = catalog["layers"]
        .as_array()
        .context("layers")?
        .iter()
        .find(|l| l["id"] == "zone_a")
        .context("zone_a")?;
    ensure!(zone_a["category"] == json!(["Littoral"]), "{zone_a}");
    ensure!(
        browser
            .js(
                "return !document.querySelector(\"[data-overlay='zone_b']\");",
                vec![]
            )
            .await?
            == json!(true),
        "zone_b still in the layer list"
    );
    let tile = page_fetch(&browser, "/tiles/zone_b/8/125/88.mvt").await?.0;
    ensure!((400..500).contains(&tile), "zone_b tile: {tile}");
    browser
        .screenshot("viewer-after-catalogue-admin.png")
        .await?;

    // The whole category to signed-in users, from the matrix.
    admin_restricts_the_category_from_the_matrix(&browser, &server).await?;
    let ids = catalogue_ids(&browser).await?;
    ensure!(
        !ids.contains(&"zone_a".to_owned()),
        "zone_a still public: {ids:?}"
    );

    browser.close().await?;
    drop(server);
    drop(provider);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
