//! Whole imports into an in-memory store: layouts, times, gaps, bad rows, strictness,
//! atomicity, idempotence, step detection and the configured imports.

use std::fmt::Write as _;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use super::*;
use crate::chronicles::store::ChronicleStore;
use crate::store::Store;

async fn store() -> ChronicleStore {
    ChronicleStore::new(Store::memory().await.unwrap())
}

fn long(dataset: &str) -> ImportOptions {
    ImportOptions::new(
        dataset,
        Layout::Long {
            station: StationSource::Column("station".into()),
            variable: "variable".into(),
            time: "time".into(),
            value: "value".into(),
            quality: None,
        },
    )
}

fn wide(dataset: &str, station: StationSource) -> ImportOptions {
    ImportOptions::new(
        dataset,
        Layout::Wide {
            station,
            time: "time".into(),
            variables: None,
        },
    )
}

async fn run(
    store: &ChronicleStore,
    options: &ImportOptions,
    text: &str,
) -> Result<ImportReport, ChronicleError> {
    let bytes = text.as_bytes().to_vec();
    let total = bytes.len() as u64;
    import_reader(
        store,
        options,
        Path::new("test.csv"),
        Cursor::new(bytes),
        total,
        &|_, _| {},
    )
    .await
}

/// (time µs, value) of a series.
async fn points(
    store: &ChronicleStore,
    dataset: &str,
    station: &str,
    variable: &str,
) -> Vec<(i64, Option<f64>)> {
    let series = store.series(dataset, Some(station)).await.unwrap();
    let series = series
        .iter()
        .find(|s| s.variable == variable)
        .unwrap_or_else(|| panic!("no series {station}/{variable} in {series:?}"));
    store.samples(series.key, i64::MIN, i64::MAX).await.unwrap()
}

async fn sample_count(store: &ChronicleStore) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM chronicle_samples")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// 2024-01-01T00:00:00Z in µs.
const JAN1: i64 = 1_704_067_200_000_000;
const HOUR: i64 = 3_600_000_000;

#[tokio::test]
async fn a_long_file_makes_one_series_per_station_and_variable_with_gaps_kept() {
    let store = store().await;
    let mut options = long("neo");
    options.units.insert("temp".into(), "°C".into());
    options.dataset.title = Some("NEO".into());
    let text = "station,variable,time,value\n\
                brest,temp,2024-01-01T00:00:00Z,10.5\n\
                brest,temp,2024-01-01T01:00:00Z,NA\n\
                brest,temp,2024-01-01T02:00:00Z,11\n\
                brest,sal,2024-01-01T00:00:00Z,35.1\n\
                roscoff,temp,2024-01-01T00:00:00Z,\n";
    let report = run(&store, &options, text).await.unwrap();
    assert_eq!(
        (
            report.rows,
            report.samples,
            report.stations,
            report.series,
            report.bad_row_count
        ),
        (5, 5, 2, 3, 0)
    );
    assert_eq!(report.unlocated_stations, ["brest", "roscoff"]);
    assert_eq!(
        points(&store, "neo", "brest", "temp").await,
        [
            (JAN1, Some(10.5)),
            (JAN1 + HOUR, None),
            (JAN1 + 2 * HOUR, Some(11.0))
        ]
    );
    let series = store.series("neo", Some("brest")).await.unwrap();
    let temp = series.iter().find(|s| s.variable == "temp").unwrap();
    assert_eq!(temp.unit.as_deref(), Some("°C"));
    assert_eq!(temp.step_s, Some(3600.0));
    let dataset = store.dataset("neo").await.unwrap();
    assert_eq!(dataset.title, "NEO");
}

