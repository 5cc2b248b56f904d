//! Chronicles in a real browser, on the bundled demo (hourly weather at New York's airports,
//! 2013): a click on a station opens its chart; the chart draws as many points per series as
//! the API gives for the same range and number of points, on a HiDPI backing store; the
//! tooltip tells time, value and unit; a wheel zoom fetches the narrower range again; the CSV
//! link answers the raw samples of the range shown; the PNG export hands the image to a
//! download; another station compared adds its series in other colours; Esc closes the panel. Run by `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyhow::{Context, Result, ensure};
use fantoccini::Locator;
use kartenn_e2e::{Browser, Server, http_client, wait_for};
use serde_json::{Value, json};

async fn get_json(url: &str) -> Result<Value> {
    let body = http_client()?.get(url).send().await?.text().await?;
    serde_json::from_str(&body).with_context(|| format!("{url} is not JSON: {body}"))
}

/// What the chart publishes on its container.
#[derive(Debug, Clone, PartialEq)]
struct ChartState {
    points: Vec<u64>,
    asked: Vec<u64>,
    from: f64,
    to: f64,
    fetches: u64,
    /// The series shown (their URLs, in the chart's order).
    series: Vec<String>,
}

/// The chart's state once it has `more_than` fetches, nothing loading and its range settled.
async fn settled_chart(browser: &Browser, more_than: u64) -> Result<ChartState> {
    let v = wait_for(
        browser,
        "a settled chart",
        &format!(
            "const c = document.querySelector('#chart-panel #chart');\
             if (!c || c.dataset.loading !== '0' || c.dataset.settled !== 'true'\
                 || Number(c.dataset.fetches || 0) <= {more_than} || !c.dataset.points) return null;\
             return {{ points: c.dataset.points, asked: c.dataset.asked, from: c.dataset.from,\
                      to: c.dataset.to, fetches: c.dataset.fetches,\
                      series: Array.from(document.querySelectorAll('#chart-panel .chart-csv')).map(a => a.dataset.series) }};"
        ),
    )
    .await;
    let v = match v {
        Ok(v) => v,
        Err(err) => {
            let state = browser
                .js(
                    "const c = document.querySelector('#chart-panel #chart');\
                     return [c && Object.assign({}, c.dataset),\
                             performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/series'))];",
                    vec![],
                )
                .await?;
            return Err(err.context(format!("the chart and its requests: {state}")));
        }
    };
    let numbers = |key: &str| -> Vec<u64> {
        v[key]
            .as_str()
            .unwrap_or_default()
            .split(',')
            .filter_map(|n| n.parse().ok())
            .collect()
    };
    let number = |key: &str| -> Result<f64> {
        v[key]
            .as_str()
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("{key} in {v}"))
    };
    Ok(ChartState {
        points: numbers("points"),
        asked: numbers("asked"),
        from: number("from")?,
        to: number("to")?,
        fetches: number("fetches")? as u64,
        series: v["series"]
            .as_array()
            .context("series")?
            .iter()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect(),
    })
}

/// Values (not gaps) the API answers for a series over `[from, to]` at `points`.
async fn api_values(server: &Server, series: &str, from: f64, to: f64, points: u64) -> Result<u64> {
    let url = format!(
        "{}{series}?from={from:.0}&to={to:.0}&points={points}",
        server.url
    );
    let answer = get_json(&url).await?;
    let values = answer["points"]
        .as_array()
        .with_context(|| format!("no points from {url}: {answer}"))?
        .iter()
        .filter(|p| p[1].is_number())
        .count();
    Ok(values as u64)
}

/// Every series drawn shows as many values as the API gives for the same range and N.
async fn points_match_the_api(server: &Server, chart: &ChartState) -> Result<()> {
    ensure!(
        !chart.series.is_empty() && chart.series.len() == chart.points.len(),
        "series and counts disagree: {chart:?}"
    );
    for ((series, drawn), asked) in chart.series.iter().zip(&chart.points).zip(&chart.asked) {
        let expected = api_values(server, series, chart.from, chart.to, *asked).await?;
        ensure!(
            *drawn == expected && *drawn > 0,
            "{series}: {drawn} values drawn, the API gives {expected} for {chart:?}"
        );
    }
    Ok(())
}

/// A station of the demo's chronicle: its name and position.
struct Station {
    name: Value,
    lon: f64,
    lat: f64,
}

