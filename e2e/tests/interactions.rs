//! Map interactions in a real browser: identify (click → popup with the commune's name and
//! attributes), keyboard pan and zoom, two-finger pinch from synthesised pointer events,
//! double-click zoom, the scale bar and cursor coordinates, and no blank frame while zooming.
//! Run by `cargo xtask test`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::float_cmp
)]

use anyhow::{Context, Result, ensure};
use fantoccini::Locator;
use fantoccini::key::Key;
use kartenn_e2e::{Browser, MapState, Server, share_close_to};
use serde_json::json;

const SCAER: (f64, f64) = (-3.7346, 48.0264);
const SEA: [u8; 3] = [0xb7, 0xd3, 0xe6];

/// Dispatches pointer events on the map canvas: `[type, id, x, y]` each.
async fn pointers(browser: &Browser, events: &[(&str, i32, f64, f64)]) -> Result<()> {
    let list: Vec<_> = events
        .iter()
        .map(|(t, id, x, y)| json!([t, id, x, y]))
        .collect();
    browser
        .js(
            "const c = document.querySelector('.map canvas'); const r = c.getBoundingClientRect();\
             for (const [type, id, x, y] of arguments[0]) {\
               c.dispatchEvent(new PointerEvent(type, { pointerId: id, clientX: r.left + x, clientY: r.top + y,\
                 bubbles: true, cancelable: true, pointerType: 'touch', isPrimary: id === 1, button: 0 }));\
             } return true;",
            vec![json!(list)],
        )
        .await?;
    Ok(())
}

#[tokio::test]
#[ignore = "needs Chromium and the built viewer: run `cargo xtask test`"]
async fn identify_shows_a_communes_attributes_and_keys_pan_and_zoom() -> Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start(1200, 800, 1.0).await?;
    browser.client.goto(&server.url).await?;
    let start = browser.wait_map_ready().await?;

    // The scale bar reads in kilometres at this zoom.
    let scale = browser
        .client
        .find(Locator::Css(".scale span"))
        .await?
        .text()
        .await?;
    ensure!(scale.ends_with(" km"), "scale bar says `{scale}`");

    // Click on Scaër: the popup names it, with its INSEE code.
    let [x, y] = start.pixel_of(SCAER.0, SCAER.1);
    pointers(
        &browser,
        &[("pointerdown", 1, x, y), ("pointerup", 1, x, y)],
    )
    .await?;
    let popup = browser
        .client
        .wait()
        .for_element(Locator::Css(".identify"))
        .await?;
    let text = popup.text().await?;
    ensure!(
        text.contains("Scaër") && text.contains("29274"),
        "popup says: {text}"
    );
    browser.screenshot("identify.png").await?;
    browser.click(".identify .close").await?;
    ensure!(
        browser
            .client
            .find(Locator::Css(".identify"))
            .await
            .is_err(),
        "the popup closes"
    );

    // The cursor's coordinates follow the pointer.
    pointers(&browser, &[("pointermove", 1, x, y)]).await?;
    let coords = browser
        .client
        .find(Locator::Css(".coordinates"))
        .await?
        .text()
        .await?;
    ensure!(
        coords.starts_with("48.0") && coords.contains("-3.7"),
        "coordinates say `{coords}`"
    );

    // Keyboard: the left arrow shows more of the west (the content moves right 128 px).
    let canvas = browser.client.find(Locator::Css(".map canvas")).await?;
    canvas.send_keys(&Key::Left.to_string()).await?;
    let left = browser.wait_map_ready_after(start.frame).await?;
    let moved = left.pixel_of(SCAER.0, SCAER.1)[0] - x;
    ensure!(
        (moved - 128.0).abs() < 2.0,
        "arrow moved the map by {moved} px"
    );
    canvas.send_keys("+").await?;
    let plus = browser.wait_map_ready_after(left.frame).await?;
    ensure!(
        (plus.zoom - (start.zoom + 1.0)).abs() < 1e-3,
        "`+` gave zoom {}",
        plus.zoom
    );

    browser.close().await?;
    Ok(())
}

