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
use kartenn_e2e::{
    Browser, Server, catalogue_ids, free_loopback_port, page_fetch, sign_in_as, write_oidc_config,
};
use kartenn_peers::MapServer;
use kartenn_peers::oidc::{OidcOptions, OidcProvider};
use serde_json::json;

fn write_config(dir: &Path, port: u16, issuer: &str, ows: &str) -> Result<PathBuf> {
    write_oidc_config(
        dir,
        port,
        issuer,
        &format!(
            r#"[[layers]]
id = "zone_a"
title = "Zone A"
path = "{{demo}}/communes.fgb"
[[layers]]
id = "zone_b"
title = "Zone B"
path = "{{demo}}/mairies.fgb"
[[sources]]
id = "ms"
title = "MapServer"
url = "{ows}"
"#
        ),
        r#"[[rules]]
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
"#,
        "",
    )
}

const GETMAP: &str = "/ows/ms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&STYLES=&CRS=EPSG:4326\
                      &BBOX=47,-6,49,-1&WIDTH=256&HEIGHT=256&FORMAT=image/png&LAYERS=";

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
