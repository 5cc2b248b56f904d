//! The viewer in a real browser against the real server: Brittany's communes are drawn, the map
//! zooms with the wheel and the buttons, pans by drag, hides a layer, and stays sharp on HiDPI.
//! Run by `cargo xtask test` (they are `#[ignore]`d for a plain `cargo test`, which has no
//! browser).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::float_cmp
)]

use std::time::Duration;

use anyhow::{Result, ensure};
use fantoccini::actions::{InputSource, MouseActions, PointerAction, WheelAction, WheelActions};
use kartenn_e2e::{Browser, MapState, Server, share_close_to};

/// Demo style colours (backend `config::demo_layers` and `[map] background`).
const COMMUNE_FILL: [u8; 3] = [0xf3, 0xc9, 0x7a];
const LAND_FILL: [u8; 3] = [0xee, 0xea, 0xe2];
const SEA: [u8; 3] = [0xb7, 0xd3, 0xe6];
/// Inside Scaër (29274), the commune's point on surface:
/// `ogrinfo data/demo/communes.fgb -dialect sqlite -sql "select ST_PointOnSurface(geometry) ..."`.
const SCAER: (f64, f64) = (-3.7346, 48.0264);
/// The Iroise sea, west of Finistère.
const IROISE: (f64, f64) = (-5.5, 47.8);

async fn share_at(
    browser: &Browser,
    state: &MapState,
    at: (f64, f64),
    rgb: [u8; 3],
) -> Result<f64> {
    let pixels = browser.pixels_around(state.pixel_of(at.0, at.1), 2).await?;
    Ok(share_close_to(&pixels, rgb, 10))
}

#[tokio::test]
#[ignore = "needs Chromium and the built viewer: run `cargo xtask test`"]
async fn the_viewer_draws_brittany_zooms_pans_and_hides_a_layer() -> Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start(1200, 800, 1.0).await?;
    browser.client.goto(&server.url).await?;

    // The communes of Brittany are drawn, the sea is not.
    let start = browser.wait_map_ready().await?;
    ensure!(
        (start.zoom - 7.5).abs() < 1e-3,
        "initial zoom {}",
        start.zoom
    );
    let commune = share_at(&browser, &start, SCAER, COMMUNE_FILL).await?;
    let sea = share_at(&browser, &start, IROISE, SEA).await?;
    ensure!(commune > 0.6, "Scaër is not drawn as a commune ({commune})");
    ensure!(sea > 0.9, "the Iroise sea is not sea-coloured ({sea})");
    let shot = browser.screenshot("viewer-brittany.png").await?;
    println!("screenshot: {}", shot.display());

    // Wheel up over the map centre: one zoom level in, around the cursor.
    let mut wheel = WheelActions::new("wheel".to_owned());
    wheel.push(WheelAction::Scroll {
        duration: None,
        x: 600,
        y: 400,
        delta_x: 0,
        delta_y: -300,
    });
    browser.client.perform_actions(wheel).await?;
    let zoomed = browser.wait_map_ready_after(start.frame).await?;
    ensure!(
        (zoomed.zoom - (start.zoom + 1.0)).abs() < 0.05,
        "wheel zoom went from {} to {}",
        start.zoom,
        zoomed.zoom
    );
    ensure!((zoomed.resolution * 2.0 - start.resolution).abs() / start.resolution < 0.05);
    let commune = share_at(&browser, &zoomed, SCAER, COMMUNE_FILL).await?;
    ensure!(commune > 0.6, "Scaër lost after zooming ({commune})");

    // Drag 120 px right and 60 px down: the content follows the pointer.
    let mouse = MouseActions::new("mouse".to_owned())
        .then(PointerAction::MoveTo {
            duration: None,
            x: 500.0,
            y: 400.0,
        })
        .then(PointerAction::Down { button: 0 })
        .then(PointerAction::MoveTo {
            duration: Some(Duration::from_millis(200)),
            x: 620.0,
            y: 460.0,
        })
        .then(PointerAction::Up { button: 0 });
    browser.client.perform_actions(mouse).await?;
    let panned = browser.wait_map_ready_after(zoomed.frame).await?;
    let before = zoomed.pixel_of(SCAER.0, SCAER.1);
    let after = panned.pixel_of(SCAER.0, SCAER.1);
    ensure!(
        (after[0] - before[0] - 120.0).abs() < 2.0 && (after[1] - before[1] - 60.0).abs() < 2.0,
        "drag moved Scaër from {before:?} to {after:?}"
    );
    let commune = share_at(&browser, &panned, SCAER, COMMUNE_FILL).await?;
    ensure!(commune > 0.6, "Scaër not drawn after panning ({commune})");

    // The zoom-out button takes one level back.
    browser.click(".zoom-out").await?;
    let unzoomed = browser.wait_map_ready_after(panned.frame).await?;
    ensure!(
        (unzoomed.zoom - start.zoom).abs() < 0.05,
        "button zoom gave {}",
        unzoomed.zoom
    );

    // Hiding the communes leaves the land below them.
    browser.click("input[data-layer-id=communes]").await?;
    let hidden = browser.wait_map_ready_after(unzoomed.frame).await?;
    let commune = share_at(&browser, &hidden, SCAER, COMMUNE_FILL).await?;
    let land = share_at(&browser, &hidden, SCAER, LAND_FILL).await?;
    ensure!(
        commune == 0.0,
        "commune pixels remain after hiding the layer ({commune})"
    );
    ensure!(
        land > 0.6,
        "the land under the communes is not drawn ({land})"
    );
    browser.screenshot("viewer-communes-hidden.png").await?;

    browser.close().await?;
    drop(server);
    Ok(())
}

#[tokio::test]
#[ignore = "needs Chromium and the built viewer: run `cargo xtask test`"]
async fn the_map_canvas_uses_every_device_pixel_on_a_hidpi_screen() -> Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start(800, 600, 2.0).await?;
    browser.client.goto(&server.url).await?;
    let state = browser.wait_map_ready().await?;
    ensure!(
        state.pixel_ratio == 2.0,
        "device pixel ratio {}",
        state.pixel_ratio
    );
    ensure!(
        state.canvas_width == state.width * 2.0 && state.canvas_height == state.height * 2.0,
        "canvas {}x{} for a {}x{} map",
        state.canvas_width,
        state.canvas_height,
        state.width,
        state.height
    );
    let commune = share_at(&browser, &state, SCAER, COMMUNE_FILL).await?;
    ensure!(commune > 0.6, "Scaër not drawn at 2x ({commune})");
    browser.screenshot("viewer-hidpi.png").await?;
    browser.close().await?;
    Ok(())
}
