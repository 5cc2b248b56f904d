//! `[[chronicles]]`: CSV files of measurements imported into the store when `kartenn serve`
//! starts (only when their content or their options changed). The keys are the options of
//! `kartenn chronicles import`; without a configuration file, the bundled demo chronicles.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{ConfigError, check_id, invalid};
use crate::chronicles::import::{
    DatasetMeta, ImportError, ImportOptions, Layout, StationSource, VariableColumn,
};

/// `layout = "long"` (one sample a row) or `"wide"` (one column a variable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LayoutKind {
    Long,
    Wide,
}

/// One dataset of chronicles and the file it comes from.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChronicleConfig {
    /// a-z 0-9 _ -, used in URLs.
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub licence: Option<String>,
    /// The CSV file, relative to the configuration file.
    pub file: PathBuf,
    /// CSV of the stations (`id`, `name`, `lon`, `lat`, other columns as attributes).
    #[serde(default)]
    pub stations: Option<PathBuf>,
    /// Implied `long` when a variable, value or quality column is named, `wide` when the
    /// variables or one station are; otherwise required.
    #[serde(default)]
    pub layout: Option<LayoutKind>,
    /// Column of the station ids (default `station`)...
    #[serde(default)]
    pub station_column: Option<String>,
    /// ...or one station for the whole file.
    #[serde(default)]
    pub station: Option<String>,
    /// Default `time`.
    #[serde(default)]
    pub time_column: Option<String>,
    /// Long: column naming the variable (default `variable`).
    #[serde(default)]
    pub variable_column: Option<String>,
    /// Long: column of the values (default `value`).
    #[serde(default)]
    pub value_column: Option<String>,
    /// Long: column of quality codes (integers), if any.
    #[serde(default)]
    pub quality_column: Option<String>,
    /// Wide: the columns to import (default: every other column of numbers).
    #[serde(default)]
    pub variables: Option<Vec<String>>,
    /// Unit per variable, e.g. `{ temp = "°C" }`.
    #[serde(default)]
    pub units: BTreeMap<String, String>,
    /// strftime format of the times (default: ISO 8601 / RFC 3339, or dates).
    #[serde(default)]
    pub time_format: Option<String>,
    /// IANA zone of times written without an offset (default UTC).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Field delimiter (default: guessed from the header, `,` `;` or tab).
    #[serde(default)]
    pub delimiter: Option<char>,
    /// Fail on any bad row (the server does not start) instead of skipping them.
    #[serde(default)]
    pub strict: bool,
    /// One of the bundled demo datasets (no configuration file).
    #[serde(skip)]
    pub demo: bool,
}

