//! OGC layers in a real browser, against a real MapServer behind Kartenn's proxy: the catalogue
//! (search, add, a private layer absent), a WMS layer drawn, identify through GetFeatureInfo
//! with a popup template, the legend, the WFS attribute table (rows, filter, zoom to a feature)
//! and a time-enabled layer re-requested at another instant. Run by `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, ensure};
use kartenn_e2e::{Browser, MapState, Server, share_close_to, wait_for, write_mapserver_config};
use kartenn_peers::MapServer;
use serde_json::{Value, json};

/// The communes' fill in the mapfile.
const COMMUNE_FILL: [u8; 3] = [230, 224, 200];

fn write_config(dir: &Path, ows: &str) -> Result<PathBuf> {
    write_mapserver_config(
        dir,
        ows,
        r#"download = "public"
[[popups]]
layer = "communes"
template = "Commune : {nom}"
"#,
    )
}

#[tokio::test]
#[ignore = "needs MapServer, lighttpd, Chromium and the built viewer: run `cargo xtask test`"]
async fn harvested_layers_are_found_drawn_identified_legended_and_tabulated() -> Result<()> {
    let mapserver = MapServer::start().await?;
    let dir = std::env::temp_dir().join(format!("kartenn-e2e-ogc-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let config = write_config(&dir, &mapserver.url)?;
    let server = Server::start_with(&["--config", config.to_str().context("path")?]).await?;
    let catalog = server.wait_for_catalog_layer("ms-communes").await?;
    ensure!(
        !catalog.to_string().contains("private_sites"),
        "the private layer is offered: {catalog}"
    );

    let browser = Browser::start(1200, 800, 1.0).await?;
    browser.client.goto(&server.url).await?;
    let drawn = catalogue_adds_the_communes(&browser).await?;
    identify_at_brest(&browser, &drawn).await?;
    legend_loads(&browser).await?;
    table_filters_and_zooms(&browser, &drawn).await?;
    browser.screenshot("ogc.png").await?;
    time_choice_requests_tiles_at_that_time(&browser).await?;

    browser.close().await?;
    drop(server);
    drop(mapserver);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The catalogue lists the harvested layers, not the private one, the time-enabled one marked;
/// a search finds the communes; added, their WMS image is drawn at Brest through the proxy.
async fn catalogue_adds_the_communes(browser: &Browser) -> Result<MapState> {
    let empty = browser.wait_map_ready().await?;
    let brest = || empty.pixel_of(MapServer::BREST.0, MapServer::BREST.1);
    let before = browser.pixels_around(brest(), 2).await?;
    browser.click(".catalog-open").await?;
    let ids = wait_for(
        browser,
        "catalogue entries",
        "return Array.from(document.querySelectorAll('[data-catalog-layer]')).map(e => e.dataset.catalogLayer);",
    )
    .await?;
    let ids: Vec<&str> = ids
        .as_array()
        .context("ids")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    ensure!(ids.contains(&"ms-communes"), "catalogue: {ids:?}");
    ensure!(
        !ids.iter().any(|id| id.contains("private")),
        "the private layer is listed: {ids:?}"
    );
    let temporal = browser
        .js(
            "return !!document.querySelector(\"[data-catalog-layer='ms-observations'] .temporal[aria-label]\");",
            vec![],
        )
        .await?;
    ensure!(
        temporal == json!(true),
        "the time-enabled layer is not marked"
    );
    browser.type_into(".catalog-search", "COMMUNE").await?;
    wait_for(
        browser,
        "search results",
        "const ids = Array.from(document.querySelectorAll('[data-catalog-layer]')).map(e => e.dataset.catalogLayer);\
         return ids.includes('ms-communes') && !ids.includes('ms-observations');",
    )
    .await?;

    let frame = browser.map_state().await?.frame;
    browser
        .click("button[data-catalog-toggle='ms-communes']")
        .await?;
    let drawn = browser.wait_map_ready_after(frame).await?;
    let after = browser.pixels_around(brest(), 2).await?;
    ensure!(after != before, "nothing drawn at Brest: {after:?}");
    ensure!(
        share_close_to(&after, COMMUNE_FILL, 16) > 0.5,
        "the communes' fill is not drawn at Brest: {after:?}"
    );
    browser.click(".catalog .close").await?;

    Ok(drawn)
}

/// GetFeatureInfo through the proxy, shown with the popup template.
async fn identify_at_brest(browser: &Browser, drawn: &MapState) -> Result<()> {
    let [x, y] = drawn.pixel_of(MapServer::BREST.0, MapServer::BREST.1);
    browser
        .js(
            "const c = document.querySelector('.map canvas'); const r = c.getBoundingClientRect();\
             for (const type of ['pointerdown', 'pointerup']) c.dispatchEvent(new PointerEvent(type,\
               { pointerId: 1, clientX: r.left + arguments[0], clientY: r.top + arguments[1], bubbles: true, button: 0 }));\
             return true;",
            vec![json!(x), json!(y)],
        )
        .await?;
    let popup = wait_for(
        browser,
        "identify popup",
        "const p = document.querySelector('.identify');\
         return p && p.dataset.loading === '0' ? p.innerText : null;",
    )
    .await?;
    ensure!(
        popup
            .as_str()
            .unwrap_or_default()
            .contains("Commune : Brest"),
        "popup says: {popup}"
    );

    Ok(())
}

/// The legend: GetLegendGraphic through the proxy, loaded.
async fn legend_loads(browser: &Browser) -> Result<()> {
    browser.click(".legend-toggle").await?;
    let legend = wait_for(
        browser,
        "legend image",
        "const img = document.querySelector(\"[data-legend-for='ms-communes'] img\");\
         return img && img.complete && img.naturalWidth > 0 ? img.alt : null;",
    )
    .await?;
    ensure!(
        legend.as_str().unwrap_or_default().contains("Communes"),
        "legend alt text: {legend}"
    );

    Ok(())
}

/// The attribute table: rows from WFS (every page), a filter, a row zooms to its feature.
async fn table_filters_and_zooms(browser: &Browser, drawn: &MapState) -> Result<()> {
    browser
        .click("button[data-table-for='ms-communes']")
        .await?;
    let rows = wait_for(
        browser,
        "attribute table",
        "const t = document.querySelector(\".attribute-table[data-state='done']\");\
         return t && t.querySelectorAll('tbody tr').length;",
    )
    .await?;
    ensure!(rows.as_u64() >= Some(1000), "{rows} rows");
    browser.type_into(".table-filter", "Brest").await?;
    let row = wait_for(
        browser,
        "filtered rows",
        "const rows = document.querySelectorAll('.attribute-table tbody tr');\
         return rows.length === 1 ? rows[0].innerText : null;",
    )
    .await?;
    ensure!(
        row.as_str().unwrap_or_default().contains("29019"),
        "the row: {row}"
    );
    let frame = browser.map_state().await?.frame;
    browser.click(".attribute-table tbody tr").await?;
    let zoomed = browser.wait_map_ready_after(frame).await?;
    ensure!(
        zoomed.zoom > drawn.zoom + 1.0
            && (zoomed.lon - MapServer::BREST.0).abs() < 0.1
            && (zoomed.lat - MapServer::BREST.1).abs() < 0.1,
        "not zoomed to Brest: {zoomed:?}"
    );

    Ok(())
}

/// A time-enabled layer: its instants in a list, the default chosen; another instant asks for
/// tiles with that TIME.
async fn time_choice_requests_tiles_at_that_time(browser: &Browser) -> Result<()> {
    browser.click(".attribute-table .close").await?;
    browser.click(".catalog-open").await?;
    browser
        .click("button[data-catalog-toggle='ms-observations']")
        .await?;
    browser.click(".catalog .close").await?;
    let select = wait_for(
        browser,
        "time selector",
        "const s = document.querySelector(\"select[data-time-for='ms-observations']\");\
         return s && [s.options.length, s.value];",
    )
    .await?;
    ensure!(
        select == json!([20, MapServer::TIME_DEFAULT]),
        "time selector: {select}"
    );
    let frame = browser.wait_map_ready().await?.frame;
    browser
        .js(
            "const s = document.querySelector(\"select[data-time-for='ms-observations']\");\
             s.value = '2024-06-02T06:00:00Z'; s.dispatchEvent(new Event('change', { bubbles: true }));\
             return true;",
            vec![],
        )
        .await?;
    browser.wait_map_ready_after(frame).await?;
    let asked = browser
        .js(
            "return performance.getEntriesByType('resource').some(e => e.name.includes('LAYERS=observations')\
               && e.name.includes('TIME=2024-06-02T06%3A00%3A00Z'));",
            vec![],
        )
        .await?;
    ensure!(asked == json!(true), "no GetMap at the chosen time");

    Ok(())
}