/// JFK, read from the catalogue's chronicle layer and its stations document.
async fn demo_station(server: &Server) -> Result<Station> {
    let catalog = get_json(&format!("{}/api/catalog", server.url)).await?;
    let layer = catalog["layers"]
        .as_array()
        .and_then(|layers| layers.iter().find(|l| l["source"]["type"] == "chronicle"))
        .with_context(|| format!("no chronicle layer in the demo catalogue: {catalog}"))?;
    let stations_url = layer["source"]["url"].as_str().context("url")?;
    let stations = get_json(&format!("{}{stations_url}", server.url)).await?;
    let station = stations["features"]
        .as_array()
        .and_then(|f| f.iter().find(|s| s["properties"]["id"] == "JFK"))
        .context("JFK is not a station of the demo")?;
    let coordinate = |i: usize| {
        station["geometry"]["coordinates"][i]
            .as_f64()
            .context("coordinates")
    };
    Ok(Station {
        name: station["properties"]["name"].clone(),
        lon: coordinate(0)?,
        lat: coordinate(1)?,
    })
}

#[tokio::test]
#[ignore = "needs Chromium and the built viewer: run `cargo xtask test`"]
async fn a_station_opens_its_chart_which_zooms_refetches_and_exports_csv() -> Result<()> {
    let server = Server::start().await?;
    let station = demo_station(&server).await?;
    // HiDPI: two device pixels per CSS pixel. The permalink centres the map on the station.
    let browser = Browser::start(1280, 860, 2.0).await?;
    browser
        .client
        .goto(&format!(
            "{}/#map=11/{:.5}/{:.5}",
            server.url, station.lat, station.lon
        ))
        .await?;

    let first = click_opens_the_chart(&browser, &server, &station).await?;
    chart_is_drawn_on_a_hidpi_backing_store(&browser).await?;
    tooltip_tells_time_value_and_unit(&browser).await?;
    browser.screenshot("chronicles.png").await?;
    let zoomed = wheel_zoom_fetches_the_narrower_range(&browser, &server, &first).await?;
    csv_link_answers_the_range_shown(&browser, &server, &zoomed).await?;
    png_export_hands_the_image_to_a_download(&browser).await?;
    compare_adds_the_other_station(&browser, &server, &zoomed).await?;
    browser.screenshot("chronicles-compare.png").await?;
    escape_closes_the_panel(&browser).await?;

    browser.close().await?;
    drop(server);
    Ok(())
}

