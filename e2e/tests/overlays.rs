//! The layer list's overlay controls in a real browser: the order buttons put one overlay
//! above another, the opacity slider blends it with what lies under it. Checked on the pixels
//! the map draws. Run by `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, ensure};
use kartenn_e2e::{
    Browser, MapState, Server, share_close_to, write_geojson_point, write_public_config,
};
use serde_json::json;

const COMMUNE: [u8; 3] = [0xf3, 0xc9, 0x7a];
const RED: [u8; 3] = [0xd0, 0x20, 0x20];
/// Loudéac, inland Brittany: a commune, with a GeoJSON point on it.
const LOUDEAC: (f64, f64) = (-2.75, 48.18);

/// The demo's communes (plain fill) under a GeoJSON layer of one big red point.
fn write_config(dir: &Path) -> Result<PathBuf> {
    let point = dir.join("point.geojson");
    write_geojson_point(&point, &json!({"name": "Loudéac"}), LOUDEAC)?;
    write_public_config(
        dir,
        &format!(
            r##"[[layers]]
id = "communes"
title = "Communes"
path = "{{demo}}/communes.fgb"
style = {{ fill = "#f3c97a" }}

[[geojson]]
id = "point"
title = "Point"
path = "{point}"
style = {{ fill = "#d02020", point_radius = 9.0 }}
"##,
            point = point.display(),
        ),
    )
}

/// Moves the opacity slider of `layer` to `percent` the way a user's drag ends: value + input.
async fn set_opacity(browser: &Browser, layer: &str, percent: u32) -> Result<()> {
    browser
        .js(
            "const s = document.querySelector(`input[data-opacity-for='${arguments[0]}']`);\
             s.value = String(arguments[1]); s.dispatchEvent(new Event('input', { bubbles: true }));\
             return true;",
            vec![json!(layer), json!(percent)],
        )
        .await?;
    Ok(())
}

async fn share_at(browser: &Browser, state: &MapState, rgb: [u8; 3]) -> Result<f64> {
    let css = state.pixel_of(LOUDEAC.0, LOUDEAC.1);
    Ok(share_close_to(
        &browser.pixels_around(css, 2).await?,
        rgb,
        14,
    ))
}

#[tokio::test]
#[ignore = "needs Chromium and the built viewer: run `cargo xtask test`"]
async fn the_order_buttons_and_the_opacity_slider_change_what_the_map_draws() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("kartenn-e2e-overlays-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let config = write_config(&dir)?;
    let server = Server::start_with(&["--config", config.to_str().context("path")?]).await?;
    let browser = Browser::start(1000, 700, 1.0).await?;
    browser.client.goto(&server.url).await?;

    // Catalogue order: the point above the communes.
    let start = browser.wait_map_ready().await?;
    ensure!(
        share_at(&browser, &start, RED).await? > 0.9,
        "the point is not drawn above the communes"
    );
    let top = browser
        .js(
            "return document.querySelector('.layers li[data-overlay]').dataset.overlay;",
            vec![],
        )
        .await?;
    ensure!(top == json!("point"), "the list's top row is {top}");

    // Raise the communes above the point: the communes' fill hides it.
    browser.click("button[data-raise='communes']").await?;
    let raised = browser.wait_map_ready_after(start.frame).await?;
    ensure!(
        share_at(&browser, &raised, COMMUNE).await? > 0.9,
        "the communes are not drawn above the point"
    );
    let top = browser
        .js(
            "const b = document.querySelector(\"button[data-raise='communes']\");\
             return [document.querySelector('.layers li[data-overlay]').dataset.overlay, b.disabled];",
            vec![],
        )
        .await?;
    ensure!(
        top == json!(["communes", true]),
        "after raising, top row and its disabled raise button: {top}"
    );

    // Half opacity: the communes blend with the red point under them.
    set_opacity(&browser, "communes", 50).await?;
    let half = browser.wait_map_ready_after(raised.frame).await?;
    let blend = [0, 1, 2].map(|i| COMMUNE[i].midpoint(RED[i]));
    ensure!(
        share_at(&browser, &half, blend).await? > 0.9,
        "half-opaque communes over the point are not a blend of both ({blend:?})"
    );

    // Transparent: the point shows again, though it is below.
    set_opacity(&browser, "communes", 0).await?;
    let clear = browser.wait_map_ready_after(half.frame).await?;
    ensure!(
        share_at(&browser, &clear, RED).await? > 0.9,
        "transparent communes still hide the point"
    );
    browser.screenshot("overlays.png").await?;

    browser.close().await?;
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
