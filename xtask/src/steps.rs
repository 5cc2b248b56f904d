//! The steps of `run` and `test`, each a command whose failure stops everything with its name.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::tools::{self, ToolEnv};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

pub fn step(what: &str) {
    println!("\n==> {what}");
}

/// Runs a command with inherited output; a failure names the command.
pub fn run_cmd(cmd: &mut Command) -> Result<(), String> {
    let shown = format!(
        "{} {}",
        cmd.get_program().to_string_lossy(),
        cmd.get_args()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let started = Instant::now();
    let status = cmd
        .status()
        .map_err(|e| format!("`{shown}` could not start: {e}"))?;
    if !status.success() {
        return Err(format!("`{shown}` failed ({status})"));
    }
    println!("    ({shown}: {:.0} s)", started.elapsed().as_secs_f64());
    Ok(())
}

fn cargo(env: &ToolEnv, args: &[&str]) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root()).env("PATH", &env.path).args(args);
    cmd
}

/// `trunk build --release` into `dist/`, with a size-optimised profile and its own target
/// directory (so it never invalidates the server's build).
pub fn build_viewer(env: &ToolEnv) -> Result<(), String> {
    step("building the viewer (trunk build --release: the map, then the admin console)");
    let root = root();
    let trunk = |args: &[&str]| {
        let mut command = Command::new("trunk");
        command
            .current_dir(&root)
            .env("PATH", &env.path)
            .env("CARGO_TARGET_DIR", root.join("target/viewer"))
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "z")
            .env("CARGO_PROFILE_RELEASE_LTO", "fat")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")
            .env("CARGO_PROFILE_RELEASE_PANIC", "abort")
            .arg("build")
            .args(args)
            // Last: trunk's `--release` takes an optional value.
            .arg("--release");
        command
    };
    // `dist/` first (trunk empties it), then the admin console into `dist/admin/`, its assets
    // under `/admin/`.
    run_cmd(&mut trunk(&[]))?;
    run_cmd(&mut trunk(&[
        "admin.html",
        "--dist",
        "dist/admin",
        "--public-url",
        "/admin/",
    ]))?;
    report_viewer_size("map", &root.join("dist"));
    report_viewer_size("admin console", &root.join("dist/admin"));
    Ok(())
}

fn report_viewer_size(what: &str, dist: &Path) {
    let Ok(entries) = std::fs::read_dir(dist) else {
        return;
    };
    let total: u64 = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.ends_with(".wasm") || name.ends_with(".js")
        })
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "    {what}: wasm + js {} KB (before compression)",
        total / 1024
    );
}

pub fn run(args: &[String]) -> Result<(), String> {
    let env = tools::ensure(false)?;
    build_viewer(&env)?;
    step("building the server (cargo build --release -p kartenn)");
    run_cmd(&mut cargo(&env, &["build", "--release", "-p", "kartenn"]))?;
    step("starting kartenn serve on the embedded demo (Ctrl-C stops it)");
    let mut serve = Command::new(root().join("target/release/kartenn"));
    serve.current_dir(root()).arg("serve").args(args);
    run_cmd(&mut serve)
}