#[tokio::test]
#[ignore = "needs Chromium and the built viewer: run `cargo xtask test`"]
async fn from_the_start_view_three_clicks_reach_a_chart_and_its_csv() -> Result<()> {
    let server = Server::start().await?;
    let station = demo_station(&server).await?;
    let catalog = get_json(&format!("{}/api/catalog", server.url)).await?;
    let layer = catalog["layers"]
        .as_array()
        .and_then(|layers| layers.iter().find(|l| l["source"]["type"] == "chronicle"))
        .and_then(|l| l["id"].as_str())
        .context("no chronicle layer")?
        .to_owned();
    let browser = Browser::start(1280, 860, 1.0).await?;
    browser.client.goto(&server.url).await?;
    let start = browser.wait_map_ready().await?;

    // Click 1: the layer's "zoom to" button (the demo opens on Brittany, the stations are in
    // New York).
    browser.click(&format!("[data-zoom-to='{layer}']")).await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let map = loop {
        let map = browser.wait_map_ready_after(start.frame).await?;
        if (map.lon - station.lon).abs() < 1.0 && (map.lat - station.lat).abs() < 1.0 {
            break map;
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "the map did not go to the stations: {map:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    // Click 2: the station.
    let [x, y] = map.pixel_of(station.lon, station.lat);
    browser
        .js(
            "const c = document.querySelector('.map canvas'); const r = c.getBoundingClientRect();\
             for (const type of ['pointerdown', 'pointerup']) c.dispatchEvent(new PointerEvent(type,\
               { pointerId: 1, clientX: r.left + arguments[0], clientY: r.top + arguments[1], bubbles: true, button: 0 }));\
             return true;",
            vec![json!(x), json!(y)],
        )
        .await?;
    settled_chart(&browser, 0).await?;
    // Click 3: the CSV of the first series (a download link: its answer is what the click gets).
    let href = wait_for(
        &browser,
        "the CSV link",
        "const a = document.querySelector('#chart-csv'); return a && a.href;",
    )
    .await?;
    let href = href.as_str().context("href")?.to_owned();
    let response = kartenn_e2e::http_client()?.get(&href).send().await?;
    ensure!(response.status() == 200, "CSV: HTTP {}", response.status());
    let body = response.text().await?;
    ensure!(
        body.starts_with("time,value"),
        "not the CSV: {}",
        &body[..body.len().min(80)]
    );
    ensure!(body.lines().count() > 10, "almost empty CSV");
    browser.close().await?;
    drop(server);
    Ok(())
}

/// Click 1: the station on the map → its chart (no identify popup), the first two variables
/// drawn with as many points as the API gives.
async fn click_opens_the_chart(
    browser: &Browser,
    server: &Server,
    station: &Station,
) -> Result<ChartState> {
    let map = browser.wait_map_ready().await?;
    let [x, y] = map.pixel_of(station.lon, station.lat);
    ensure!(
        (x - map.width / 2.0).abs() < 2.0 && (y - map.height / 2.0).abs() < 2.0,
        "the map is not centred on the station: {map:?}"
    );
    browser
        .js(
            "const c = document.querySelector('.map canvas'); const r = c.getBoundingClientRect();\
             for (const type of ['pointerdown', 'pointerup']) c.dispatchEvent(new PointerEvent(type,\
               { pointerId: 1, clientX: r.left + arguments[0], clientY: r.top + arguments[1], bubbles: true, button: 0 }));\
             return true;",
            vec![json!(x), json!(y)],
        )
        .await?;
    let title = wait_for(
        browser,
        "the chart panel",
        "const p = document.querySelector('#chart-panel'); return p && p.querySelector('h2').innerText;",
    )
    .await?;
    ensure!(title == station.name, "the panel is titled {title}");
    let popup = browser
        .js("return !!document.querySelector('.identify');", vec![])
        .await?;
    ensure!(
        popup == json!(false),
        "the identify popup opened instead of (or beside) the chart"
    );
    let first = settled_chart(browser, 0).await?;
    ensure!(
        first.series.len() == 2,
        "not two series ticked at first: {first:?}"
    );
    points_match_the_api(server, &first).await?;
    Ok(first)
}

/// The backing store is the canvas' CSS size × devicePixelRatio, and the first series is drawn.
async fn chart_is_drawn_on_a_hidpi_backing_store(browser: &Browser) -> Result<()> {
    let canvas = browser
        .js(
            "const c = document.querySelector('#chart canvas');\
             return [c.width, c.height, c.clientWidth, c.clientHeight, window.devicePixelRatio];",
            vec![],
        )
        .await?;
    let n = |i: usize| canvas[i].as_u64().unwrap_or_default();
    ensure!(
        canvas[4].as_u64() == Some(2) && n(0) == 2 * n(2) && n(1) == 2 * n(3) && n(0) > 0,
        "backing store {canvas}"
    );
    let coloured = browser
        .js(
            "const c = document.querySelector('#chart canvas');\
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;\
             for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - 31) < 40 && Math.abs(d[i + 1] - 119) < 40 && d[i + 2] > 140) n++;\
             return n;",
            vec![],
        )
        .await?;
    ensure!(
        coloured.as_u64() > Some(2000),
        "the first series is hardly drawn: {coloured} px"
    );
    Ok(())
}

/// The tooltip: time (UTC), value and unit of the points under the cursor.
async fn tooltip_tells_time_value_and_unit(browser: &Browser) -> Result<()> {
    browser
        .js(
            "const c = document.querySelector('#chart canvas'); const r = c.getBoundingClientRect();\
             c.dispatchEvent(new PointerEvent('pointermove', { pointerId: 1, clientX: r.left + r.width / 2,\
               clientY: r.top + r.height / 2, bubbles: true }));\
             return true;",
            vec![],
        )
        .await?;
    let text = wait_for(
        browser,
        "the tooltip",
        "const t = document.querySelector('.chart-tooltip'); return t && !t.hidden && t.innerText;",
    )
    .await?;
    let text = text.as_str().unwrap_or_default();
    ensure!(
        text.contains("2013-") && text.contains("UTC") && text.contains('%'),
        "tooltip: {text}"
    );
    Ok(())
}

/// A wheel zoom (two levels, around the middle): the narrower range is fetched again and drawn
/// with as many points as the API gives for it.
async fn wheel_zoom_fetches_the_narrower_range(
    browser: &Browser,
    server: &Server,
    first: &ChartState,
) -> Result<ChartState> {
    browser
        .js(
            "const c = document.querySelector('#chart canvas'); const r = c.getBoundingClientRect();\
             for (let i = 0; i < 2; i++) c.dispatchEvent(new WheelEvent('wheel', { deltaY: -300, deltaMode: 0,\
               clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, bubbles: true, cancelable: true }));\
             return true;",
            vec![],
        )
        .await?;
    let zoomed = settled_chart(browser, first.fetches).await?;
    let (span, zoomed_span) = (first.to - first.from, zoomed.to - zoomed.from);
    ensure!(
        zoomed_span < span * 0.3 && zoomed.from > first.from && zoomed.to < first.to,
        "not zoomed in: {first:?} then {zoomed:?}"
    );
    points_match_the_api(server, &zoomed).await?;
    Ok(zoomed)
}

/// Click 2: the CSV link of the first series is for the range shown and answers CSV.
async fn csv_link_answers_the_range_shown(
    browser: &Browser,
    server: &Server,
    shown: &ChartState,
) -> Result<()> {
    let href = browser
        .client
        .find(Locator::Css("#chart-csv"))
        .await?
        .attr("href")
        .await?
        .context("the CSV link has no href")?;
    ensure!(
        href.contains(&format!("from={:.0}", shown.from))
            && href.contains(&format!("to={:.0}", shown.to)),
        "the CSV link is not for the range shown: {href} vs {shown:?}"
    );
    let response = http_client()?
        .get(format!("{}{href}", server.url))
        .send()
        .await?;
    ensure!(response.status() == 200, "CSV: HTTP {}", response.status());
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    ensure!(
        content_type.starts_with("text/csv"),
        "CSV content type {content_type}"
    );
    let csv = response.text().await?;
    let rows = csv.lines().skip(1).filter(|l| !l.is_empty()).count();
    ensure!(rows > 100, "only {rows} CSV rows for {href}");
    Ok(())
}

/// PNG: the chart's image handed to a download link (its click recorded, not followed).
async fn png_export_hands_the_image_to_a_download(browser: &Browser) -> Result<()> {
    browser
        .js(
            "window.__downloads = []; HTMLAnchorElement.prototype.click = function () {\
               window.__downloads.push([this.download, this.href]); };\
             document.querySelector('#chart-png').click(); return true;",
            vec![],
        )
        .await?;
    let png = wait_for(
        browser,
        "the PNG download",
        "return window.__downloads.length > 0 && window.__downloads[0];",
    )
    .await?;
    ensure!(
        png[0]
            .as_str()
            .is_some_and(|n| std::path::Path::new(n).extension() == Some("png".as_ref()))
            && png[1].as_str().is_some_and(|h| h.starts_with("blob:")),
        "PNG download: {png}"
    );
    Ok(())
}

/// Compare: another station of the dataset, its series in the same chart and range, in other
/// colours, named in the legend.
async fn compare_adds_the_other_station(
    browser: &Browser,
    server: &Server,
    zoomed: &ChartState,
) -> Result<()> {
    browser
        .js(
            "const s = document.querySelector('#chart-compare'); s.value = 'LGA';\
             s.dispatchEvent(new Event('change', { bubbles: true })); return true;",
            vec![],
        )
        .await?;
    let compared = wait_for(
        browser,
        "the compared series",
        "const items = Array.from(document.querySelectorAll('#chart-panel .chart-legend li'));\
         return items.length === 4 && items.map(li => [li.innerText, li.querySelector('.swatch-line').style.background]);",
    )
    .await?;
    let legend = compared.as_array().context("legend")?;
    let colours: std::collections::HashSet<String> =
        legend.iter().map(|item| item[1].to_string()).collect();
    ensure!(
        colours.len() == 4,
        "the compared series share colours: {compared}"
    );
    ensure!(
        legend
            .iter()
            .any(|item| item[0].as_str().unwrap_or_default().contains("La Guardia")),
        "the compared station is not in the legend: {compared}"
    );
    let both = settled_chart(browser, zoomed.fetches).await?;
    ensure!(both.series.len() == 4, "{both:?}");
    ensure!(
        both.from.to_bits() == zoomed.from.to_bits() && both.to.to_bits() == zoomed.to.to_bits(),
        "comparing moved the range: {zoomed:?} then {both:?}"
    );
    points_match_the_api(server, &both).await
}

/// Esc closes the panel and gives the focus back to the map.
async fn escape_closes_the_panel(browser: &Browser) -> Result<()> {
    browser
        .js(
            "document.querySelector('#chart canvas').dispatchEvent(new KeyboardEvent('keydown',\
               { key: 'Escape', bubbles: true }));\
             return true;",
            vec![],
        )
        .await?;
    wait_for(
        browser,
        "the panel to close, the focus back on the map",
        "return !document.querySelector('#chart-panel') && document.activeElement === document.querySelector('.map > canvas');",
    )
    .await?;
    Ok(())
}
