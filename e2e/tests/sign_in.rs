//! Sign-in in a real browser against a real OpenID provider that looks like Keycloak
//! (`kartenn_peers::oidc`) and a real MapServer behind the proxy: anonymous, then Alice (realm
//! role `chercheur`, "role A") sees layer A — configured tiles and a WMS layer — served, while
//! layer B (role `maddog`) stays out of her catalogue and capabilities and its tiles, WMS, WFS
//! and GetFeatureInfo are refused; signing out brings the public view back; a session the
//! issuer forgets ends with a banner, not a broken map. Run by `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use fantoccini::Locator;
use kartenn_e2e::{Browser, Server, free_loopback_port};
use kartenn_peers::MapServer;
use kartenn_peers::oidc::{OidcOptions, OidcProvider};
use serde_json::{Value, json};

fn write_config(dir: &Path, port: u16, issuer: &str, ows: &str) -> Result<PathBuf> {
    let demo = kartenn_e2e::workspace_root().join("data/demo");
    std::fs::write(dir.join("oidc-secret"), OidcProvider::DEFAULT_CLIENT_SECRET)?;
    let config = dir.join("kartenn.toml");
    std::fs::write(
        &config,
        format!(
            r#"[server]
public_url = "http://127.0.0.1:{port}"
[map]
center = [-4.3, 48.3]
zoom = 8
[store]
path = "{db}"
[[layers]]
id = "countries"
title = "Countries"
path = "{demo}/countries.fgb"
[[layers]]
id = "zone_a"
title = "Zone A"
path = "{demo}/communes.fgb"
[[layers]]
id = "zone_b"
title = "Zone B"
path = "{demo}/mairies.fgb"
[[sources]]
id = "ms"
title = "MapServer"
url = "{ows}"
[[rules]]
layer = "countries"
view = "public"
[[rules]]
layer = "zone_a"
view = ["realm:chercheur"]
[[rules]]
layer = "zone_b"
view = ["realm:maddog"]
[[rules]]
layer = "*private*"
source = "ms"
view = ["realm:chercheur"]
query = ["realm:chercheur"]
[[rules]]
layer = "*observations*"
source = "ms"
view = ["realm:maddog"]
query = ["realm:maddog"]
[[rules]]
layer = "*"
source = "ms"
view = "public"
query = "public"
[oidc]
issuer = "{issuer}"
client_id = "kartenn"
client_secret_file = "oidc-secret"
"#,
            db = dir.join("kartenn.db").display(),
            demo = demo.display(),
        ),
    )?;
    Ok(config)
}

/// A request made by the page itself (with its cookie): status and body.
async fn page_fetch(browser: &Browser, url: &str) -> Result<(u16, String)> {
    let value = browser
        .js(
            "return fetch(arguments[0]).then(async r => [r.status, await r.text()]);",
            vec![json!(url)],
        )
        .await?;
    let status = value[0].as_u64().context("status")? as u16;
    Ok((status, value[1].as_str().unwrap_or_default().to_owned()))
}

async fn catalogue_ids(browser: &Browser) -> Result<Vec<String>> {
    let (status, body) = page_fetch(browser, "/api/catalog").await?;
    ensure!(status == 200, "catalogue: HTTP {status}");
    let catalog: Value = serde_json::from_str(&body)?;
    Ok(catalog["layers"]
        .as_array()
        .context("layers")?
        .iter()
        .filter_map(|l| l["id"].as_str().map(str::to_owned))
        .collect())
}

const GETMAP: &str = "/ows/ms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&STYLES=&CRS=EPSG:4326\
                      &BBOX=47,-6,49,-1&WIDTH=256&HEIGHT=256&FORMAT=image/png&LAYERS=";

async fn sign_in_as(browser: &Browser, username: &str, password: &str) -> Result<()> {
    browser.click("#sign-in").await?;
    browser
        .wait_for_element("#username")
        .await?
        .send_keys(username)
        .await?;
    browser.type_into("#password", password).await?;
    browser
        .client
        .find(Locator::Css("#kc-login"))
        .await?
        .click()
        .await?;
    browser.wait_for_element("#account").await?;
    Ok(())
}

