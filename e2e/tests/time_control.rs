//! The map's time control in a real browser, against a real MapServer behind Kartenn's proxy
//! (its `observations` layer: every six hours from 2024-06-01T00:00Z to 2024-06-05T18:00Z):
//! the control appears with the time-enabled layer, the slider (mouse or arrow keys) changes
//! the `TIME` of the WMS requests, range mode asks for `start/end`, playing advances the time one drawn step after another, the
//! URL's fragment holds view, layers and time, a fresh page opened on it shows the same view
//! and time, and compare mode asks for both dates. Run by `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use fantoccini::Locator;
use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use fantoccini::key::Key;
use kartenn_e2e::{Browser, Server, wait_for_within, write_mapserver_config};
use kartenn_peers::MapServer;
use serde_json::json;

const LAYER: &str = "ms-observations";

fn write_config(dir: &Path, ows: &str) -> Result<PathBuf> {
    write_mapserver_config(dir, ows, "")
}

/// Room for every request of the test in the page's resource timings (250 by default).
async fn record_requests(browser: &Browser) -> Result<()> {
    browser
        .js(
            "performance.setResourceTimingBufferSize(100000); return true;",
            vec![],
        )
        .await?;
    Ok(())
}

/// The TIMEs of the observations' GetMap requests so far, in the order first asked.
async fn requested_times(browser: &Browser) -> Result<Vec<String>> {
    let v = browser
        .js(
            "const seen = [];\
             for (const e of performance.getEntriesByType('resource')) {\
               if (!e.name.includes('REQUEST=GetMap') || !e.name.includes('LAYERS=observations')) continue;\
               const t = new URL(e.name).searchParams.get('TIME');\
               if (t && !seen.includes(t)) seen.push(t);\
             }\
             return seen;",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(v)?)
}

/// Waits until the map says it has drawn `time` completely.
async fn wait_drawn(browser: &Browser, time: &str) -> Result<()> {
    wait_for_within(
        browser,
        &format!("map drawn at {time}"),
        &format!(
            "const m = document.querySelector('.map');\
             return !!m && m.dataset.time === '{time}' && m.dataset.ready === 'true';"
        ),
        30,
    )
    .await?;
    Ok(())
}

/// Moves the main slider to position `index`, as a drag does (an `input` event).
async fn slide_to(browser: &Browser, index: usize) -> Result<()> {
    browser
        .js(
            "const s = document.getElementById('time-slider'); s.value = String(arguments[0]);\
             s.dispatchEvent(new InputEvent('input', { bubbles: true })); return true;",
            vec![json!(index)],
        )
        .await?;
    Ok(())
}

