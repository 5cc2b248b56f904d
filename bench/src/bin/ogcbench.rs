//! `ogcbench`: the OGC proxy's overhead. Starts the MapServer peer (WMS/WFS behind lighttpd)
//! and a release `kartenn` proxying it, then sends the same requests (GetMap tiles, then
//! GetFeatureInfo) straight to MapServer and through Kartenn, interleaved request by request,
//! and reports latency percentiles and the paired difference per request.
//!
//! MapServer as CGI costs ~100 ms a request with ±20 ms of noise, which hides a sub-millisecond
//! overhead; so the same is measured against a second, near-instant upstream: lighttpd serving
//! MapServer's own answers (capabilities, a tile, a feature-info document) as static files.
//!
//! `ogcbench [--kartenn target/release/kartenn] [--requests 300] [--rounds 3]`
//! (`cargo xtask bench ogc` builds everything and runs it.) Loopback only; everything started
//! here is stopped by its handle at the end.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_precision_loss,
    clippy::many_single_char_names
)]

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use kartenn_peers::MapServer;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

struct Args {
    kartenn: PathBuf,
    requests: usize,
    rounds: usize,
}

fn args() -> Result<Args> {
    let mut out = Args {
        kartenn: PathBuf::from("target/release/kartenn"),
        requests: 300,
        rounds: 3,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--kartenn" => out.kartenn = PathBuf::from(value),
            "--requests" => out.requests = value.parse().context("--requests")?,
            "--rounds" => out.rounds = value.parse().context("--rounds")?,
            other => bail!("unknown flag {other}"),
        }
    }
    Ok(out)
}

/// Web-Mercator bounds of tile z/x/y.
fn tile_bbox(z: u32, x: u32, y: u32) -> [f64; 4] {
    const HALF: f64 = 20_037_508.342_789_244;
    let size = 2.0 * HALF / f64::from(1u32 << z);
    let minx = -HALF + f64::from(x) * size;
    let maxy = HALF - f64::from(y) * size;
    [minx, maxy - size, minx + size, maxy]
}

/// Tile x/y of a lon/lat at zoom z.
fn tile_of(lon: f64, lat: f64, z: u32) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = (lon + 180.0) / 360.0 * n;
    let r = lat.to_radians();
    let y = (1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
    (x as u32, y as u32)
}

/// Deterministic request queries over Brittany: GetMap tiles (z8–z11) and GetFeatureInfo.
fn queries(count: usize) -> (Vec<String>, Vec<String>) {
    let mut maps = Vec::new();
    let mut infos = Vec::new();
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    while maps.len() < count {
        let z = 8 + (next() % 4) as u32;
        let (x0, y0) = tile_of(-4.8, 48.7, z);
        let (x1, y1) = tile_of(-1.2, 47.3, z);
        let x = x0 + (next() % u64::from(x1 - x0 + 1)) as u32;
        let y = y0 + (next() % u64::from(y1 - y0 + 1)) as u32;
        let [a, b, c, d] = tile_bbox(z, x, y);
        let common = format!(
            "SERVICE=WMS&VERSION=1.3.0&LAYERS=communes&STYLES=&CRS=EPSG:3857\
             &BBOX={a:.2},{b:.2},{c:.2},{d:.2}&WIDTH=256&HEIGHT=256"
        );
        maps.push(format!(
            "{common}&REQUEST=GetMap&FORMAT=image/png&TRANSPARENT=TRUE"
        ));
        infos.push(format!(
            "{common}&REQUEST=GetFeatureInfo&QUERY_LAYERS=communes&INFO_FORMAT=application/json\
             &FEATURE_COUNT=5&I={}&J={}",
            next() % 256,
            next() % 256
        ));
    }
    (maps, infos)
}

async fn start_kartenn(bin: &PathBuf, config: &PathBuf) -> Result<(tokio::process::Child, String)> {
    let mut child = Command::new(bin)
        .args(["serve", "--bind", "127.0.0.1:0", "--config"])
        .arg(config)
        .env("KARTENN_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| {
            format!(
                "starting {} (cargo build --release -p kartenn)",
                bin.display()
            )
        })?;
    let stdout = child.stdout.take().context("kartenn stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .context("kartenn did not start in 30 s")??
        .context("kartenn exited")?;
    let url = line
        .strip_prefix("Kartenn listening on ")
        .context("unexpected first line")?
        .trim_end_matches('/')
        .to_owned();
    Ok((child, url))
}

/// A lighttpd answering OWS requests with fixed files (MapServer's recorded answers).
struct StaticOws {
    child: tokio::process::Child,
    url: String,
}

