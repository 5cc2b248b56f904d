//! Saved maps in a real browser against the real OpenID provider peer: Alice signs in, takes
//! a layer out and back in, moves it down, lowers another's opacity, and saves the map as
//! public, then another as private in a folder made on the spot; a fresh anonymous browser
//! opens the public map's link and finds the same layers in the same order with the same
//! opacity, at the same view, except the one only Alice's role may see, which a notice names;
//! the private map's link tells it "not found or private"; the administrator makes the public
//! map the landing map in /admin, and a fresh visitor without a link lands on it. Run by
//! `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, ensure};
use kartenn_e2e::{
    Browser, Server, free_loopback_port, page_fetch, sign_in_as, wait_for, write_oidc_config,
};
use kartenn_peers::oidc::{OidcOptions, OidcProvider};
use serde_json::{Value, json};

fn write_config(dir: &Path, port: u16, issuer: &str) -> Result<PathBuf> {
    write_oidc_config(
        dir,
        port,
        issuer,
        r#"[[layers]]
id = "towns"
title = "Town halls"
path = "{demo}/mairies.fgb"
[[layers]]
id = "research"
title = "Research sites"
path = "{demo}/mairies.fgb"
"#,
        r#"[[rules]]
layer = "towns"
view = "public"
[[rules]]
layer = "research"
view = ["realm:chercheur"]
"#,
        r#"[oidc.roles]
"realm:indigeo-admin" = "admin"
"#,
    )
}

/// The layer list as shown, topmost first: `[id, opacity %]`.
async fn layer_rows(browser: &Browser) -> Result<Value> {
    browser
        .js(
            "return Array.from(document.querySelectorAll('.layers li[data-overlay]')).map(li =>\
             [li.dataset.overlay, li.querySelector('input[type=range]').value]);",
            vec![],
        )
        .await
}

/// The view the URL's fragment says: `[zoom, lat, lon]`.
async fn fragment_view(browser: &Browser) -> Result<Vec<f64>> {
    let view = wait_for(
        browser,
        "the view in the URL",
        "const m = /map=([^&]+)/.exec(location.hash); return m && m[1];",
    )
    .await?;
    Ok(view
        .as_str()
        .context("view")?
        .split('/')
        .map(|n| n.parse().unwrap_or(f64::NAN))
        .collect())
}

/// Fills the save form and saves; the link the panel shows (none must show before).
async fn save_map(browser: &Browser, title: &str, visibility: &str) -> Result<String> {
    browser
        .js(
            "const t = document.querySelector('#map-title'); t.value = arguments[0];\
             t.dispatchEvent(new InputEvent('input', { bubbles: true }));\
             const s = document.querySelector('#map-visibility'); s.value = arguments[1];\
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!(title), json!(visibility)],
        )
        .await?;
    browser.click("#map-save").await?;
    let href = wait_for(
        browser,
        "the saved map's link",
        "const a = document.querySelector('#map-saved-link'); return a && a.href;",
    )
    .await?;
    Ok(href.as_str().context("href")?.to_owned())
}

/// The layer list Alice arranges, topmost first, as `layer_rows` reads it (`research` is
/// for her role only).
fn arranged() -> Value {
    json!([["research", "100"], ["towns", "100"], ["countries", "40"]])
}

/// What others see of it: the same without `research`.
fn seen_by_others() -> Value {
    json!([["towns", "100"], ["countries", "40"]])
}

/// Alice arranges her map and saves it public, then private: both links and the saved public map.
/// Alice lowers the countries' opacity again and replaces her private map with the map on
/// screen: the stored state follows, its version goes up, title and folder stay.
async fn alice_replaces_a_saved_map(alice: &Browser, id: &str) -> Result<()> {
    alice
        .js(
            "const r = document.querySelector(\"[data-opacity-for='countries']\");\
             r.value = '70'; r.dispatchEvent(new Event('input', { bubbles: true }));\
             window.confirm = () => true;",
            vec![],
        )
        .await?;
    wait_for(
        alice,
        "the new opacity in the URL",
        "return location.hash.includes('countries@70');",
    )
    .await?;
    alice
        .click(&format!(".saved-map[data-map-id='{id}'] .overwrite-map"))
        .await?;
    wait_for(
        alice,
        "the replaced notice",
        "const n = document.querySelector('.saved-maps .map-notice[role=status]');\
         return n && n.textContent.length > 0;",
    )
    .await?;
    let (status, body) = page_fetch(alice, &format!("/api/maps/{id}")).await?;
    ensure!(status == 200, "{status} {body}");
    let map: Value = serde_json::from_str(&body)?;
    let countries = map["state"]["layers"]
        .as_array()
        .context("layers")?
        .iter()
        .find(|l| l["id"] == "countries")
        .context("countries")?;
    ensure!(
        (countries["opacity"].as_f64().unwrap_or_default() - 0.7).abs() < 1e-9,
        "{map}"
    );
    ensure!(
        map["version"] == 2 && map["title"] == "My secret map",
        "{map}"
    );
    Ok(())
}