#[tokio::test]
#[ignore = "needs Chromium and the built viewer: run `cargo xtask test`"]
async fn pinch_and_double_click_zoom_around_their_point_and_zooming_never_blanks() -> Result<()> {
    let server = Server::start().await?;
    let browser = Browser::start(1200, 800, 1.0).await?;
    browser.client.goto(&server.url).await?;
    let plus = browser.wait_map_ready().await?;

    // Pinch: two fingers 200 px apart, around the map's centre, spread to 400 px: one level
    // in, the place under their middle staying put.
    let before: MapState = plus;
    let (cx, cy) = (before.width / 2.0, before.height / 2.0);
    let mid = [cx, cy];
    pointers(
        &browser,
        &[
            ("pointerdown", 1, cx - 100.0, cy),
            ("pointerdown", 2, cx + 100.0, cy),
            ("pointermove", 2, cx + 200.0, cy),
            ("pointermove", 1, cx - 200.0, cy),
            ("pointerup", 2, cx + 200.0, cy),
            ("pointerup", 1, cx - 200.0, cy),
        ],
    )
    .await?;
    let pinched = browser.wait_map_ready_after(before.frame).await?;
    ensure!(
        (pinched.zoom - (before.zoom + 1.0)).abs() < 1e-3,
        "pinch gave zoom {} from {}",
        pinched.zoom,
        before.zoom
    );
    // The place under the fingers' middle stayed under it.
    let centre_before = (before.lon, before.lat);
    let centre_after = (pinched.lon, pinched.lat);
    ensure!(
        (centre_before.0 - centre_after.0).abs() < 1e-6
            && (centre_before.1 - centre_after.1).abs() < 1e-6,
        "pinching around the map centre moved it: {centre_before:?} → {centre_after:?} (middle {mid:?})"
    );

    // Double click zooms in one more level around the clicked point.
    let [sx, sy] = pinched.pixel_of(SCAER.0, SCAER.1);
    pointers(
        &browser,
        &[
            ("pointerdown", 1, sx, sy),
            ("pointerup", 1, sx, sy),
            ("pointerdown", 1, sx, sy),
            ("pointerup", 1, sx, sy),
        ],
    )
    .await?;
    let doubled = browser.wait_map_ready_after(pinched.frame).await?;
    ensure!(
        (doubled.zoom - (pinched.zoom + 1.0)).abs() < 1e-3,
        "double click gave zoom {}",
        doubled.zoom
    );
    let [nx, ny] = doubled.pixel_of(SCAER.0, SCAER.1);
    ensure!(
        (nx - sx).abs() < 1.5 && (ny - sy).abs() < 1.5,
        "Scaër moved from ({sx},{sy}) to ({nx},{ny})"
    );

    // Zoom out by the button and sample Scaër on every animation frame: never the background.
    let samples = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; const [x, y] = arguments[0];\
             const c = document.querySelector('.map canvas'); const k = window.devicePixelRatio;\
             const ctx = c.getContext('2d'); const out = []; const t0 = performance.now();\
             document.querySelector('.zoom-out').click();\
             function frame() { const d = ctx.getImageData(Math.round(x * k), Math.round(y * k), 1, 1).data;\
               out.push([d[0], d[1], d[2]]); if (performance.now() - t0 < 400) requestAnimationFrame(frame); else done(out); }\
             requestAnimationFrame(frame);",
            vec![json!([nx, ny])],
        )
        .await?;
    let samples: Vec<[u8; 4]> = samples
        .as_array()
        .context("samples")?
        .iter()
        .map(|p| {
            let c: Vec<u8> = p
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as u8)
                .collect();
            [c[0], c[1], c[2], 255]
        })
        .collect();
    ensure!(samples.len() >= 5, "only {} frames sampled", samples.len());
    ensure!(
        share_close_to(&samples, SEA, 6) == 0.0,
        "a frame showed the background over land: {samples:?}"
    );
    browser.close().await?;
    Ok(())
}