async fn hash(browser: &Browser) -> Result<String> {
    Ok(browser
        .js("return location.hash;", vec![])
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

#[tokio::test]
#[ignore = "needs MapServer, lighttpd, Chromium and the built viewer: run `cargo xtask test`"]
async fn one_time_for_the_map_drives_wms_time_plays_is_linked_and_compares() -> Result<()> {
    let mapserver = MapServer::start().await?;
    let dir = std::env::temp_dir().join(format!("kartenn-e2e-time-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let config = write_config(&dir, &mapserver.url)?;
    let server = Server::start_with(&["--config", config.to_str().context("path")?]).await?;
    server.wait_for_catalog_layer(LAYER).await?;

    let browser = Browser::start(1200, 800, 1.0).await?;
    browser.client.goto(&server.url).await?;
    browser.wait_map_ready().await?;
    record_requests(&browser).await?;
    let absent = browser
        .js("return !document.getElementById('time-control');", vec![])
        .await?;
    ensure!(
        absent == json!(true),
        "a time control without time-enabled layers"
    );
    browser.click(".catalog-open").await?;
    browser
        .click(&format!("button[data-catalog-toggle='{LAYER}']"))
        .await?;
    browser.click(".catalog .close").await?;

    the_slider_sets_the_wms_time(&browser).await?;
    playing_steps_once_each_time_is_drawn(&browser).await?;
    let link = the_fragment_holds_view_layers_and_time(&browser).await?;
    let (time, state) = (link.0.clone(), browser.map_state().await?);

    // A fresh page on the link: same view, same layer, same time.
    browser.client.goto("about:blank").await?;
    browser
        .client
        .goto(&format!("{}/{}", server.url, link.1))
        .await?;
    record_requests(&browser).await?;
    wait_drawn(&browser, &time).await?;
    let restored = browser.wait_map_ready().await?;
    ensure!(
        (restored.zoom - state.zoom).abs() < 0.01
            && (restored.lon - state.lon).abs() < 1e-3
            && (restored.lat - state.lat).abs() < 1e-3,
        "view not restored: {restored:?} for {state:?}"
    );
    let shown = browser
        .js(
            "return [document.querySelector('#time-control').dataset.time,\
                     document.querySelector(\"[data-layer-id='ms-observations']\").checked];",
            vec![],
        )
        .await?;
    ensure!(shown == json!([time, true]), "restored control: {shown}");

    compare_mode_asks_for_both_dates(&browser, &time).await?;
    browser.screenshot("time_control.png").await?;

    browser.close().await?;
    drop(server);
    drop(mapserver);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The control appears at the layer's default; the slider (an input, then the arrow keys)
/// changes the TIME of the GetMap requests.
async fn the_slider_sets_the_wms_time(browser: &Browser) -> Result<()> {
    wait_drawn(browser, MapServer::TIME_DEFAULT).await?;
    let slider = wait_for_within(
        browser,
        "time slider",
        "const s = document.getElementById('time-slider'); return s && [s.min, s.max, s.value];",
        10,
    )
    .await?;
    ensure!(slider == json!(["0", "19", "0"]), "slider: {slider}");

    slide_to(browser, 5).await?;
    wait_drawn(browser, "2024-06-02T06:00:00Z").await?;
    let times = requested_times(browser).await?;
    ensure!(
        times.contains(&"2024-06-02T06:00:00Z".to_owned()),
        "no GetMap at the slider's time: {times:?}"
    );
    let select = browser
        .js(
            "return document.querySelector(\"select[data-time-for='ms-observations']\").value;",
            vec![],
        )
        .await?;
    ensure!(
        select == json!("2024-06-02T06:00:00Z"),
        "the layer's selector does not follow the map's time: {select}"
    );

    browser
        .client
        .find(Locator::Id("time-slider"))
        .await?
        .send_keys(&Key::Right.to_string())
        .await?;
    wait_drawn(browser, "2024-06-02T12:00:00Z").await?;
    let times = requested_times(browser).await?;
    ensure!(
        times.contains(&"2024-06-02T12:00:00Z".to_owned()),
        "the arrow key did not move the time: {times:?}"
    );

    // Range mode: the instant and four more steps, asked as `start/end`; and back.
    browser.click("#time-range").await?;
    let range = "2024-06-02T12:00:00Z/2024-06-03T12:00:00Z";
    wait_drawn(browser, range).await?;
    let times = requested_times(browser).await?;
    ensure!(
        times.contains(&range.to_owned()),
        "no GetMap for the range: {times:?}"
    );
    browser.click("#time-range").await?;
    wait_drawn(browser, "2024-06-02T12:00:00Z").await?;
    Ok(())
}

/// Play at 4 steps per second: the time advances, each step asked once the previous one is
/// drawn; only times shown are ever requested.
async fn playing_steps_once_each_time_is_drawn(browser: &Browser) -> Result<()> {
    browser
        .js(
            "performance.clearResourceTimings();\
             const s = document.getElementById('time-speed'); s.value = '4';\
             s.dispatchEvent(new Event('change', { bubbles: true })); return true;",
            vec![],
        )
        .await?;
    // Every time the map shows, as it shows it.
    browser
        .js(
            "window.shown = [];\
             const m = document.querySelector('.map');\
             window.watch = new MutationObserver(() => {\
               const t = m.dataset.time; if (window.shown[window.shown.length - 1] !== t) window.shown.push(t);\
             });\
             window.watch.observe(m, { attributes: true, attributeFilter: ['data-time'] }); return true;",
            vec![],
        )
        .await?;
    browser.click("#time-play").await?;
    wait_for_within(
        browser,
        "three steps played",
        "return window.shown.length >= 3;",
        30,
    )
    .await?;
    browser.click("#time-play").await?;
    let shown: Vec<String> =
        serde_json::from_value(browser.js("return window.shown;", vec![]).await?)?;
    ensure!(
        shown.first().map(String::as_str) == Some("2024-06-02T18:00:00Z")
            && shown.get(1).map(String::as_str) == Some("2024-06-03T00:00:00Z"),
        "play did not step six hours at a time: {shown:?}"
    );
    let last = browser
        .js(
            "return document.getElementById('time-control').dataset.time;",
            vec![],
        )
        .await?;
    let last = last.as_str().context("time")?.to_owned();
    wait_drawn(browser, &last).await?;
    let times = requested_times(browser).await?;
    ensure!(
        times.iter().all(|t| shown.contains(t)),
        "a time the map never showed was requested: {times:?} (shown {shown:?})"
    );
    ensure!(
        shown.iter().all(|t| times.contains(t)),
        "a time shown without its requests: {times:?} (shown {shown:?})"
    );
    Ok(())
}

/// The URL's fragment (written after a short pause) holds the view, the layer and the time;
/// answers the time and the fragment.
async fn the_fragment_holds_view_layers_and_time(browser: &Browser) -> Result<(String, String)> {
    let time = browser
        .js(
            "return document.getElementById('time-control').dataset.time;",
            vec![],
        )
        .await?;
    let time = time.as_str().context("time")?.to_owned();
    let expected = format!("time={time}");
    wait_for_within(
        browser,
        "the time in the URL",
        &format!("return location.hash.includes('{expected}');"),
        10,
    )
    .await?;
    let fragment = hash(browser).await?;
    ensure!(
        fragment.starts_with("#map=9/48.300/-4.300&")
            && fragment.contains("layers=ms-observations"),
        "fragment: {fragment}"
    );
    Ok((time, fragment))
}

/// Compare mode: both dates requested, the divider moves with the keyboard and the pointer, and
/// is linked.
async fn compare_mode_asks_for_both_dates(browser: &Browser, time_a: &str) -> Result<()> {
    browser.click("#time-compare").await?;
    wait_for_within(
        browser,
        "the divider",
        "return !!document.getElementById('swipe-handle');",
        10,
    )
    .await?;
    let time_b = wait_for_within(
        browser,
        "date B",
        "const s = document.getElementById('time-compare-slider'); return s && s.getAttribute('aria-valuetext');",
        10,
    )
    .await?;
    // Date B starts one step (six hours) before date A: `2024-06-03 00:00 UTC`.
    let shown_b = time_b.as_str().context("date B")?;
    let (date, rest) = shown_b.split_once(' ').context("date B")?;
    let b = format!("{date}T{}:00Z", rest.trim_end_matches(" UTC"));
    ensure!(
        b.as_str() < time_a,
        "date B {b} is not before date A {time_a}"
    );
    wait_for_within(
        browser,
        "date B drawn",
        &format!(
            "const m = document.querySelector('.map');\
             return m.dataset.ready === 'true' && performance.getEntriesByType('resource')\
               .some(e => e.name.includes('LAYERS=observations') && new URL(e.name).searchParams.get('TIME') === '{b}');"
        ),
        30,
    )
    .await?;
    let times = requested_times(browser).await?;
    ensure!(
        times.contains(&time_a.to_owned()),
        "date A not requested: {times:?}"
    );
    browser
        .client
        .find(Locator::Id("swipe-handle"))
        .await?
        .send_keys(&Key::Left.to_string())
        .await?;
    let now = wait_for_within(
        browser,
        "divider moved",
        "const h = document.getElementById('swipe-handle'); return h.getAttribute('aria-valuenow') === '45' && h.getAttribute('aria-valuenow');",
        10,
    )
    .await?;
    ensure!(now == json!("45"), "divider: {now}");
    wait_for_within(
        browser,
        "compare mode in the URL",
        &format!("return location.hash.includes('compare=ms-observations~{b}~45');"),
        10,
    )
    .await?;

    // Dragged with a real pointer: from 45 % to 45 % + 240 px of a 1200-px map = 65 %.
    let handle = browser.client.find(Locator::Id("swipe-handle")).await?;
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: handle,
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(200)),
            x: 240.0,
            y: 0.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    browser.client.perform_actions(drag).await?;
    browser.client.release_actions().await?;
    wait_for_within(
        browser,
        "divider dragged",
        "return document.getElementById('swipe-handle').getAttribute('aria-valuenow') === '65';",
        10,
    )
    .await?;
    Ok(())
}