/// Signed in as Alice: layer A (tiles and WMS) in her catalogue and served; layer B absent from
/// catalogue and capabilities, its tiles, WMS, WFS and GetFeatureInfo refused.
async fn alice_reaches_a_and_not_b(browser: &Browser) -> Result<()> {
    // Layer A: in her catalogue, its tiles and its WMS served.
    let ids = catalogue_ids(browser).await?;
    ensure!(ids.contains(&"zone_a".to_owned()), "{ids:?}");
    ensure!(ids.contains(&"ms-private_sites".to_owned()), "{ids:?}");
    let layer_list = browser
        .js(
            "return document.body.textContent.includes('Zone A');",
            vec![],
        )
        .await?;
    ensure!(layer_list == json!(true), "Zone A is not in the layer list");
    let tile = page_fetch(browser, "/tiles/zone_a/8/125/88.mvt").await?.0;
    ensure!(tile == 200 || tile == 204, "zone_a tile: {tile}");
    let (status, _) = page_fetch(browser, &format!("{GETMAP}private_sites")).await?;
    ensure!(status == 200, "private_sites GetMap: {status}");

    // Layer B: absent from catalogue and capabilities; tiles, WMS, WFS, GetFeatureInfo refused.
    ensure!(
        !ids.iter()
            .any(|id| id == "zone_b" || id.contains("observations")),
        "{ids:?}"
    );
    let (_, capabilities) = page_fetch(
        browser,
        "/ows/ms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities",
    )
    .await?;
    ensure!(capabilities.contains("<Name>private_sites</Name>"));
    ensure!(!capabilities.contains("observations"), "B in capabilities");
    ensure!(page_fetch(browser, "/tiles/zone_b/8/125/88.mvt").await?.0 == 403);
    ensure!(
        page_fetch(browser, &format!("{GETMAP}observations"))
            .await?
            .0
            == 404
    );
    let wfs = "/ows/ms?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ms:observations\
               &OUTPUTFORMAT=application/json&COUNT=5";
    ensure!(page_fetch(browser, wfs).await?.0 == 404);
    let gfi = "/ows/ms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=observations\
               &QUERY_LAYERS=observations&STYLES=&CRS=EPSG:4326&BBOX=47,-6,49,-1&WIDTH=256\
               &HEIGHT=256&FORMAT=image/png&INFO_FORMAT=application/json&I=10&J=10";
    ensure!(page_fetch(browser, gfi).await?.0 == 404);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Node.js, MapServer, lighttpd, Chromium and the built viewer: run `cargo xtask test`"]
async fn signing_in_opens_role_layers_everywhere_and_signing_out_or_expiry_closes_them()
-> Result<()> {
    let mapserver = MapServer::start().await?;
    let options = OidcOptions {
        // Short tokens: the session is refreshed (and, later, refused) within the test.
        access_token_ttl_secs: 36,
        ..OidcOptions::default()
    };
    let mut provider = tokio::task::spawn_blocking(move || OidcProvider::start(options)).await??;
    let dir = std::env::temp_dir().join(format!("kartenn-e2e-sign-in-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let port = free_loopback_port()?;
    let config = write_config(&dir, port, &provider.issuer(), &mapserver.url)?;
    let server = Server::start_at(
        &format!("127.0.0.1:{port}"),
        &["--config", config.to_str().context("path")?],
    )
    .await?;
    server.wait_for_catalog_layer("ms-communes").await?;

    let browser = Browser::start(1200, 800, 1.0).await?;
    browser.client.goto(&server.url).await?;
    browser.wait_map_ready().await?;

    // Anonymous: a sign-in button, only public layers.
    browser.wait_for_element("#sign-in").await?;
    let ids = catalogue_ids(&browser).await?;
    ensure!(ids.contains(&"countries".to_owned()), "{ids:?}");
    ensure!(
        !ids.iter().any(|id| id.starts_with("zone_")
            || id.contains("private")
            || id.contains("observations")),
        "anonymous catalogue: {ids:?}"
    );
    ensure!(page_fetch(&browser, "/tiles/zone_a/8/125/88.mvt").await?.0 == 401);

    // Alice signs in at the issuer's page and comes back to the map.
    sign_in_as(&browser, "alice", "alice-pw").await?;
    let account = browser
        .js(
            "const a = document.querySelector('#account');\
             return [a.querySelector('.user').textContent,\
                     Array.from(a.querySelectorAll('.role')).map(r => r.textContent)];",
            vec![],
        )
        .await?;
    ensure!(
        account[0]
            .as_str()
            .unwrap_or_default()
            .contains("Alice Martin"),
        "{account}"
    );
    ensure!(
        account[1].to_string().contains("realm:chercheur"),
        "roles shown: {account}"
    );
    browser.wait_map_ready().await?;

    alice_reaches_a_and_not_b(&browser).await?;
    browser.screenshot("sign-in-alice.png").await?;

    // Signing out (at Kartenn, then at the issuer) brings the public view back.
    browser.click("#sign-out").await?;
    browser.wait_for_element("#sign-in").await?;
    let ids = catalogue_ids(&browser).await?;
    ensure!(!ids.iter().any(|id| id.starts_with("zone_")), "{ids:?}");
    ensure!(page_fetch(&browser, "/tiles/zone_a/8/125/88.mvt").await?.0 == 401);

    // Signed in again, then the issuer forgets every session: at the next refresh Kartenn's
    // session ends; the viewer says so and keeps drawing the public layers.
    sign_in_as(&browser, "alice", "alice-pw").await?;
    tokio::task::block_in_place(|| provider.restart())?;
    tokio::time::sleep(Duration::from_secs(7)).await;
    browser.client.refresh().await?;
    let banner = browser.wait_for_element("#session-expired").await?;
    ensure!(banner.text().await?.to_lowercase().contains("session"));
    browser.wait_for_element("#sign-in").await?;
    let state = browser.wait_map_ready().await?;
    ensure!(state.ready, "the map is not drawn after the session ended");
    let ids = catalogue_ids(&browser).await?;
    ensure!(ids.contains(&"countries".to_owned()) && !ids.contains(&"zone_a".to_owned()));
    browser.screenshot("sign-in-expired.png").await?;

    browser.close().await?;
    drop(server);
    drop(mapserver);
    drop(provider);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
