//! The reading side of an import, on a blocking thread: CSV records → samples, in chunks sent
//! to the writer. Each series is announced once (`Message::Series`, with a small index) before
//! its first sample. A row that cannot be read whole (wrong field count, unknown station,
//! unreadable time or number) is a bad row: it is counted, listed up to a cap, and none of its
//! values are kept. Missing values (empty, `NA`, `NaN`, `null`...) are samples without a value.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use tokio::sync::mpsc;

use super::step::{Step, StepStats};
use super::time::TimeParser;
use super::values::{cell, numeric_column, parse_quality, parse_value};
use super::{BadRow, ImportError, ImportOptions, Layout, MAX_BAD_ROWS_LISTED, StationSource};

/// Samples per chunk sent to the writer: a multiple of the rows per INSERT statement.
pub(super) const CHUNK: usize = super::write::ROWS_PER_STATEMENT * 16;
/// Rows looked at to find the numeric columns of a wide file without a variable list.
const SNIFF_ROWS: usize = 1000;

/// One measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Sample {
    pub series: u32,
    pub t: i64,
    pub value: Option<f64>,
    pub quality: Option<i64>,
}

pub(super) enum Message {
    /// A series first seen; its samples follow.
    Series {
        index: u32,
        station: String,
        variable: String,
        unit: Option<String>,
    },
    /// Samples in file order, and the bytes of the file read so far.
    Samples { samples: Vec<Sample>, bytes: u64 },
}

/// What the reading side saw.
#[derive(Debug, Default)]
pub(super) struct Summary {
    pub rows: u64,
    pub stations: u64,
    /// Per series (by index): its step when the file order tells (see `step`).
    pub steps: Vec<Step>,
    pub bad_rows: Vec<BadRow>,
    pub bad_row_count: u64,
    pub bytes: u64,
}

/// Everything the reading thread needs (owned: it outlives no one).
pub(super) struct Job {
    pub options: ImportOptions,
    pub file: PathBuf,
    /// The stations file's ids, when one was given.
    pub known_stations: Option<HashSet<String>>,
}

/// Columns resolved against the header.
enum Values {
    Long {
        variable: usize,
        value: usize,
        quality: Option<usize>,
    },
    /// (column, variable, unit)
    Wide(Vec<(usize, String, Option<String>)>),
}

enum Station {
    Column(usize),
    Fixed(String),
}

/// Reads the whole file, sending samples to `out`; returns what it saw.
pub(super) fn run(
    job: &Job,
    reader: impl Read,
    out: &mpsc::Sender<Message>,
) -> Result<Summary, ImportError> {
    let options = &job.options;
    let mut buffered = BufReader::with_capacity(1 << 18, reader);
    let io = |source| ImportError::Io {
        file: job.file.clone(),
        source,
    };
    let delimiter = match options.delimiter {
        Some(d) => d,
        None => sniff_delimiter(buffered.fill_buf().map_err(io)?),
    };
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(buffered);
    let headers = header_names(&mut csv).map_err(|message| ImportError::File {
        file: job.file.clone(),
        message,
    })?;
    let decimal_comma = delimiter != b',';
    let mut first_rows = Vec::new();
    let (station, time, values) = resolve(job, &headers, |station, time| {
        let mut record = csv::ByteRecord::new();
        while first_rows.len() < SNIFF_ROWS
            && csv
                .read_byte_record(&mut record)
                .map_err(|e| csv_error(job, &e))?
        {
            first_rows.push(record.clone());
        }
        let taken = |i: usize| i == time || matches!(station, Station::Column(s) if *s == i);
        Ok((0..headers.len())
            .filter(|&i| !taken(i) && numeric_column(&first_rows, i, decimal_comma))
            .collect())
    })?;
    if let (Station::Fixed(id), Some(known)) = (&station, &job.known_stations)
        && !known.contains(id)
    {
        return Err(ImportError::Options(format!(
            "station `{id}` is not in the stations file"
        )));
    }
    let plan = Plan {
        job,
        parser: TimeParser::new(options.time_format.as_deref(), options.time_zone.as_deref())
            .map_err(ImportError::Options)?,
        decimal_comma,
        header_len: headers.len(),
        station,
        time,
        values,
    };
    let mut state = State {
        out,
        series: HashMap::new(),
        next_series: 0,
        chunk: Vec::with_capacity(CHUNK),
        row: Vec::new(),
        summary: Summary::default(),
        steps: Vec::new(),
    };
    for record in &first_rows {
        state.record(&plan, record)?;
    }
    drop(first_rows);
    let mut record = csv::ByteRecord::new();
    while csv
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(job, &e))?
    {
        state.record(&plan, &record)?;
        if state.chunk.len() >= CHUNK {
            state.flush(record.position().map_or(0, csv::Position::byte))?;
        }
    }
    let bytes = csv.position().byte();
    state.flush(bytes)?;
    let mut summary = state.summary;
    summary.bytes = bytes;
    summary.stations = state.series.len() as u64;
    summary.steps = state.steps.iter().map(StepStats::step).collect();
    Ok(summary)
}