impl ChronicleConfig {
    /// The import these settings describe (`replace` off: the caller decides).
    pub fn import_options(&self) -> Result<ImportOptions, ImportError> {
        let bad = |message: &str| Err(ImportError::Options(message.to_owned()));
        let named = |column: &Option<String>, default: &str| {
            column.clone().unwrap_or_else(|| default.to_owned())
        };
        let station = match (&self.station, &self.station_column) {
            (Some(_), Some(_)) => {
                return bad("give either a station column or one station, not both");
            }
            (Some(id), None) => StationSource::Fixed(id.clone()),
            (None, column) => StationSource::Column(named(column, "station")),
        };
        let long_keys = self.variable_column.is_some()
            || self.value_column.is_some()
            || self.quality_column.is_some();
        let implied = if long_keys {
            Some(LayoutKind::Long)
        } else if self.variables.is_some() || self.station.is_some() {
            Some(LayoutKind::Wide)
        } else {
            None
        };
        let Some(kind) = self.layout.or(implied) else {
            return bad(
                "say which layout the file has: long (one sample a row: station, \
                 variable, time, value) or wide (one column a variable)",
            );
        };
        let time = named(&self.time_column, "time");
        let layout = match kind {
            LayoutKind::Long => {
                if self.variables.is_some() {
                    return bad(
                        "a list of variables is for the wide layout; a long file names \
                         them in its variable column",
                    );
                }
                Layout::Long {
                    station,
                    variable: named(&self.variable_column, "variable"),
                    time,
                    value: named(&self.value_column, "value"),
                    quality: self.quality_column.clone(),
                }
            }
            LayoutKind::Wide => {
                if long_keys {
                    return bad("variable, value and quality columns are for the long layout");
                }
                Layout::Wide {
                    station,
                    time,
                    variables: self.variables.as_ref().map(|columns| {
                        columns
                            .iter()
                            .map(|column| VariableColumn {
                                column: column.clone(),
                                variable: column.clone(),
                                unit: None,
                            })
                            .collect()
                    }),
                }
            }
        };
        let delimiter = match self.delimiter {
            None => None,
            Some(c) => match u8::try_from(c) {
                Ok(d) if d.is_ascii() => Some(d),
                _ => return bad("the delimiter must be one ASCII character"),
            },
        };
        let options = ImportOptions {
            dataset: DatasetMeta {
                id: self.id.clone(),
                title: self.title.clone(),
                description: self.description.clone(),
                licence: self.licence.clone(),
            },
            layout,
            stations: self.stations.clone(),
            time_format: self.time_format.clone(),
            time_zone: self.time_zone.clone(),
            units: self.units.clone(),
            delimiter,
            strict: self.strict,
            replace: false,
        };
        options.validate()?;
        Ok(options)
    }
}

/// Paths relative to the configuration file's directory.
pub(super) fn resolve(chronicles: Vec<ChronicleConfig>, base_dir: &Path) -> Vec<ChronicleConfig> {
    chronicles
        .into_iter()
        .map(|mut c| {
            c.file = base_dir.join(&c.file);
            c.stations = c.stations.map(|s| base_dir.join(s));
            c
        })
        .collect()
}

pub(super) fn validate(chronicles: &[ChronicleConfig]) -> Result<(), ConfigError> {
    let mut seen = HashSet::new();
    for (i, c) in chronicles.iter().enumerate() {
        let field = format!("chronicles[{i}]");
        check_id(&mut seen, format!("{field}.id"), &c.id)?;
        c.import_options().map_err(|e| match e {
            ImportError::Options(message) => invalid(field.clone(), message),
            other => invalid(field.clone(), other.to_string()),
        })?;
    }
    Ok(())
}