#[tokio::test]
async fn a_wide_file_with_a_stations_file_takes_every_numeric_column() {
    let dir = tempfile::tempdir().unwrap();
    let stations = write_file(
        dir.path(),
        "stations.csv",
        "id,name,lon,lat,depth_m\nB1,Brest,-4.49,48.38,12\nR1,Roscoff,-3.98,48.72,8\n",
    );
    let store = store().await;
    let mut options = wide("neo", StationSource::Column("site".into()));
    options.stations = Some(stations);
    options.units.insert("temp".into(), "°C".into());
    let text = "site;time;temp;sal;comment\n\
                B1;2024-01-01 00:00;10,5;35,1;calm\n\
                R1;2024-01-01 00:00;9,5;NaN;\n";
    let report = run(&store, &options, text).await.unwrap();
    assert_eq!((report.samples, report.series), (4, 4));
    assert!(report.unlocated_stations.is_empty());
    assert_eq!(
        points(&store, "neo", "B1", "sal").await,
        [(JAN1, Some(35.1))]
    );
    assert_eq!(points(&store, "neo", "R1", "sal").await, [(JAN1, None)]);
    let stored = store.stations("neo").await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].name, "Brest");
    assert_eq!(stored[0].attributes["depth_m"], serde_json::json!(12));
    let series = store.series("neo", Some("B1")).await.unwrap();
    let names: Vec<_> = series.iter().map(|s| s.variable.as_str()).collect();
    assert_eq!(names, ["sal", "temp"], "the text column is not a variable");
}

#[tokio::test]
async fn a_wide_file_of_one_station_names_its_variables_and_units() {
    let store = store().await;
    let mut options = wide("neo", StationSource::Fixed("brest".into()));
    options.layout = Layout::Wide {
        station: StationSource::Fixed("brest".into()),
        time: "time".into(),
        variables: Some(vec![VariableColumn {
            column: "T (°C)".into(),
            variable: "temp".into(),
            unit: Some("°C".into()),
        }]),
    };
    let text = "time,T (°C),other\n2024-01-01,1.5,x\n2024-01-02,2.5,y\n";
    let report = run(&store, &options, text).await.unwrap();
    assert_eq!((report.samples, report.series), (2, 1));
    let series = &store.series("neo", None).await.unwrap()[0];
    assert_eq!(
        (series.variable.as_str(), series.unit.as_deref()),
        ("temp", Some("°C"))
    );
    assert_eq!(series.step_s, Some(86_400.0));
}

#[tokio::test]
async fn iso_times_with_offsets_z_and_fractions_are_stored_in_utc_microseconds() {
    let store = store().await;
    let text = "station,variable,time,value\n\
                a,v,2024-01-01T00:00:00Z,1\n\
                a,v,2024-01-01T02:00:00.25+01:00,2\n\
                a,v,2024-01-01T00:00:00.000001-02:00,3\n";
    run(&store, &long("d"), text).await.unwrap();
    assert_eq!(
        points(&store, "d", "a", "v").await,
        [
            (JAN1, Some(1.0)),
            (JAN1 + HOUR + 250_000, Some(2.0)),
            (JAN1 + 2 * HOUR + 1, Some(3.0)),
        ]
    );
}