/// The station, time and value columns of the layout in `headers`. `sniff(station, time)`
/// finds the numeric columns of a wide file without a variable list (in its first rows).
fn resolve(
    job: &Job,
    headers: &[String],
    sniff: impl FnOnce(&Station, usize) -> Result<Vec<usize>, ImportError>,
) -> Result<(Station, usize, Values), ImportError> {
    let options = &job.options;
    let file_error = |message: String| ImportError::File {
        file: job.file.clone(),
        message,
    };
    let column = |name: &str| {
        let mut found = headers.iter().enumerate().filter(|(_, h)| *h == name);
        match (found.next(), found.next()) {
            (Some((i, _)), None) => Ok(i),
            (Some(_), Some(_)) => Err(file_error(format!(
                "column `{name}` appears twice in the header"
            ))),
            (None, _) => Err(ImportError::MissingColumn {
                file: job.file.clone(),
                column: name.to_owned(),
                available: headers.join(", "),
            }),
        }
    };
    let station_of = |source: &StationSource| match source {
        StationSource::Column(name) => column(name).map(Station::Column),
        StationSource::Fixed(id) => Ok(Station::Fixed(id.trim().to_owned())),
    };
    let unit = |variable: &str| options.units.get(variable).cloned();
    Ok(match &options.layout {
        Layout::Long {
            station,
            variable,
            time,
            value,
            quality,
        } => (
            station_of(station)?,
            column(time)?,
            Values::Long {
                variable: column(variable)?,
                value: column(value)?,
                quality: quality.as_deref().map(column).transpose()?,
            },
        ),
        Layout::Wide {
            station,
            time,
            variables: Some(variables),
        } => {
            let columns = variables
                .iter()
                .map(|v| {
                    let unit = v.unit.clone().or_else(|| unit(&v.variable));
                    Ok((column(&v.column)?, v.variable.clone(), unit))
                })
                .collect::<Result<Vec<_>, ImportError>>()?;
            (station_of(station)?, column(time)?, Values::Wide(columns))
        }
        Layout::Wide {
            station,
            time,
            variables: None,
        } => {
            let (station, time) = (station_of(station)?, column(time)?);
            let numeric = sniff(&station, time)?;
            if numeric.is_empty() {
                return Err(file_error(
                    "no column of numbers besides the station and the time; name the variables"
                        .to_owned(),
                ));
            }
            let columns = numeric
                .into_iter()
                .map(|i| (i, headers[i].clone(), unit(&headers[i])))
                .collect();
            (station, time, Values::Wide(columns))
        }
    })
}

/// How rows are read, resolved against the header.
struct Plan<'a> {
    job: &'a Job,
    parser: TimeParser,
    decimal_comma: bool,
    header_len: usize,
    station: Station,
    time: usize,
    values: Values,
}

/// The series of one station: the first of its wide columns' (consecutive), its long
/// variables'.
#[derive(Default)]
struct StationSeries {
    wide: Option<u32>,
    long: HashMap<String, u32>,
}

/// The reading state: the series seen, the chunk being filled.
struct State<'a> {
    out: &'a mpsc::Sender<Message>,
    series: HashMap<String, StationSeries>,
    next_series: u32,
    chunk: Vec<Sample>,
    /// The current row's samples, kept only once the whole row is read.
    row: Vec<Sample>,
    summary: Summary,
    /// Per series (by index), the intervals of the samples kept.
    steps: Vec<StepStats>,
}

