//! The `kartenn` command line: `kartenn serve` runs the server, `kartenn sync` harvests the
//! OGC sources' catalogues, `kartenn import` prepares data files, `kartenn chronicles import`
//! loads time series into the store.

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
    /// Chronicles: time series measured at stations, kept in the store.
    Chronicles {
        #[command(subcommand)]
        command: ChroniclesCommand,
    },
}

#[derive(Subcommand)]
enum ChroniclesCommand {
    /// Import a CSV file of measurements into the store, in one transaction (a failed import
    /// keeps nothing; importing the same file again replaces its samples, never doubles them).
    Import(Box<ChronicleImportArgs>),
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
        Command::Chronicles {
            command: ChroniclesCommand::Import(args),
        } => import_chronicles(&args),
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
        // The configuration's sources and those added through the admin API.
        let sources: Vec<_> = service
            .sources()
            .iter()
            .filter(|s| only.is_none_or(|id| s.id == id))
            .cloned()
            .collect();
        if sources.is_empty() {
            eprintln!(
                "kartenn sync: {}",
                only.map_or_else(
                    || "no [[sources]] in the configuration nor in the store".to_owned(),
                    |id| format!("no source `{id}` in the configuration nor in the store")
                )
            );
            return ExitCode::from(2);
        }
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
    // Stored sources (admin API) may come and go while serving: the schedule follows them.
    if state.ogc.store.is_some() {
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

#[derive(clap::Args)]
#[allow(clippy::struct_excessive_bools)]
struct ChronicleImportArgs {
    /// The CSV file (`,` `;` or tab delimited; UTF-8).
    file: PathBuf,
    /// Dataset to import into (a-z 0-9 _ -): created, or added to.
    #[arg(long)]
    dataset: String,
    #[arg(long)]
    title: Option<String>,
    #[arg(long)]
    description: Option<String>,
    #[arg(long)]
    licence: Option<String>,
    /// CSV of the stations: id, name, lon, lat; other columns become attributes. Rows naming
    /// another station are then bad rows.
    #[arg(long)]
    stations: Option<PathBuf>,
    /// One sample a row: station, variable, time, value[, quality] (implied by naming a
    /// variable, value or quality column).
    #[arg(long, conflicts_with = "wide")]
    long: bool,
    /// One row per time and station, one column per variable (implied by --variables or
    /// --station).
    #[arg(long)]
    wide: bool,
    /// Column of the station ids (default `station`).
    #[arg(long)]
    station_column: Option<String>,
    /// Wide: one station for the whole file, instead of a station column.
    #[arg(long, conflicts_with = "station_column")]
    station: Option<String>,
    /// Column of the times (default `time`).
    #[arg(long)]
    time_column: Option<String>,
    /// Long: column of the variable names (default `variable`).
    #[arg(long)]
    variable_column: Option<String>,
    /// Long: column of the values (default `value`).
    #[arg(long)]
    value_column: Option<String>,
    /// Long: column of integer quality codes.
    #[arg(long)]
    quality_column: Option<String>,
    /// Wide: the columns to import, e.g. `temp,humid` (default: every other numeric column).
    #[arg(long, value_delimiter = ',')]
    variables: Option<Vec<String>>,
    /// Units, e.g. `temp=°C,sal=PSU`.
    #[arg(long, value_delimiter = ',', value_parser = unit_pair)]
    units: Vec<(String, String)>,
    /// strftime format of the times, e.g. `%d/%m/%Y %H:%M` (default: ISO 8601 / RFC 3339).
    #[arg(long)]
    time_format: Option<String>,
    /// IANA time zone of times written without an offset, e.g. Europe/Paris (default UTC).
    #[arg(long)]
    time_zone: Option<String>,
    /// Field delimiter (default: guessed from the header line).
    #[arg(long)]
    delimiter: Option<char>,
    /// Import nothing if any row is bad (default: skip bad rows and list them).
    #[arg(long)]
    strict: bool,
    /// Replace the dataset's stations, series and samples with the file's.
    #[arg(long)]
    replace: bool,
    /// Configuration file naming the store (default: ./kartenn.toml; `KARTENN_STORE`).
    #[arg(long, short)]
    config: Option<PathBuf>,
}

fn unit_pair(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((variable, unit)) if !variable.trim().is_empty() => {
            Ok((variable.trim().to_owned(), unit.trim().to_owned()))
        }
        _ => Err(format!("`{text}` is not variable=unit")),
    }
}

/// The import the arguments describe (the same checks as `[[chronicles]]`).
fn chronicle_options(
    args: &ChronicleImportArgs,
) -> Result<kartenn::chronicles::import::ImportOptions, kartenn::chronicles::import::ImportError> {
    use kartenn::config::{ChronicleConfig, LayoutKind};
    let settings = ChronicleConfig {
        id: args.dataset.clone(),
        title: args.title.clone(),
        description: args.description.clone(),
        licence: args.licence.clone(),
        file: args.file.clone(),
        stations: args.stations.clone(),
        layout: match (args.long, args.wide) {
            (true, _) => Some(LayoutKind::Long),
            (_, true) => Some(LayoutKind::Wide),
            _ => None,
        },
        station_column: args.station_column.clone(),
        station: args.station.clone(),
        time_column: args.time_column.clone(),
        variable_column: args.variable_column.clone(),
        value_column: args.value_column.clone(),
        quality_column: args.quality_column.clone(),
        variables: args.variables.clone(),
        units: args.units.iter().cloned().collect(),
        time_format: args.time_format.clone(),
        time_zone: args.time_zone.clone(),
        delimiter: args.delimiter,
        strict: args.strict,
        demo: false,
    };
    let mut options = settings.import_options()?;
    options.replace = args.replace;
    Ok(options)
}

fn import_chronicles(args: &ChronicleImportArgs) -> ExitCode {
    use kartenn::chronicles::import;
    let options = match chronicle_options(args) {
        Ok(options) => options,
        Err(err) => {
            eprintln!("kartenn chronicles import: {err}");
            return ExitCode::from(2);
        }
    };
    let env = |key: &str| std::env::var(key).ok();
    let config = match Config::load(args.config.as_deref(), &env, &Overrides::default()) {
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
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(
            "importing {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let store_path = &config.store.path;
    let result = runtime.block_on(async {
        let store = kartenn::store::Store::open(store_path).await?;
        let store = kartenn::chronicles::store::ChronicleStore::new(store);
        import::import(&store, &options, &args.file, &|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await
    });
    bar.finish_and_clear();
    match result {
        Ok(report) => {
            print_report(args, &report, store_path);
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("kartenn chronicles import: {err}");
            if let kartenn::chronicles::ChronicleError::Import(import::ImportError::Strict {
                rows,
                ..
            }) = &err
            {
                for row in rows {
                    eprintln!("{}:{}: {}", args.file.display(), row.line, row.reason);
                }
            }
            ExitCode::FAILURE
        }
    }
}

fn print_report(
    args: &ChronicleImportArgs,
    report: &kartenn::chronicles::import::ImportReport,
    store_path: &Path,
) {
    for row in &report.bad_rows {
        eprintln!("{}:{}: {}", args.file.display(), row.line, row.reason);
    }
    let unlisted = report.bad_row_count - report.bad_rows.len() as u64;
    if unlisted > 0 {
        eprintln!("… and {unlisted} more bad rows");
    }
    if !report.unlocated_stations.is_empty() {
        eprintln!(
            "warning: stations without a location (give --stations): {}",
            report.unlocated_stations.join(", ")
        );
    }
    let seconds = report.elapsed.as_secs_f64().max(1e-9);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "imported {} into dataset `{}` of {}: {} rows ({} bad), {} samples, {} stations, \
         {} series in {seconds:.2} s ({:.0} rows/s, {:.0} samples/s)",
        args.file.display(),
        report.dataset,
        store_path.display(),
        report.rows,
        report.bad_row_count,
        report.samples,
        report.stations,
        report.series,
        report.rows as f64 / seconds,
        report.samples as f64 / seconds,
    );
}