#[tokio::test]
async fn local_paris_times_cross_both_clock_changes_and_the_odd_hours_are_bad_rows() {
    let store = store().await;
    let mut options = long("d");
    options.time_zone = Some("Europe/Paris".into());
    let text = "station,variable,time,value\n\
                a,v,2024-03-31 01:30,1\n\
                a,v,2024-03-31 02:30,2\n\
                a,v,2024-03-31 03:30,3\n\
                a,v,2024-10-27 01:30,4\n\
                a,v,2024-10-27 02:30,5\n\
                a,v,2024-10-27T02:30+02:00,6\n\
                a,v,2024-10-27T02:30+01:00,7\n\
                a,v,2024-10-27 03:30,8\n";
    let report = run(&store, &options, text).await.unwrap();
    assert_eq!(report.bad_row_count, 2);
    assert_eq!(report.bad_rows[0].line, 3);
    assert!(
        report.bad_rows[0].reason.contains("does not exist"),
        "{:?}",
        report.bad_rows
    );
    assert_eq!(report.bad_rows[1].line, 6);
    assert!(report.bad_rows[1].reason.contains("ambiguous"));
    let t = |iso: &str| {
        time::TimeParser::new(None, None)
            .unwrap()
            .parse(iso)
            .unwrap()
    };
    let values: Vec<_> = points(&store, "d", "a", "v").await;
    assert_eq!(
        values,
        [
            (t("2024-03-31T00:30Z"), Some(1.0)),
            (t("2024-03-31T01:30Z"), Some(3.0)),
            (t("2024-10-26T23:30Z"), Some(4.0)),
            (t("2024-10-27T00:30Z"), Some(6.0)),
            (t("2024-10-27T01:30Z"), Some(7.0)),
            (t("2024-10-27T02:30Z"), Some(8.0)),
        ]
    );
    options.strict = true;
    let err = run(&store, &options, text).await.unwrap_err().to_string();
    assert!(
        err.contains("test.csv: 2 bad rows") && err.contains("line 3:"),
        "{err}"
    );
}

#[tokio::test]
async fn a_custom_time_format_reads_french_dates() {
    let store = store().await;
    let mut options = long("d");
    options.time_format = Some("%d/%m/%Y %Hh%M".into());
    options.time_zone = Some("Europe/Paris".into());
    let text = "station;variable;time;value\na;v;01/01/2024 01h00;1,5\n";
    run(&store, &options, text).await.unwrap();
    assert_eq!(points(&store, "d", "a", "v").await, [(JAN1, Some(1.5))]);
}

#[tokio::test]
async fn duplicates_and_re_imports_add_no_samples_and_report_the_same_counts() {
    let store = store().await;
    let text = "station,variable,time,value\n\
                a,v,2024-01-01T00:00Z,1\n\
                a,v,2024-01-01T01:00Z,2\n\
                a,v,2024-01-01T00:00Z,9\n";
    let first = run(&store, &long("d"), text).await.unwrap();
    assert_eq!(sample_count(&store).await, 2);
    assert_eq!(
        points(&store, "d", "a", "v").await[0],
        (JAN1, Some(9.0)),
        "the last wins"
    );
    let again = run(&store, &long("d"), text).await.unwrap();
    assert_eq!(sample_count(&store).await, 2);
    assert_eq!(
        (first.rows, first.samples, first.series),
        (again.rows, again.samples, again.series)
    );
    assert!(
        again.unlocated_stations.is_empty(),
        "the station exists now"
    );
}

#[tokio::test]
async fn bad_rows_are_listed_by_line_and_the_rest_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let stations = write_file(dir.path(), "s.csv", "id,lon,lat\na,1,2\n");
    let store = store().await;
    let mut options = long("d");
    options.stations = Some(stations);
    let text = "station,variable,time,value\n\
                a,v,2024-01-01T00:00Z,1\n\
                a,v,yesterday,2\n\
                a,v,2024-01-01T02:00Z,two\n\
                zz,v,2024-01-01T03:00Z,3\n\
                a,v,2024-01-01T04:00Z\n\
                a,v,2024-01-01T05:00Z,5\n";
    let report = run(&store, &options, text).await.unwrap();
    let lines: Vec<u64> = report.bad_rows.iter().map(|b| b.line).collect();
    assert_eq!(lines, [3, 4, 5, 6]);
    let reasons: Vec<&str> = report.bad_rows.iter().map(|b| b.reason.as_str()).collect();
    assert!(reasons[0].contains("`yesterday`"), "{reasons:?}");
    assert!(reasons[1].contains("`two` is not a number"), "{reasons:?}");
    assert!(reasons[2].contains("unknown station `zz`"), "{reasons:?}");
    assert!(
        reasons[3].contains("3 fields where the header has 4"),
        "{reasons:?}"
    );
    assert_eq!((report.rows, report.samples), (6, 2));
    assert_eq!(sample_count(&store).await, 2);
}

