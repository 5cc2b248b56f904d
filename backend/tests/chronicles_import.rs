//! Chronicle imports from the outside: a large generated file streamed into a store on disk,
//! configured imports across restarts, and `kartenn chronicles import` run as a program.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

use kartenn::chronicles::import::{self, ImportOptions, Layout, StationSource};
use kartenn::chronicles::store::ChronicleStore;
use kartenn::config::Config;
use kartenn::store::Store;

async fn open(path: &Path) -> ChronicleStore {
    ChronicleStore::new(Store::open(path).await.expect("store opens"))
}

async fn sample_count(store: &ChronicleStore) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM chronicle_samples")
        .fetch_one(store.pool())
        .await
        .expect("count")
}

/// 2024-01-01T00:00:00Z in seconds.
const JAN1_S: i64 = 1_704_067_200;

/// `rows` rows of a long file: 4 stations × 2 variables, one sample a minute each.
fn long_file(dir: &Path, rows: usize) -> PathBuf {
    let mut text = String::with_capacity(rows * 48);
    text.push_str("station,variable,time,value,quality\n");
    for i in 0..rows {
        let series = i % 8;
        let minute = (i / 8) as i64;
        let t = chrono_like_iso(JAN1_S + minute * 60);
        let _ = writeln!(
            text,
            "s{},{},{t},{:.2},{}",
            series / 2,
            if series % 2 == 0 { "temp" } else { "sal" },
            10.0 + (i % 1000) as f64 / 100.0,
            i % 3
        );
    }
    let path = dir.join("big.csv");
    std::fs::write(&path, text).expect("write");
    path
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a time in January 2024 (or later days of a 31-day month).
fn chrono_like_iso(seconds: i64) -> String {
    let s = seconds - JAN1_S;
    let (day, rest) = (s / 86_400, s % 86_400);
    assert!(day < 31, "within January");
    format!(
        "2024-01-{:02}T{:02}:{:02}:{:02}Z",
        day + 1,
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

fn long_options(dataset: &str) -> ImportOptions {
    ImportOptions::new(
        dataset,
        Layout::Long {
            station: StationSource::Column("station".into()),
            variable: "variable".into(),
            time: "time".into(),
            value: "value".into(),
            quality: Some("quality".into()),
        },
    )
}

#[tokio::test]
async fn a_large_file_is_streamed_into_a_store_on_disk_with_progress() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = long_file(dir.path(), 300_000);
    let size = std::fs::metadata(&file).expect("stat").len();
    let store = open(&dir.path().join("k.db")).await;
    let progress = Mutex::new(Vec::new());
    let report = import::import(&store, &long_options("big"), &file, &|done, total| {
        progress.lock().expect("lock").push((done, total));
    })
    .await
    .expect("import");
    assert_eq!(report.rows, 300_000);
    assert_eq!(report.samples, 300_000);
    assert_eq!((report.stations, report.series), (4, 8));
    assert_eq!(report.bytes, size);
    assert_eq!(sample_count(&store).await, 300_000);
    let progress = progress.into_inner().expect("lock");
    assert!(
        progress.len() > 10,
        "progress while reading, not once at the end: {}",
        progress.len()
    );
    assert!(progress.windows(2).all(|w| w[0].0 <= w[1].0));
    assert_eq!(progress.last(), Some(&(size, size)));
    for series in store.series("big", None).await.expect("series") {
        assert_eq!(series.step_s, Some(60.0), "{series:?}");
    }
    let rate = report.rows as f64 / report.elapsed.as_secs_f64();
    eprintln!("300 000 rows in {:?} ({rate:.0} rows/s)", report.elapsed);

    // The same file again: nothing doubles.
    let again = import::import(&store, &long_options("big"), &file, &|_, _| {})
        .await
        .expect("re-import");
    assert_eq!(again.samples, 300_000);
    assert_eq!(sample_count(&store).await, 300_000);
}

#[tokio::test]
async fn configured_chronicles_survive_a_restart_without_being_imported_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    long_file(dir.path(), 1_000);
    std::fs::write(
        dir.path().join("stations.csv"),
        "id,name,lon,lat\ns0,A,-4.5,48.4\ns1,B,-3.9,48.7\ns2,C,-2.8,47.3\ns3,D,-1.6,48.1\n",
    )
    .expect("write");
    let toml = r#"
        layers = []
        [store]
        path = "k.db"
        [[chronicles]]
        id = "big"
        title = "Big"
        licence = "CC0-1.0"
        file = "big.csv"
        stations = "stations.csv"
        layout = "long"
        quality_column = "quality"
        units = { temp = "°C", sal = "PSU" }
    "#;
    let config = Config::from_toml(toml, dir.path(), &|_| None).expect("config");
    {
        let store = open(&config.store.path).await;
        let reports = import::import_configured(&config, &store)
            .await
            .expect("import");
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].samples, 1_000);
    }
    let store = open(&config.store.path).await;
    let reports = import::import_configured(&config, &store)
        .await
        .expect("again");
    assert!(reports.is_empty(), "unchanged since the last start");
    let dataset = store.dataset("big").await.expect("dataset");
    assert_eq!(dataset.title, "Big");
    assert_eq!(dataset.licence.as_deref(), Some("CC0-1.0"));
    let stations = store.stations("big").await.expect("stations");
    assert_eq!(stations.len(), 4);
    assert!((stations[0].lon + 4.5).abs() < 1e-12);
    assert_eq!(sample_count(&store).await, 1_000);
}

