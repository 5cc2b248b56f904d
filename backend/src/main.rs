//! The `kartenn` command line: `kartenn serve` runs the server.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kartenn::config::{Config, Overrides};
use kartenn::state::AppState;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "kartenn",
    version,
    about = "Kartenn: map viewer and data server for research SDIs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the viewer, the API and vector tiles (the bundled demo without a configuration).
    Serve {
        /// FlatGeobuf files (or http(s) URLs) to serve as layers named after their stems,
        /// instead of the configured layers.
        files: Vec<PathBuf>,
        /// Address to listen on (default 127.0.0.1:8080; port 0 picks a free one).
        #[arg(long)]
        bind: Option<SocketAddr>,
        /// Configuration file (default: ./kartenn.toml if present, else the demo).
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let filter = EnvFilter::try_from_env("KARTENN_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            files,
            bind,
            config,
        } => serve(&Overrides { bind, files }, config.as_deref()),
    }
}

fn serve(overrides: &Overrides, config_file: Option<&Path>) -> ExitCode {
    let env = |key: &str| std::env::var(key).ok();
    let config = match Config::load(config_file, &env, overrides) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("kartenn: {err}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("kartenn: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let state = match runtime.block_on(AppState::from_config(&config)) {
        Ok(state) => state,
        Err(err) => {
            eprintln!("kartenn: {err}");
            return ExitCode::FAILURE;
        }
    };
    if state.viewer.is_none() {
        tracing::warn!(
            dir = %config.server.viewer_dir.display(),
            "viewer not built; `cargo xtask run` builds it"
        );
    }
    let result = runtime.block_on(kartenn::serve(state, config.server.bind, |addr| {
        // Scripts (and the e2e tests) read this line to learn the address.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "Kartenn listening on http://{addr}/");
        let _ = out.flush();
    }));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("kartenn: cannot serve on {}: {err}", config.server.bind);
            ExitCode::FAILURE
        }
    }
}