#[tokio::test]
async fn the_bad_row_list_is_capped_but_every_bad_row_is_counted() {
    let store = store().await;
    let mut text = String::from("station,variable,time,value\n");
    for i in 0..250 {
        let _ = writeln!(text, "a,v,2024-01-01T00:00Z,x{i}");
    }
    let report = run(&store, &long("d"), &text).await.unwrap();
    assert_eq!(report.bad_row_count, 250);
    assert_eq!(report.bad_rows.len(), MAX_BAD_ROWS_LISTED);
}

#[tokio::test]
async fn strict_imports_keep_nothing_when_a_row_is_bad() {
    let store = store().await;
    let mut options = long("d");
    options.strict = true;
    let text = "station,variable,time,value\na,v,2024-01-01T00:00Z,1\na,v,2024-01-01T01:00Z,oops\n";
    let err = run(&store, &options, text).await.unwrap_err();
    assert!(
        matches!(&err, ChronicleError::Import(ImportError::Strict { count: 1, rows, .. }) if rows[0].line == 3),
        "{err}"
    );
    assert!(
        store.datasets().await.unwrap().is_empty(),
        "not even the dataset"
    );
    assert_eq!(sample_count(&store).await, 0);
}

/// A reader that fails after `ok` bytes, like a disk going away.
struct Failing {
    inner: Cursor<Vec<u8>>,
    ok: u64,
}

impl Read for Failing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.inner.position() >= self.ok {
            return Err(std::io::Error::other("device went away"));
        }
        let room = (self.ok - self.inner.position()).min(buf.len() as u64) as usize;
        self.inner.read(&mut buf[..room])
    }
}

#[tokio::test]
async fn an_import_failing_midway_leaves_the_store_as_it_was() {
    let store = store().await;
    run(
        &store,
        &long("d"),
        "station,variable,time,value\na,v,2024-01-01T00:00Z,1\n",
    )
    .await
    .unwrap();
    let mut text = String::from("station,variable,time,value\n");
    for i in 0..100_000 {
        let _ = writeln!(text, "b,v,{},{i}", JAN1 / 1_000_000 + i * 60);
    }
    let mut options = long("d");
    options.time_format = Some("%s".into());
    options.replace = true;
    let bytes = text.into_bytes();
    let total = bytes.len() as u64;
    let reader = Failing {
        inner: Cursor::new(bytes),
        ok: total / 2,
    };
    let err = import_reader(
        &store,
        &options,
        Path::new("big.csv"),
        reader,
        total,
        &|_, _| {},
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("big.csv") && err.contains("device went away"),
        "{err}"
    );
    assert_eq!(
        sample_count(&store).await,
        1,
        "the earlier import is intact"
    );
    assert_eq!(
        points(&store, "d", "a", "v").await,
        [(JAN1, Some(1.0))],
        "`replace` was rolled back too"
    );
}

#[tokio::test]
async fn replace_makes_the_file_the_whole_dataset() {
    let store = store().await;
    let head = "station,variable,time,value\n";
    run(
        &store,
        &long("d"),
        &format!("{head}a,v,2024-01-01T00:00Z,1\n"),
    )
    .await
    .unwrap();
    let mut options = long("d");
    options.replace = true;
    run(
        &store,
        &options,
        &format!("{head}b,v,2024-01-01T00:00Z,2\n"),
    )
    .await
    .unwrap();
    let stations = store.stations("d").await.unwrap();
    assert_eq!(stations.len(), 1);
    assert_eq!(stations[0].id, "b");
    assert_eq!(sample_count(&store).await, 1);
}