async fn alice_saves(server: &Server) -> Result<(String, String, Value)> {
    let alice = Browser::start(1200, 900, 1.0).await?;
    alice.client.goto(&server.url).await?;
    sign_in_as(&alice, "alice", "alice-pw").await?;
    alice.click("[data-remove='towns']").await?;
    alice.click(".catalog-open").await?;
    alice.click("[data-catalog-toggle='towns']").await?;
    alice.click("#catalog .close").await?;
    alice.click("[data-lower='towns']").await?;
    alice
        .js(
            "const r = document.querySelector(\"[data-opacity-for='countries']\");\
             r.value = '40'; r.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![],
        )
        .await?;
    let expected = arranged();
    wait_for(
        &alice,
        "Alice's layer list",
        &format!("return JSON.stringify(Array.from(document.querySelectorAll('.layers li[data-overlay]'))\
             .map(li => [li.dataset.overlay, li.querySelector('input[type=range]').value])) === '{expected}';"),
    )
    .await?;
    // The fragment has caught up with the changes (written at most every 300 ms).
    wait_for(
        &alice,
        "the layers in the URL",
        "return location.hash.includes('layers=countries@40,towns,research');",
    )
    .await?;
    alice.click("#maps-open").await?;
    alice.wait_for_element("#map-title").await?;
    let public = save_map(&alice, "Towns over countries", "public").await?;
    ensure!(public.contains("/?map="), "{public}");
    alice.screenshot("saved-maps-panel.png").await?;
    let private = {
        alice
            .js(
                "document.querySelector('#map-saved-link').remove();",
                vec![],
            )
            .await?;
        // Into a folder made on the spot.
        choose_new_folder(&alice, "Drafts").await?;
        save_map(&alice, "My secret map", "private").await?
    };
    wait_for(
        &alice,
        "the private map in its new folder",
        "return Array.from(document.querySelectorAll('.my-maps .map-folder')).some(f =>\
         f.querySelector('.folder-name').textContent === 'Drafts'\
         && f.textContent.includes('My secret map'));",
    )
    .await?;
    ensure!(private != public, "two maps, two links");
    let public_id = public.rsplit('=').next().context("id")?.to_owned();
    let (status, saved) = page_fetch(&alice, &format!("/api/maps/{public_id}")).await?;
    ensure!(status == 200, "{status} {saved}");
    let saved: Value = serde_json::from_str(&saved)?;
    let private_id = private.rsplit('=').next().context("id")?.to_owned();
    alice_replaces_a_saved_map(&alice, &private_id).await?;
    alice.close().await?;

    Ok((public, private, saved))
}

