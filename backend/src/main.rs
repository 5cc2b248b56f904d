//! The `kartenn` command line: `kartenn serve` runs the server, `kartenn sync` harvests the
//! OGC sources' catalogues, `kartenn import` prepares data files.

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
    /// Convert GeoJSON, Shapefile, GeoPackage, CSV or FlatGeobuf into an indexed FlatGeobuf in
    /// EPSG:4326, ready to serve.
    Import(ImportArgs),
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
    /// Harvest the catalogues of the configured OGC sources (WMS/WFS capabilities) into the
    /// store, reporting added, changed and removed layers. Exits non-zero if a source failed
    /// (its previous catalogue is kept).
    Sync {
        /// Configuration file (default: ./kartenn.toml).
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Only this source.
        #[arg(long)]
        source: Option<String>,
    },
}

#[derive(clap::Args)]
struct ImportArgs {
    /// The file to import (.geojson/.json, .shp, .gpkg, .csv, .fgb).
    input: PathBuf,
    /// The FlatGeobuf to write (replaced only once the import succeeded).
    #[arg(long, short)]
    output: PathBuf,
    /// GeoPackage table, when the file holds several.
    #[arg(long)]
    layer: Option<String>,
    /// CRS of the input when the file does not say it (e.g. EPSG:2154), or to override it.
    #[arg(long = "s-srs")]
    source_crs: Option<String>,
    /// CSV: column holding WKT geometries.
    #[arg(long)]
    wkt_column: Option<String>,
    /// CSV: longitude (x) column.
    #[arg(long)]
    lon_column: Option<String>,
    /// CSV: latitude (y) column.
    #[arg(long)]
    lat_column: Option<String>,
    /// CSV: field delimiter (one character; default `,`, tab for .tsv).
    #[arg(long)]
    delimiter: Option<char>,
    /// Skip features with broken geometry (they are listed) instead of failing.
    #[arg(long)]
    skip_invalid: bool,
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
        Command::Import(args) => import(&args),
        Command::Serve {
            files,
            bind,
            config,
        } => serve(&Overrides { bind, files }, config.as_deref()),
        Command::Sync { config, source } => sync(config.as_deref(), source.as_deref()),
    }
}

fn sync(config_file: Option<&Path>, only: Option<&str>) -> ExitCode {
    use kartenn::ogc::service::OgcService;
    let env = |key: &str| std::env::var(key).ok();
    let config = match Config::load(config_file, &env, &Overrides::default()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("kartenn: {err}");
            return ExitCode::from(2);
        }
    };
    let sources: Vec<_> = config
        .sources
        .iter()
        .filter(|s| only.is_none_or(|id| s.id == id))
        .cloned()
        .collect();
    if sources.is_empty() {
        eprintln!(
            "kartenn sync: {}",
            only.map_or_else(
                || "no [[sources]] in the configuration".to_owned(),
                |id| format!("no source `{id}` in the configuration")
            )
        );
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("kartenn: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let service = match OgcService::open(&config).await {
            Ok(service) => service,
            Err(err) => {
                eprintln!("kartenn: {err}");
                return ExitCode::FAILURE;
            }
        };
        let say = |line: String| {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
        };
        let mut failed = 0;
        for (i, source) in sources.iter().enumerate() {
            say(format!(
                "[{}/{}] {} ({})…",
                i + 1,
                sources.len(),
                source.id,
                source.url
            ));
            let Some(report) = service.sync(source).await else {
                continue;
            };
            match &report.outcome {
                Ok(diff) => {
                    say(format!(
                        "    {} layers: {} added, {} changed, {} removed",
                        report.layers,
                        diff.added.len(),
                        diff.changed.len(),
                        diff.removed.len()
                    ));
                    for (sign, ids) in [
                        ("+", &diff.added),
                        ("~", &diff.changed),
                        ("-", &diff.removed),
                    ] {
                        for id in ids {
                            say(format!("      {sign} {id}"));
                        }
                    }
                }
                Err(err) => {
                    failed += 1;
                    say(format!("    FAILED: {err}"));
                    say(format!(
                        "    the previous catalogue ({} layers) is kept",
                        report.layers
                    ));
                }
            }
        }
        if failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    })
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
    if !config.sources.is_empty() {
        let _guard = runtime.enter();
        state.ogc.spawn_schedule();
    }
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

fn import(args: &ImportArgs) -> ExitCode {
    use kartenn::import::{ImportOptions, Progress};
    let delimiter = match args.delimiter.map(u8::try_from) {
        None => None,
        Some(Ok(d)) => Some(d),
        Some(Err(_)) => {
            eprintln!("kartenn import: the delimiter must be a single ASCII character");
            return ExitCode::from(2);
        }
    };
    let options = ImportOptions {
        input: args.input.clone(),
        output: args.output.clone(),
        layer: args.layer.clone(),
        source_crs: args.source_crs.clone(),
        wkt_column: args.wkt_column.clone(),
        lon_column: args.lon_column.clone(),
        lat_column: args.lat_column.clone(),
        delimiter,
        skip_invalid: args.skip_invalid,
    };
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(format!("reading {}", args.input.display()));
    let mut writing = false;
    let result = kartenn::import::run(&options, &mut |progress| match progress {
        Progress::Read(n) => {
            bar.set_message(format!("reading {}: {n} features", args.input.display()));
        }
        Progress::Write { done, total } => {
            if !writing {
                writing = true;
                bar.set_length(total as u64);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "writing {wide_bar} {pos}/{len} features",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
            }
            bar.set_position(done as u64);
        }
    });
    bar.finish_and_clear();
    match result {
        Ok(report) => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "imported {} features from {} ({}) into {} ({} bytes, EPSG:4326, indexed)",
                report.features,
                args.input.display(),
                report.source_crs,
                report.output.display(),
                report.bytes
            );
            for skipped in &report.skipped {
                let _ = writeln!(out, "skipped {skipped}");
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("kartenn import: {err}");
            ExitCode::FAILURE
        }
    }
}