#[tokio::test]
async fn irregular_series_have_no_step_and_a_few_gaps_keep_it() {
    let store = store().await;
    let mut text = String::from("station,variable,time,value\n");
    // Regular: 20 hourly samples with one missing hour (19 of 20 steps equal).
    for h in (0..21).filter(|h| *h != 10) {
        let _ = writeln!(text, "a,reg,{},1", JAN1 / 1_000_000 + h * 3600);
    }
    for s in [0, 1, 3, 7, 15, 31] {
        let _ = writeln!(text, "a,irr,{},1", JAN1 / 1_000_000 + s * 60);
    }
    let mut options = long("d");
    options.time_format = Some("%s".into());
    run(&store, &options, &text).await.unwrap();
    let series = store.series("d", None).await.unwrap();
    let step = |v: &str| series.iter().find(|s| s.variable == v).unwrap().step_s;
    assert_eq!(step("reg"), Some(3600.0));
    assert_eq!(step("irr"), None);
}

#[tokio::test]
async fn a_missing_column_names_the_file_the_column_and_what_there_is() {
    let store = store().await;
    let err = run(&store, &long("d"), "station,variable,date,value\n")
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "test.csv: no column `time` (the header has: station, variable, date, value)"
    );
    let err = run(&store, &long("d"), "").await.unwrap_err().to_string();
    assert!(err.contains("empty"), "{err}");
}

#[tokio::test]
async fn a_fixed_station_missing_from_the_stations_file_is_refused_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = wide("d", StationSource::Fixed("nowhere".into()));
    options.stations = Some(write_file(dir.path(), "s.csv", "id,lon,lat\na,1,2\n"));
    let err = run(&store().await, &options, "time,v\n2024-01-01,1\n")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`nowhere` is not in the stations file"),
        "{err}"
    );
}

#[tokio::test]
async fn the_bundled_demo_chronicles_import_whole() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/demo");
    let config = &crate::config::demo_chronicles(&dir)[0];
    let store = store().await;
    let progress = std::sync::Mutex::new(Vec::new());
    let report = import(
        &store,
        &config.import_options().unwrap(),
        &config.file,
        &|done, total| progress.lock().unwrap().push((done, total)),
    )
    .await
    .unwrap();
    assert_eq!(report.bad_row_count, 0, "{:?}", report.bad_rows);
    assert_eq!(
        (report.rows, report.samples, report.stations, report.series),
        (26_115, 26_115 * 5, 3, 15)
    );
    let progress = progress.into_inner().unwrap();
    let size = std::fs::metadata(&config.file).unwrap().len();
    assert_eq!(progress.last(), Some(&(size, size)));
    assert!(progress.windows(2).all(|w| w[0].0 <= w[1].0));
    for series in store.series("nyc-weather", None).await.unwrap() {
        assert_eq!(series.step_s, Some(3600.0), "{series:?}");
        assert!(series.unit.is_some());
    }
    let jfk = store.stations("nyc-weather").await.unwrap();
    assert_eq!(jfk[1].id, "JFK");
    assert!((jfk[1].lat - 40.639_751).abs() < 1e-9);
}

#[tokio::test]
async fn a_spreadsheet_export_with_bom_crlf_quotes_and_blank_lines_is_read() {
    let store = store().await;
    let text = "\u{feff}station;time;\"T; eau\"\r\n\
                \"Brest, port\";2024-01-01 00:00;10,5\r\n\
                \r\n\
                \"Brest, port\";2024-01-01 01:00;11\r\n";
    let mut options = wide("d", StationSource::Column("station".into()));
    options.layout = Layout::Wide {
        station: StationSource::Column("station".into()),
        time: "time".into(),
        variables: None,
    };
    let report = run(&store, &options, text).await.unwrap();
    assert_eq!(
        (report.rows, report.bad_row_count),
        (2, 0),
        "{:?}",
        report.bad_rows
    );
    assert_eq!(
        points(&store, "d", "Brest, port", "T; eau").await,
        [(JAN1, Some(10.5)), (JAN1 + HOUR, Some(11.0))]
    );
}