/// A fresh anonymous browser opens the public link (same layers, opacity and view) and the
/// private one (a clear message).
async fn anonymous_opens(public: &str, private: &str, saved: &Value) -> Result<()> {
    let expected = seen_by_others();
    let public_id = saved["id"].as_str().context("id")?;
    let visitor = Browser::start(1200, 900, 1.0).await?;
    visitor.client.goto(public).await?;
    visitor
        .wait_for_element(&format!(".opened-map[data-map-id='{public_id}']"))
        .await?;
    wait_for(
        &visitor,
        "the saved layers",
        "return document.querySelectorAll('.layers li[data-overlay]').length === 2;",
    )
    .await?;
    let rows = layer_rows(&visitor).await?;
    ensure!(
        rows == expected,
        "anonymous sees {rows}, Alice saved {expected}"
    );
    // The layer only Alice's role may see is left out, and the visitor is told.
    let skipped = visitor
        .wait_for_element("#map-skipped")
        .await?
        .text()
        .await?;
    ensure!(skipped.contains("research"), "{skipped}");
    let view = fragment_view(&visitor).await?;
    let want = &saved["state"]["view"];
    for (got, key) in view.iter().zip(["zoom", "lat", "lon"]) {
        let w = want[key].as_f64().context("view")?;
        ensure!((got - w).abs() < 1e-3, "{key}: {got} in the URL, {w} saved");
    }
    ensure!(
        visitor
            .js("return !document.querySelector('#maps-open');", vec![])
            .await?
            == json!(true),
        "anonymous visitors are not offered to save"
    );

    // The private link: a clear message, the configured map.
    visitor.client.goto(private).await?;
    let message = visitor
        .wait_for_element("#map-not-found")
        .await?
        .text()
        .await?;
    ensure!(
        message.contains("not found or is private") || message.contains("n’existe pas"),
        "{message}"
    );
    visitor.screenshot("saved-maps-private.png").await?;
    visitor.close().await?;

    Ok(())
}

/// The administrator makes the public map the landing map in /admin.
async fn admin_sets_default(server: &Server, public_id: &str) -> Result<()> {
    let admin = Browser::start(1200, 900, 1.0).await?;
    admin.client.goto(&server.url).await?;
    sign_in_as(&admin, "admin", "admin-pw").await?;
    admin.client.goto(&format!("{}/admin", server.url)).await?;
    admin.click("#admin-tab-maps").await?;
    let row = format!(".admin-map-table tr[data-map-id='{public_id}']");
    admin.click(&format!("{row} .set-default")).await?;
    admin
        .wait_for_element(&format!(
            ".admin-map-table tr.default[data-map-id='{public_id}']"
        ))
        .await?;
    admin.screenshot("admin-maps.png").await?;
    let (status, audit) = page_fetch(&admin, "/api/admin/audit?action=map.default").await?;
    ensure!(
        status == 200 && audit.contains(public_id),
        "{status} {audit}"
    );
    admin.close().await?;

    Ok(())
}

/// Picks "New folder…" in the save form and names it.
async fn choose_new_folder(browser: &Browser, name: &str) -> Result<()> {
    browser
        .js(
            "const s = document.querySelector('#map-folder'); s.value = 'new';\
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await?;
    browser.wait_for_element("#map-new-folder").await?;
    browser
        .js(
            "const t = document.querySelector('#map-new-folder'); t.value = arguments[0];\
             t.dispatchEvent(new InputEvent('input', { bubbles: true }));",
            vec![json!(name)],
        )
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Node.js, Chromium and the built viewer: run `cargo xtask test`"]
async fn a_saved_public_map_opens_the_same_for_anyone_and_can_become_the_landing_map() -> Result<()>
{
    let provider =
        tokio::task::spawn_blocking(move || OidcProvider::start(OidcOptions::default())).await??;
    let dir = std::env::temp_dir().join(format!("kartenn-e2e-maps-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let port = free_loopback_port()?;
    let config = write_config(&dir, port, &provider.issuer())?;
    let server = Server::start_at(
        &format!("127.0.0.1:{port}"),
        &["--config", config.to_str().context("path")?],
    )
    .await?;

    let (public, private, saved) = alice_saves(&server).await?;
    let public_id = saved["id"].as_str().context("id")?.to_owned();
    anonymous_opens(&public, &private, &saved).await?;
    admin_sets_default(&server, &public_id).await?;
    let expected = seen_by_others();

    // A fresh visitor without a link lands on it.
    let newcomer = Browser::start(1200, 900, 1.0).await?;
    newcomer.client.goto(&server.url).await?;
    newcomer
        .wait_for_element(&format!(".opened-map[data-map-id='{public_id}']"))
        .await?;
    wait_for(
        &newcomer,
        "the landing map's layers",
        "return document.querySelectorAll('.layers li[data-overlay]').length === 2;",
    )
    .await?;
    let rows = layer_rows(&newcomer).await?;
    ensure!(rows == expected, "the landing map shows {rows}");
    newcomer.close().await?;

    drop(server);
    drop(provider);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