impl State<'_> {
    fn record(&mut self, plan: &Plan, record: &csv::ByteRecord) -> Result<(), ImportError> {
        self.summary.rows += 1;
        if let Err(error) = self.read_row(plan, record) {
            let reason = match error {
                RowError::Bad(reason) => reason,
                RowError::Stop(error) => return Err(error),
            };
            self.summary.bad_row_count += 1;
            if self.summary.bad_rows.len() < MAX_BAD_ROWS_LISTED {
                self.summary.bad_rows.push(BadRow {
                    line: record.position().map_or(0, csv::Position::line),
                    reason,
                });
            }
        } else if !(plan.job.options.strict && self.summary.bad_row_count > 0) {
            // (Under `strict`, once a row is bad nothing will be kept: stop sending.)
            for sample in &self.row {
                if let Some(stats) = self.steps.get_mut(sample.series as usize) {
                    stats.add(sample.t);
                }
            }
            self.chunk.append(&mut self.row);
        }
        self.row.clear();
        Ok(())
    }

    fn flush(&mut self, bytes: u64) -> Result<(), ImportError> {
        let samples = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK));
        self.send(Message::Samples { samples, bytes })
    }

    fn send(&self, message: Message) -> Result<(), ImportError> {
        self.out
            .blocking_send(message)
            .map_err(|_| ImportError::Interrupted("the writer stopped".to_owned()))
    }

    /// The samples of one row into `self.row`, or why the row is bad.
    fn read_row(&mut self, plan: &Plan, record: &csv::ByteRecord) -> Result<(), RowError> {
        if record.len() != plan.header_len {
            return Err(RowError::Bad(format!(
                "{} fields where the header has {}",
                record.len(),
                plan.header_len
            )));
        }
        let station = match &plan.station {
            Station::Column(i) => cell(record, *i)?,
            Station::Fixed(id) => id.as_str(),
        };
        if station.is_empty() {
            return Err(RowError::Bad("no station".to_owned()));
        }
        if let Some(known) = &plan.job.known_stations
            && !known.contains(station)
        {
            return Err(RowError::Bad(format!(
                "unknown station `{station}` (not in the stations file)"
            )));
        }
        let t = plan.parser.parse(cell(record, plan.time)?)?;
        match &plan.values {
            Values::Long {
                variable,
                value,
                quality,
            } => {
                let variable = cell(record, *variable)?;
                if variable.is_empty() {
                    return Err(RowError::Bad("no variable".to_owned()));
                }
                let value = parse_value(cell(record, *value)?, plan.decimal_comma)?;
                let quality = match quality {
                    None => None,
                    Some(i) => parse_quality(cell(record, *i)?)?,
                };
                let series = self.long_series(plan, station, variable)?;
                self.row.push(Sample {
                    series,
                    t,
                    value,
                    quality,
                });
            }
            Values::Wide(columns) => {
                let first = self.wide_series(columns, station)?;
                for (series, (i, name, _)) in (first..).zip(columns) {
                    let value = parse_value(cell(record, *i)?, plan.decimal_comma)
                        .map_err(|reason| format!("column `{name}`: {reason}"))?;
                    self.row.push(Sample {
                        series,
                        t,
                        value,
                        quality: None,
                    });
                }
            }
        }
        Ok(())
    }

    /// The first series of a wide file's station, one per column (announced on first sight).
    fn wide_series(
        &mut self,
        columns: &[(usize, String, Option<String>)],
        station: &str,
    ) -> Result<u32, ImportError> {
        if let Some(first) = self.series.get(station).and_then(|s| s.wide) {
            return Ok(first);
        }
        let first = self.next_series;
        for (_, variable, unit) in columns {
            self.announce(station, variable, unit.clone())?;
        }
        self.series.entry(station.to_owned()).or_default().wide = Some(first);
        Ok(first)
    }

    fn long_series(
        &mut self,
        plan: &Plan,
        station: &str,
        variable: &str,
    ) -> Result<u32, ImportError> {
        if let Some(index) = self.series.get(station).and_then(|s| s.long.get(variable)) {
            return Ok(*index);
        }
        let index = self.next_series;
        let unit = plan.job.options.units.get(variable).cloned();
        self.announce(station, variable, unit)?;
        self.series
            .entry(station.to_owned())
            .or_default()
            .long
            .insert(variable.to_owned(), index);
        Ok(index)
    }

    fn announce(
        &mut self,
        station: &str,
        variable: &str,
        unit: Option<String>,
    ) -> Result<(), ImportError> {
        let index = self.next_series;
        self.next_series += 1;
        self.steps.push(StepStats::default());
        self.send(Message::Series {
            index,
            station: station.to_owned(),
            variable: variable.to_owned(),
            unit,
        })
    }
}

/// Why a row was not read: it is bad, or the import must stop.
enum RowError {
    Bad(String),
    Stop(ImportError),
}

impl From<String> for RowError {
    fn from(reason: String) -> Self {
        Self::Bad(reason)
    }
}

impl From<ImportError> for RowError {
    fn from(error: ImportError) -> Self {
        Self::Stop(error)
    }
}

fn csv_error(job: &Job, error: &csv::Error) -> ImportError {
    match error.kind() {
        csv::ErrorKind::Io(e) => ImportError::Io {
            file: job.file.clone(),
            source: std::io::Error::new(e.kind(), e.to_string()),
        },
        _ => ImportError::Line {
            file: job.file.clone(),
            line: error.position().map_or(0, csv::Position::line),
            message: error.to_string(),
        },
    }
}

/// The header's names, trimmed (a UTF-8 byte-order mark dropped).
pub(super) fn header_names<R: Read>(csv: &mut csv::Reader<R>) -> Result<Vec<String>, String> {
    let headers = csv
        .byte_headers()
        .map_err(|e| format!("cannot read the header: {e}"))?;
    if headers.is_empty() || (headers.len() == 1 && headers[0].is_empty()) {
        return Err("the file is empty (no header line)".to_owned());
    }
    headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = if i == 0 {
                h.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(h)
            } else {
                h
            };
            std::str::from_utf8(h)
                .map(|s| s.trim().to_owned())
                .map_err(|_| "the header is not UTF-8 text".to_owned())
        })
        .collect()
}

/// The delimiter of the first line: the most frequent of `,`, `;` and tab outside quotes.
pub(super) fn sniff_delimiter(start: &[u8]) -> u8 {
    let line = start.split(|&b| b == b'\n').next().unwrap_or_default();
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_guessed_from_the_header_line() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2;3;4;5"), b',');
        assert_eq!(sniff_delimiter(b"a;b;\"c,d,e\"\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter(b"single"), b',');
        assert_eq!(sniff_delimiter(b""), b',');
    }
}