pub fn test(args: &[String]) -> Result<(), String> {
    if let Some(unknown) = args.first() {
        return Err(format!(
            "`cargo xtask test` takes no arguments (got `{unknown}`)"
        ));
    }
    let env = tools::ensure(true)?;
    let root = root();

    step("formatting (cargo fmt --check)");
    run_cmd(&mut cargo(&env, &["fmt", "--all", "--check"]))?;

    step("lints (clippy -D warnings, native crates)");
    run_cmd(&mut cargo(
        &env,
        &[
            "clippy",
            "--workspace",
            "--exclude",
            "kartenn-frontend",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    ))?;
    step("lints (clippy -D warnings, viewer for wasm32)");
    run_cmd(&mut cargo(
        &env,
        &[
            "clippy",
            "-p",
            "kartenn-frontend",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ],
    ))?;

    step("unit and integration tests");
    run_cmd(&mut cargo(
        &env,
        &["test", "--workspace", "--exclude", "kartenn-frontend"],
    ))?;

    step("viewer unit tests (native)");
    run_cmd(&mut cargo(&env, &["test", "-p", "kartenn-frontend"]))?;

    build_viewer(&env)?;

    step("real-peer and end-to-end tests (MapServer, OIDC provider, headless Chromium, lighttpd)");
    run_cmd(&mut cargo(&env, &["build", "-p", "kartenn"]))?;
    // The tests marked #[ignore] need the peers installed above: all of them run here.
    run_cmd(
        cargo(
            &env,
            &[
                "test",
                "--workspace",
                "--exclude",
                "kartenn-frontend",
                "--",
                "--ignored",
                "--test-threads=1",
            ],
        )
        .env("KARTENN_BIN", root.join("target/debug/kartenn"))
        .env("KARTENN_VIEWER_DIR", root.join("dist")),
    )?;
    println!("    screenshots in {}", root.join("target/e2e").display());
    Ok(())
}

/// `cargo xtask bench tiles [ARGS]`: runs `bench/tiles/run.py` (which installs Martin, PostGIS
/// and the other peers it needs on first use).
pub fn bench(args: &[String]) -> Result<(), String> {
    match args.split_first() {
        Some((which, rest)) if which == "tiles" => {
            step("tile benchmark: Kartenn against Martin (PostGIS, MBTiles)");
            run_cmd(
                Command::new("python3")
                    .current_dir(root())
                    .arg("bench/tiles/run.py")
                    .args(rest),
            )
        }
        Some((which, rest)) if which == "viewer" => bench_viewer(rest),
        Some((which, rest)) if which == "ogc" => bench_ogc(rest),
        Some((which, rest)) if which == "fuzz" => fuzz(rest),
        Some((which, rest)) if which == "chronicles" => bench_chronicles(rest),
        _ => Err(
            "usage: cargo xtask bench tiles|viewer|ogc|chronicles|fuzz [-- options] \
             (see bench/README.md)"
                .to_owned(),
        ),
    }
}

/// `cargo xtask bench viewer [ARGS]`: builds the viewer, the server (release) and the
/// OpenLayers page (npm, bundled locally with esbuild), then runs `bench/viewer/run.mjs`.
fn bench_viewer(args: &[String]) -> Result<(), String> {
    let env = tools::ensure(true)?;
    build_viewer(&env)?;
    step("building the server (release)");
    run_cmd(&mut cargo(&env, &["build", "--release", "-p", "kartenn"]))?;
    let dir = root().join("bench/viewer");
    step("building the OpenLayers page (npm ci, esbuild)");
    run_cmd(
        Command::new("npm")
            .current_dir(&dir)
            .args(["ci", "--no-audit", "--no-fund"]),
    )?;
    run_cmd(
        Command::new("npm")
            .current_dir(&dir)
            .args(["run", "build-ol"]),
    )?;
    step("viewer benchmark: Kartenn against OpenLayers in headless Chromium");
    run_cmd(
        Command::new("node")
            .current_dir(&dir)
            .arg("run.mjs")
            .args(args.iter().filter(|a| *a != "--")),
    )
}

/// `cargo xtask bench ogc [ARGS]`: the OGC proxy's overhead against MapServer and against fixed
/// answers (`bench/src/bin/ogcbench.rs`).
fn bench_ogc(args: &[String]) -> Result<(), String> {
    let env = tools::ensure(true)?;
    step("building the server and the benchmark (release)");
    run_cmd(&mut cargo(
        &env,
        &["build", "--release", "-p", "kartenn", "-p", "kartenn-bench"],
    ))?;
    step("OGC proxy benchmark: MapServer direct against through Kartenn");
    run_cmd(
        Command::new(root().join("target/release/ogcbench"))
            .current_dir(root())
            .args(args.iter().filter(|a| *a != "--")),
    )
}

/// `cargo xtask bench chronicles [ARGS]`: chronicle queries on 10 M samples, cached against a
/// SQL scan per request (`bench/chronicles/main.rs`).
fn bench_chronicles(args: &[String]) -> Result<(), String> {
    step("building the chronicles benchmark (release)");
    run_cmd(Command::new("cargo").current_dir(root()).args([
        "build",
        "--release",
        "-p",
        "kartenn-bench",
        "--bin",
        "chronbench",
    ]))?;
    step("chronicles benchmark: 10 M samples, ranges downsampled to 2 000 points");
    run_cmd(
        Command::new(root().join("target/release/chronbench"))
            .current_dir(root())
            .args(args.iter().filter(|a| *a != "--")),
    )
}

/// `cargo xtask bench fuzz [SECONDS]`: fuzzes the OGC request parser and validator, then
/// capabilities parsing and filtering, each for a bounded time (default 60 s) with cargo-fuzz (installed on first use; libFuzzer needs the
/// nightly-only sanitizer flags, enabled here on the stable compiler by RUSTC_BOOTSTRAP).
fn fuzz(args: &[String]) -> Result<(), String> {
    let seconds = args.iter().find(|a| *a != "--").map_or(Ok(60), |s| {
        s.parse::<u64>()
            .map_err(|_| format!("`{s}` is not seconds"))
    })?;
    let env = tools::ensure(false)?;
    if !Command::new("cargo")
        .env("PATH", &env.path)
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        step("installing cargo-fuzz (once per machine)");
        run_cmd(Command::new("cargo").args(["install", "--locked", "cargo-fuzz"]))?;
    }
    for target in ["ogc_request", "capabilities"] {
        step(&format!("fuzzing {target} for {seconds} s"));
        let fuzz = root().join("backend/fuzz");
        let corpus = fuzz.join("corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| e.to_string())?;
        run_cmd(
            Command::new("cargo")
                .current_dir(root().join("backend"))
                .env("PATH", &env.path)
                .env("RUSTC_BOOTSTRAP", "1")
                .args(["fuzz", "run", target])
                .arg(&corpus)
                .arg(fuzz.join("seeds").join(target))
                .args(["--", &format!("-max_total_time={seconds}")]),
        )?;
    }
    Ok(())
}
