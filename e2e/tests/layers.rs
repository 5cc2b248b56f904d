//! Layer kinds in a real browser: a raster XYZ basemap from a real static server (lighttpd),
//! switching basemaps and turning the basemap off, and a GeoJSON layer drawn and identified.
//! Run by `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use anyhow::{Context, Result, ensure};
use fantoccini::Locator;
use kartenn_e2e::{
    Browser, Server, StaticServer, share_close_to, write_geojson_point, write_public_config,
};
use serde_json::json;

const GREEN: [u8; 3] = [0x3c, 0x8c, 0x50];
const SEA: [u8; 3] = [0xb7, 0xd3, 0xe6];
const LAND: [u8; 3] = [0xee, 0xea, 0xe2];
const RED: [u8; 3] = [0xd0, 0x20, 0x20];
/// The Iroise sea, and inland France east of Brittany (Le Mans), and a station at sea.
const IROISE: (f64, f64) = (-5.5, 47.8);
const LE_MANS: (f64, f64) = (0.2, 48.0);
const STATION: (f64, f64) = (-5.0, 47.5);

fn solid_png(path: &Path, rgb: [u8; 3]) -> Result<()> {
    let file = std::fs::File::create(path)?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), 256, 256);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&rgb.repeat(256 * 256))?;
    Ok(())
}

/// A configuration with two vector layers (the countries as a basemap), a GeoJSON layer of one
/// station at sea, and a second basemap of XYZ tiles from `tiles_url`.
fn write_config(dir: &Path, tiles_url: &str) -> Result<std::path::PathBuf> {
    let stations = dir.join("stations.geojson");
    write_geojson_point(
        &stations,
        &json!({"name": "Station Iroise", "depth": 120}),
        STATION,
    )?;
    write_public_config(
        dir,
        &format!(
            r##"[[layers]]
id = "countries"
title = "Countries"
path = "{{demo}}/countries.fgb"
style = {{ fill = "#eeeae2" }}

[[layers]]
id = "communes"
title = "Communes"
path = "{{demo}}/communes.fgb"
style = {{ fill = "#f3c97a" }}

[[geojson]]
id = "stations"
title = "Stations"
path = "{stations}"
style = {{ fill = "#d02020", point_radius = 8.0 }}

[[basemaps]]
id = "kartenn"
title = "Kartenn"
layer = "countries"

[[basemaps]]
id = "green"
title = "Green tiles"
xyz = "{tiles}/tile.png?{{z}}/{{x}}/{{y}}"
"##,
            stations = stations.display(),
            tiles = tiles_url
        ),
    )
}

#[tokio::test]
#[ignore = "needs Chromium, lighttpd and the built viewer: run `cargo xtask test`"]
async fn an_xyz_basemap_and_a_geojson_layer_are_drawn_switched_and_identified() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("kartenn-e2e-layers-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    solid_png(&dir.join("tile.png"), GREEN)?;
    let tiles = StaticServer::start(&dir).await?;
    let config = write_config(&dir, &tiles.url)?;
    let server = Server::start_with(&["--config", config.to_str().context("path")?]).await?;
    let browser = Browser::start(1200, 800, 1.0).await?;
    browser.client.goto(&server.url).await?;

    let share = |state: &kartenn_e2e::MapState, at: (f64, f64), rgb: [u8; 3]| {
        let css = state.pixel_of(at.0, at.1);
        let browser = &browser;
        async move {
            Ok::<_, anyhow::Error>(share_close_to(
                &browser.pixels_around(css, 2).await?,
                rgb,
                12,
            ))
        }
    };

    // The vector basemap: sea shows the background, inland France the countries' fill.
    let start = browser.wait_map_ready().await?;
    ensure!(
        share(&start, IROISE, SEA).await? > 0.9,
        "the sea is not the background"
    );
    ensure!(
        share(&start, LE_MANS, LAND).await? > 0.9,
        "France is not drawn by the basemap"
    );
    // The GeoJSON station is drawn in red over the sea.
    ensure!(
        share(&start, STATION, RED).await? > 0.6,
        "the GeoJSON station is not drawn"
    );

    // Green raster tiles from lighttpd replace the vector basemap everywhere it showed.
    browser.click("input[data-basemap='1']").await?;
    let green = browser.wait_map_ready_after(start.frame).await?;
    ensure!(
        share(&green, IROISE, GREEN).await? > 0.9,
        "the XYZ basemap is not drawn at sea"
    );
    ensure!(
        share(&green, LE_MANS, GREEN).await? > 0.9,
        "the XYZ basemap is not drawn on land"
    );
    browser.screenshot("basemap-xyz.png").await?;

    // No basemap at all: the background shows on land too.
    browser.click("input[data-basemap='']").await?;
    let none = browser.wait_map_ready_after(green.frame).await?;
    ensure!(
        share(&none, LE_MANS, SEA).await? > 0.9,
        "a basemap is still drawn"
    );

    // Clicking the station identifies it, from the GeoJSON layer.
    let [x, y] = none.pixel_of(STATION.0, STATION.1);
    browser
        .js(
            "const c = document.querySelector('.map canvas'); const r = c.getBoundingClientRect();\
             for (const type of ['pointerdown', 'pointerup']) c.dispatchEvent(new PointerEvent(type,\
               { pointerId: 1, clientX: r.left + arguments[0], clientY: r.top + arguments[1], bubbles: true, button: 0 }));\
             return true;",
            vec![json!(x), json!(y)],
        )
        .await?;
    let popup = browser
        .client
        .wait()
        .for_element(Locator::Css(".identify"))
        .await?;
    let text = popup.text().await?;
    ensure!(
        text.contains("Station Iroise") && text.contains("120"),
        "popup says: {text}"
    );

    browser.close().await?;
    drop(server);
    drop(tiles);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
