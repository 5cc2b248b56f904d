//! `cargo xtask`: the project's two commands and their helpers.
//!
//! - `cargo xtask run [kartenn serve options]`: installs missing tools, builds the viewer and
//!   the server (release) and serves the embedded demo.
//! - `cargo xtask test`: the whole suite: fmt, clippy, unit and integration tests, the wasm
//!   build, and the browser end-to-end tests.
//! - `cargo xtask bench tiles`: the tile benchmark against Martin (`bench/tiles/run.py`).
//! - `cargo xtask bench viewer`: the viewer against OpenLayers in Chromium (`bench/viewer/`).
//! - `cargo xtask bench ogc`: the OGC proxy's overhead; `bench fuzz`: fuzz its request parser.
//! - `cargo xtask bench chronicles`: chronicle queries on 10 M samples (`bench/chronicles/`).
//! - `cargo xtask viewer`: builds the viewer into `dist/` only.
//! - `cargo xtask tools [--browser]`: installs the tools only.
//!
//! Only std: xtask must build in seconds on a fresh machine.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod steps;
mod tools;

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((c, rest)) => (c.as_str(), rest),
        None => ("help", &[][..]),
    };
    let started = Instant::now();
    let result = match command {
        "run" => steps::run(rest),
        "test" => steps::test(rest),
        "viewer" => tools::ensure(false).and_then(|env| steps::build_viewer(&env)),
        "bench" => steps::bench(rest),
        "tools" => tools::ensure(rest.iter().any(|a| a == "--browser")).map(drop),
        _ => {
            println!(
                "usage: cargo xtask <run|test|bench|viewer|tools>\n\
                 \n  run [--bind ADDR] [--config FILE]   build everything and serve the demo\
                 \n  test                                the whole test suite (what CI runs)\
                 \n  bench tiles [-- ARGS]               tile benchmark against Martin (bench/README.md)\
                 \n  bench viewer [-- ARGS]              viewer benchmark against OpenLayers (bench/README.md)\
                 \n  bench ogc [-- ARGS]                 OGC proxy overhead against MapServer (bench/README.md)\
                 \n  bench chronicles [-- ARGS]          chronicle queries on 10 M samples (bench/README.md)\
                 \n  bench fuzz [SECONDS]                fuzz the OGC request parser (cargo-fuzz, bounded)\
                 \n  viewer                              build the viewer into dist/\
                 \n  tools [--browser]                   install the build (and browser) tools"
            );
            return if command == "help" {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    match result {
        Ok(()) => {
            println!(
                "xtask {command}: done in {:.0} s",
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("xtask {command}: FAILED: {err}");
            ExitCode::FAILURE
        }
    }
}