async fn start_static_ows(
    mapserver: &MapServer,
    client: &reqwest::Client,
    dir: &std::path::Path,
) -> Result<StaticOws> {
    let fetch = |q: &str| client.get(mapserver.ows(q)).send();
    let caps = fetch("SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities")
        .await?
        .bytes()
        .await?;
    std::fs::write(dir.join("caps.xml"), &caps)?;
    let (maps, infos) = queries(1);
    std::fs::write(dir.join("tile.png"), fetch(&maps[0]).await?.bytes().await?)?;
    std::fs::write(
        dir.join("info.json"),
        fetch(&infos[0]).await?.bytes().await?,
    )?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let conf = dir.join("lighttpd.conf");
    std::fs::write(
        &conf,
        format!(
            "server.modules += (\"mod_rewrite\")\nserver.document-root = \"{root}\"\n\
             server.bind = \"127.0.0.1\"\nserver.port = {port}\nserver.errorlog = \"{root}/error.log\"\n\
             mimetype.assign = (\".png\" => \"image/png\", \".xml\" => \"text/xml\", \".json\" => \"application/json\")\n\
             url.rewrite-once = (\"^/ows\\?.*REQUEST=GetCapabilities\" => \"/caps.xml\", \
             \"^/ows\\?.*REQUEST=GetFeatureInfo\" => \"/info.json\", \"^/ows\\?\" => \"/tile.png\")\n",
            root = dir.display()
        ),
    )?;
    let lighttpd = if std::path::Path::new("/usr/sbin/lighttpd").is_file() {
        "/usr/sbin/lighttpd"
    } else {
        "lighttpd"
    };
    let child = Command::new(lighttpd)
        .args(["-D", "-f"])
        .arg(&conf)
        .kill_on_drop(true)
        .spawn()
        .context("starting lighttpd")?;
    let url = format!("http://127.0.0.1:{port}/ows");
    for _ in 0..100 {
        if client
            .get(format!("{url}?REQUEST=GetCapabilities"))
            .send()
            .await
            .is_ok()
        {
            return Ok(StaticOws { child, url });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("static lighttpd did not start")
}

async fn timed(client: &reqwest::Client, url: &str) -> Result<Duration> {
    let started = Instant::now();
    let response = client.get(url).send().await?;
    let status = response.status();
    let body = response.bytes().await?;
    if !status.is_success() || body.is_empty() {
        bail!("{url}: HTTP {status}, {} bytes", body.len());
    }
    Ok(started.elapsed())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let args = args()?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mapserver = MapServer::start().await?;
    let dir = std::env::temp_dir().join(format!("kartenn-ogcbench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(4)
        .build()?;
    let mut fixed = start_static_ows(&mapserver, &client, &dir).await?;
    let config = dir.join("kartenn.toml");
    std::fs::write(
        &config,
        format!(
            "layers = []\n[store]\npath = \"{}\"\n\
             [[sources]]\nid = \"ms\"\nurl = \"{}\"\n\
             [[sources]]\nid = \"fixed\"\nurl = \"{}\"\nwfs = false\n\
             [[rules]]\nlayer = \"*\"\nview = \"public\"\nquery = \"public\"\n",
            dir.join("kartenn.db").display(),
            mapserver.url,
            fixed.url
        ),
    )?;
    let (kartenn, base) = start_kartenn(&args.kartenn, &config).await?;
    // The server harvests the source in the background at start-up.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let catalog = client
            .get(format!("{base}/api/catalog"))
            .send()
            .await?
            .text()
            .await?;
        if catalog.contains("ms-communes") && catalog.contains("fixed-communes") {
            break;
        }
        if Instant::now() > deadline {
            bail!("the MapServer source was not harvested in 30 s");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (maps, infos) = queries(args.requests);
    let mut report = format!(
        "OGC proxy overhead: {} requests × {} rounds per kind, sequential, MapServer {} (CGI behind lighttpd) \
         direct vs through Kartenn (release), interleaved request by request.\n\n\
         | upstream | request | direct p50 / p95 | through Kartenn p50 / p95 | added, paired p50 / p95 | added at p50 |\n\
         |---|---|---|---|---|---|\n",
        args.requests, args.rounds, "8.0"
    );
    let targets = [
        ("MapServer", mapserver.url.clone(), "ms"),
        ("fixed answers", fixed.url.clone(), "fixed"),
    ];
    for (upstream, direct_base, source) in &targets {
        for (kind, list) in [("GetMap 256 px", &maps), ("GetFeatureInfo JSON", &infos)] {
            // Warm-up: every request once each way (file cache, connection pools).
            for q in list.iter().take(50) {
                timed(&client, &format!("{direct_base}?{q}")).await?;
                timed(&client, &format!("{base}/ows/{source}?{q}")).await?;
            }
            let (mut direct, mut proxied, mut paired) = (Vec::new(), Vec::new(), Vec::new());
            for round in 0..args.rounds {
                for (i, q) in list.iter().enumerate() {
                    // Alternate which goes first so neither always meets a warmer server.
                    let proxy_first = (i + round) % 2 == 0;
                    let d_url = format!("{direct_base}?{q}");
                    let p_url = format!("{base}/ows/{source}?{q}");
                    let (d, p) = if proxy_first {
                        let p = timed(&client, &p_url).await?;
                        (timed(&client, &d_url).await?, p)
                    } else {
                        let d = timed(&client, &d_url).await?;
                        (d, timed(&client, &p_url).await?)
                    };
                    direct.push(ms(d));
                    proxied.push(ms(p));
                    paired.push(ms(p) - ms(d));
                }
            }
            let (direct, proxied, paired) = (sorted(direct), sorted(proxied), sorted(paired));
            writeln!(
                report,
                "| {upstream} | {kind} | {:.2} / {:.2} ms | {:.2} / {:.2} ms | {:.2} / {:.2} ms | {:.2} ms |",
                pct(&direct, 50.0),
                pct(&direct, 95.0),
                pct(&proxied, 50.0),
                pct(&proxied, 95.0),
                pct(&paired, 50.0),
                pct(&paired, 95.0),
                pct(&proxied, 50.0) - pct(&direct, 50.0),
            )?;
        }
    }
    println!("\n{report}");
    let out = PathBuf::from("target/bench/ogc");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("results.md"), &report)?;
    println!("written to {}", out.join("results.md").display());
    drop(kartenn);
    let _ = fixed.child.start_kill();
    let _ = fixed.child.wait().await;
    drop(mapserver);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
