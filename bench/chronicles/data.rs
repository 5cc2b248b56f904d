//! The benchmark's data: the real 2013 hourly series of the three New York airports, tiled
//! and resampled into 10 M samples, fed to the import side as CSV generated on the fly.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use kartenn::chronicles::import::{
    DatasetMeta, ImportOptions, Layout, StationSource, VariableColumn, import_reader,
};
use kartenn::chronicles::store::ChronicleStore;

/// Stations of the 200 000-sample series.
pub const STATIONS: usize = 9;
/// Their variables (columns of the weather file).
pub const VARIABLES: [&str; 5] = ["temp", "humid", "wind_speed", "pressure", "precip"];
/// Hourly samples per small series.
const HOURS: usize = 200_000;
/// Samples of the big series (10-minute steps).
const BIG: usize = 1_000_000;
const HOURS_2013: usize = 8760;
/// 2000-01-01T00:00:00Z, where every generated series starts.
const START_S: i64 = 946_684_800;
const AIRPORTS: [&str; 3] = ["EWR", "JFK", "LGA"];

/// `values[airport][variable][hour of 2013]`.
pub struct Airports {
    values: Vec<Vec<Vec<Option<f64>>>>,
}

impl Airports {
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().context("empty file")?.split(',').collect();
        let col = |name: &str| {
            header
                .iter()
                .position(|h| *h == name)
                .context(name.to_owned())
        };
        let (origin, time) = (col("origin")?, col("time_hour")?);
        let vars = VARIABLES.map(col);
        let mut values = vec![vec![vec![None; HOURS_2013]; VARIABLES.len()]; AIRPORTS.len()];
        let year = DateTime::parse_from_rfc3339("2013-01-01T00:00:00Z")?.timestamp();
        for line in lines {
            let fields: Vec<&str> = line.split(',').collect();
            let Some(a) = AIRPORTS.iter().position(|x| fields.get(origin) == Some(x)) else {
                continue;
            };
            let Some(t) = fields
                .get(time)
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            else {
                continue;
            };
            let hour = usize::try_from((t.timestamp() - year) / 3600).unwrap_or(usize::MAX);
            if hour >= HOURS_2013 {
                continue;
            }
            for (v, column) in vars.iter().enumerate() {
                let column = *column.as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;
                values[a][v][hour] = fields.get(column).and_then(|x| x.parse().ok());
            }
        }
        Ok(Self { values })
    }

    fn at(&self, airport: usize, variable: usize, hour: usize) -> Option<f64> {
        self.values[airport][variable][hour % HOURS_2013]
    }
}

/// CSV text produced on demand, line by line.
struct Generated<F> {
    buf: Vec<u8>,
    pos: usize,
    next: F,
}

impl<F: FnMut(&mut Vec<u8>) -> bool> Read for Generated<F> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            while self.buf.len() < 64 * 1024 && (self.next)(&mut self.buf) {}
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn iso(seconds: i64) -> String {
    DateTime::<Utc>::from_timestamp(seconds, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn push_value(buf: &mut Vec<u8>, value: Option<f64>) {
    use std::io::Write as _;
    buf.push(b',');
    if let Some(v) = value {
        let _ = write!(buf, "{v:.3}");
    }
}

/// What the imports did.
pub struct Imported {
    pub samples: u64,
    pub elapsed: Duration,
}

fn options(layout: Layout, stations: &Path) -> ImportOptions {
    let mut options = ImportOptions::new("bench", layout);
    options.dataset = DatasetMeta {
        id: "bench".into(),
        title: Some("Benchmark: New York weather tiled to 10 M samples".into()),
        ..DatasetMeta::default()
    };
    options.stations = Some(stations.to_owned());
    options
}

fn columns(names: &[&str]) -> Vec<VariableColumn> {
    names
        .iter()
        .map(|n| VariableColumn {
            column: (*n).to_owned(),
            variable: (*n).to_owned(),
            unit: None,
        })
        .collect()
}

/// Imports the 9 × 5 hourly series (one file) and the 1 M-sample series (another).
pub async fn import_all(store: &ChronicleStore, real: &Airports, dir: &Path) -> Result<Imported> {
    use std::fmt::Write as _;
    let stations = dir.join("stations.csv");
    let mut text = String::from("id,name,lon,lat\n");
    for s in 0..STATIONS {
        let _ = writeln!(text, "S{s},Station {s},{},40.6", -74.2 + s as f64 * 0.05);
    }
    text += "EWR10,Newark every 10 minutes,-74.168667,40.6925\n";
    std::fs::write(&stations, text)?;
    let real = Arc::new(Airports {
        values: real.values.clone(),
    });

    let started = Instant::now();
    let hourly = Arc::clone(&real);
    let (mut station, mut hour, mut header) = (0, 0, true);
    let reader = Generated {
        buf: Vec::new(),
        pos: 0,
        next: move |buf: &mut Vec<u8>| {
            if header {
                header = false;
                buf.extend_from_slice(b"station,time,temp,humid,wind_speed,pressure,precip\n");
                return true;
            }
            if station == STATIONS {
                return false;
            }
            buf.extend_from_slice(
                format!("S{station},{}", iso(START_S + hour as i64 * 3600)).as_bytes(),
            );
            for v in 0..VARIABLES.len() {
                push_value(buf, hourly.at(station % 3, v, hour));
            }
            buf.push(b'\n');
            hour += 1;
            if hour == HOURS {
                (station, hour) = (station + 1, 0);
            }
            true
        },
    };
    let layout = Layout::Wide {
        station: StationSource::Column("station".into()),
        time: "time".into(),
        variables: Some(columns(&VARIABLES)),
    };
    let small = import_reader(
        store,
        &options(layout, &stations),
        Path::new("hourly.csv"),
        reader,
        0,
        &|_, _| {},
    )
    .await?;
    println!(
        "  9 stations × 5 variables × {HOURS} hours: {} samples in {:.1} s",
        small.samples,
        small.elapsed.as_secs_f64()
    );

    let (mut i, mut header) = (0usize, true);
    let reader = Generated {
        buf: Vec::new(),
        pos: 0,
        next: move |buf: &mut Vec<u8>| {
            if header {
                header = false;
                buf.extend_from_slice(b"time,temp\n");
                return true;
            }
            if i == BIG {
                return false;
            }
            let (hour, step) = (i / 6, i % 6);
            let value = real
                .at(0, 0, hour)
                .zip(real.at(0, 0, hour + 1))
                .map(|(a, b)| a + (b - a) * step as f64 / 6.0);
            buf.extend_from_slice(iso(START_S + i as i64 * 600).as_bytes());
            push_value(buf, value);
            buf.push(b'\n');
            i += 1;
            true
        },
    };
    let layout = Layout::Wide {
        station: StationSource::Fixed("EWR10".into()),
        time: "time".into(),
        variables: Some(columns(&["temp"])),
    };
    let big = import_reader(
        store,
        &options(layout, &stations),
        Path::new("ewr10.csv"),
        reader,
        0,
        &|_, _| {},
    )
    .await?;
    println!(
        "  EWR every 10 minutes: {} samples in {:.1} s",
        big.samples,
        big.elapsed.as_secs_f64()
    );
    Ok(Imported {
        samples: small.samples + big.samples,
        elapsed: started.elapsed(),
    })
}