fn kartenn(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kartenn"))
        .args(args)
        .current_dir(dir)
        .env("KARTENN_STORE", dir.join("k.db"))
        .env("KARTENN_LOG", "warn")
        .output()
        .expect("kartenn runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn the_command_imports_reimports_and_reports_bad_rows_by_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("temps.csv"),
        "date;site;T;S\n\
         01/01/2024 01:00;brest;10,5;35\n\
         01/01/2024 02:00;brest;NA;35,1\n\
         01/01/2024 03:00;brest;11;\n\
         01/01/2024 04:00;brest;warm;35,2\n",
    )
    .expect("write");
    let args = [
        "chronicles",
        "import",
        "temps.csv",
        "--dataset",
        "neo",
        "--title",
        "NEO Brest",
        "--time-column",
        "date",
        "--station-column",
        "site",
        "--variables",
        "T,S",
        "--units",
        "T=°C,S=PSU",
        "--time-format",
        "%d/%m/%Y %H:%M",
        "--time-zone",
        "Europe/Paris",
    ];
    let out = kartenn(dir.path(), &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("4 rows (1 bad), 6 samples, 1 stations, 2 series"),
        "{stdout}"
    );
    assert!(
        text(&out.stderr).contains("temps.csv:5: column `T`: `warm` is not a number"),
        "{}",
        text(&out.stderr)
    );
    let again = kartenn(dir.path(), &args);
    assert!(again.status.success());
    let store = open(&dir.path().join("k.db")).await;
    assert_eq!(sample_count(&store).await, 6, "re-imported, not doubled");
    let series = store.series("neo", Some("brest")).await.expect("series");
    assert_eq!(series[0].unit.as_deref(), Some("PSU"));
    assert_eq!(series[1].step_s, Some(3600.0));
    assert_eq!(
        store.samples(series[1].key, 0, i64::MAX).await.expect("T")[0],
        (JAN1_S * 1_000_000, Some(10.5)),
        "01:00 in Paris is midnight UTC"
    );

    // --strict: the bad row fails the import, the store keeps what it had.
    let mut strict = args.to_vec();
    strict.extend(["--strict", "--replace"]);
    let out = kartenn(dir.path(), &strict);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("temps.csv: 1 bad row, nothing imported"),
        "{stderr}"
    );
    assert!(stderr.contains("temps.csv:5:"), "{stderr}");
    assert_eq!(sample_count(&store).await, 6);
}

#[test]
fn the_command_names_a_missing_column_and_an_unsaid_layout() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("t.csv"),
        "station,variable,when,value\na,v,2024-01-01,1\n",
    )
    .expect("write");
    let out = kartenn(
        dir.path(),
        &["chronicles", "import", "t.csv", "--dataset", "d", "--long"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim(),
        "kartenn chronicles import: t.csv: no column `time` (the header has: station, \
         variable, when, value)"
    );
    let out = kartenn(
        dir.path(),
        &["chronicles", "import", "t.csv", "--dataset", "d"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("say which layout"),
        "{}",
        text(&out.stderr)
    );
    let out = kartenn(
        dir.path(),
        &[
            "chronicles",
            "import",
            "missing.csv",
            "--dataset",
            "d",
            "--long",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("missing.csv: No such file"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_command_writes_into_the_store_of_the_configuration_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("kartenn.toml"),
        "layers = []\n[store]\npath = \"data/chronicles.db\"\n",
    )
    .expect("write");
    std::fs::create_dir(dir.path().join("data")).expect("mkdir");
    std::fs::write(
        dir.path().join("t.csv"),
        "time,level\n2024-01-01T00:00Z,1.5\n",
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_kartenn"))
        .args([
            "chronicles",
            "import",
            "t.csv",
            "--dataset",
            "tide",
            "--station",
            "brest",
            "-c",
            "kartenn.toml",
        ])
        .current_dir(dir.path())
        .env_remove("KARTENN_STORE")
        .output()
        .expect("kartenn runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("stations without a location"),
        "{}",
        text(&out.stderr)
    );
    assert!(dir.path().join("data/chronicles.db").is_file());
}
