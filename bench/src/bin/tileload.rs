//! `tileload`: requests each path of a list exactly once against a base URL, with a fixed
//! number of concurrent connections, and prints one JSON line: requests, seconds, tiles/s,
//! bytes received, status counts, and latency percentiles in milliseconds.
//!
//! `tileload --base http://127.0.0.1:8080 --list paths.txt [--concurrency 8] [--encoding gzip]`
//!
//! Loopback only: the base URL must be on 127.0.0.1 or localhost.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

struct Args {
    base: String,
    list: String,
    concurrency: usize,
    encoding: String,
}

fn args() -> Result<Args, String> {
    let mut out = Args {
        base: String::new(),
        list: String::new(),
        concurrency: 8,
        encoding: "gzip".to_owned(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--base" => value.trim_end_matches('/').clone_into(&mut out.base),
            "--list" => out.list = value,
            "--concurrency" => out.concurrency = value.parse().map_err(|_| "bad --concurrency")?,
            "--encoding" => out.encoding = value,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    let host_ok = ["http://127.0.0.1:", "http://localhost:"]
        .iter()
        .any(|p| out.base.starts_with(p));
    if !host_ok {
        return Err("--base must be http://127.0.0.1:PORT or http://localhost:PORT".into());
    }
    if out.list.is_empty() || out.concurrency == 0 {
        return Err(
            "usage: tileload --base URL --list FILE [--concurrency N] [--encoding E]".into(),
        );
    }
    Ok(out)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// Latencies, bytes, and counts of 200, empty (204/404) and failed answers of one connection.
type Outcome = (Vec<Duration>, u64, u64, u64, u64);

/// One connection: takes the next path until the list is exhausted.
async fn worker(
    client: reqwest::Client,
    paths: Arc<Vec<String>>,
    next: Arc<AtomicUsize>,
    base: String,
    encoding: String,
) -> Outcome {
    let mut latencies = Vec::new();
    let (mut bytes, mut ok, mut empty, mut failed) = (0u64, 0u64, 0u64, 0u64);
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(path) = paths.get(i) else { break };
        let t = Instant::now();
        let response = client
            .get(format!("{base}{path}"))
            .header("accept-encoding", &encoding)
            .send()
            .await;
        let body = match response {
            Ok(r) => {
                let status = r.status().as_u16();
                r.bytes().await.ok().map(|b| (status, b.len() as u64))
            }
            Err(_) => None,
        };
        match body {
            Some((200, len)) => {
                ok += 1;
                bytes += len;
            }
            Some((204 | 404, len)) => {
                empty += 1;
                bytes += len;
            }
            _ => failed += 1,
        }
        latencies.push(t.elapsed());
    }
    (latencies, bytes, ok, empty, failed)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("tileload: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let paths: Arc<Vec<String>> = match std::fs::read_to_string(&args.list) {
        Ok(text) => Arc::new(
            text.lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        Err(e) => {
            eprintln!("tileload: {}: {e}", args.list);
            return std::process::ExitCode::from(2);
        }
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = match reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .timeout(Duration::from_secs(120))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("tileload: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..args.concurrency {
        let (client, paths, next) = (client.clone(), paths.clone(), next.clone());
        let (base, encoding) = (args.base.clone(), args.encoding.clone());
        workers.push(tokio::spawn(worker(client, paths, next, base, encoding)));
    }
    let (mut latencies, mut bytes, mut ok, mut empty, mut failed) = (Vec::new(), 0, 0, 0, 0);
    for worker in workers {
        if let Ok((l, b, o, e, f)) = worker.await {
            latencies.extend(l);
            bytes += b;
            ok += o;
            empty += e;
            failed += f;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let requests = latencies.len();
    println!(
        "{}",
        serde_json::json!({
            "requests": requests,
            "seconds": seconds,
            "tiles_per_s": requests as f64 / seconds,
            "bytes": bytes,
            "ok": ok,
            "empty": empty,
            "failed": failed,
            "p50_ms": percentile(&latencies, 50.0),
            "p90_ms": percentile(&latencies, 90.0),
            "p99_ms": percentile(&latencies, 99.0),
            "max_ms": percentile(&latencies, 100.0),
        })
    );
    if failed > 0 {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