/// The bundled demo: hourly weather at the three New York airports in 2013 (see
/// `data/demo/SOURCES.md`).
pub fn demo_chronicles(dir: &Path) -> Vec<ChronicleConfig> {
    let dir = dir.join("chronicles");
    let units = [
        ("temp", "°F"),
        ("humid", "%"),
        ("wind_speed", "mph"),
        ("pressure", "hPa"),
        ("precip", "in"),
    ];
    vec![ChronicleConfig {
        id: "nyc-weather".to_owned(),
        title: Some("Météo horaire, aéroports de New York (2013) / Hourly weather".to_owned()),
        description: Some(
            "Temperature, humidity, wind speed, pressure and precipitation every hour at \
             Newark (EWR), JFK and La Guardia (LGA), 2013 (R package nycflights13, from \
             NOAA's Integrated Surface Database)"
                .to_owned(),
        ),
        licence: Some("CC0-1.0".to_owned()),
        file: dir.join("nycflights13_weather.csv"),
        stations: Some(dir.join("nycflights13_stations.csv")),
        layout: Some(LayoutKind::Wide),
        station_column: Some("origin".to_owned()),
        time_column: Some("time_hour".to_owned()),
        variables: Some(units.iter().map(|(v, _)| (*v).to_owned()).collect()),
        units: units
            .iter()
            .map(|(v, u)| ((*v).to_owned(), (*u).to_owned()))
            .collect(),
        demo: true,
        ..ChronicleConfig::default()
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn load(text: &str) -> Result<Config, ConfigError> {
        Config::from_toml(text, Path::new("/etc/kartenn"), &|_| None)
    }

    #[test]
    fn a_chronicles_entry_becomes_import_options_with_paths_from_the_file() {
        let config = load(
            r#"
            layers = []
            [[chronicles]]
            id = "neo"
            title = "NEO"
            file = "data/neo.csv"
            stations = "data/stations.csv"
            station_column = "site"
            time_column = "date"
            variables = ["temp", "sal"]
            units = { temp = "°C", sal = "PSU" }
            time_zone = "Europe/Paris"
            delimiter = ";"
            "#,
        )
        .unwrap();
        let c = &config.chronicles[0];
        assert_eq!(c.file, Path::new("/etc/kartenn/data/neo.csv"));
        let options = c.import_options().unwrap();
        assert_eq!(options.delimiter, Some(b';'));
        assert!(matches!(
            &options.layout,
            Layout::Wide { station: StationSource::Column(s), time, variables: Some(v) }
                if s == "site" && time == "date" && v.len() == 2
        ));
        assert_eq!(options.units["sal"], "PSU");
    }

    #[test]
    fn naming_a_value_column_means_the_long_layout() {
        let config = load(
            "layers = []\n[[chronicles]]\nid = \"x\"\nfile = \"x.csv\"\nvalue_column = \"v\"\n",
        )
        .unwrap();
        let options = config.chronicles[0].import_options().unwrap();
        assert!(matches!(
            options.layout,
            Layout::Long { ref value, ref variable, .. } if value == "v" && variable == "variable"
        ));
    }

    #[test]
    fn inconsistent_or_unknown_chronicle_settings_are_refused_at_load() {
        for (text, expected) in [
            (
                "id = \"Bad Id\"\nfile = \"x.csv\"\nlayout = \"long\"",
                "chronicles[0].id",
            ),
            (
                "id = \"x\"\nfile = \"x.csv\"\nlayout = \"wide\"\nvalue_column = \"v\"",
                "long layout",
            ),
            (
                "id = \"x\"\nfile = \"x.csv\"\nstation = \"A\"\nstation_column = \"s\"",
                "not both",
            ),
            (
                "id = \"x\"\nfile = \"x.csv\"\nlayout = \"wide\"\ntime_zone = \"Mars/Olympus\"",
                "`Mars/Olympus`",
            ),
            (
                "id = \"x\"\nfile = \"x.csv\"\nlayout = \"wide\"\ncolour = \"red\"",
                "colour",
            ),
            (
                "id = \"x\"\nfile = \"x.csv\"\nlayout = \"wide\"\ndelimiter = \"é\"",
                "ASCII",
            ),
            ("id = \"x\"\nfile = \"x.csv\"", "say which layout"),
        ] {
            let err = load(&format!("layers = []\n[[chronicles]]\n{text}\n"))
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{text}: {err}");
        }
        let twice = "[[chronicles]]\nid = \"x\"\nfile = \"x.csv\"\nlayout = \"long\"\n";
        let err = load(&format!("layers = []\n{twice}{twice}"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("used twice"), "{err}");
    }

    #[test]
    fn without_a_configuration_file_the_demo_chronicles_are_configured() {
        let config = Config::load(None, &|_| None, &crate::config::Overrides::default());
        // (`./kartenn.toml` may exist where tests run; only check the demo when it does not.)
        if Path::new("kartenn.toml").exists() {
            return;
        }
        let config = config.unwrap();
        assert!(config.chronicles_are_demo());
        assert_eq!(config.chronicles[0].id, "nyc-weather");
        assert!(
            config.chronicles[0].file.is_file(),
            "the demo file is bundled"
        );
        config.chronicles[0].import_options().unwrap();
        let with_file = load("layers = []\n").unwrap();
        assert!(with_file.chronicles.is_empty());
        assert!(!with_file.chronicles_are_demo());
    }
}
