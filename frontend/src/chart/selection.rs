//! What the chart panel shows, decided without the DOM: the station a click picked on a
//! chronicle layer (taken out of the identify results: it opens the chart instead), the
//! variables ticked at first and after each click (two units at most: a third unit unticks the
//! oldest), and the series the chart draws (the station's, then the compared station's, with
//! distinct colours).

use kartenn_common::{Catalog, LayerSource, SeriesInfo};
use kartenn_engine::chart::layout::{assign_axes, color, fits_axes};
use kartenn_engine::chart::stations::{Station, station_of};

use super::SeriesSpec;
use crate::map::{Found, Identified};

/// A station picked on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct StationPick {
    /// The click's number (a new click on the same station opens it again).
    pub seq: u64,
    pub layer_title: String,
    pub dataset: String,
    /// The dataset's stations (GeoJSON).
    pub stations_url: String,
    pub station: Station,
}

/// Takes the chronicle layers out of what a click found; the first station found (topmost
/// layer) is the one to chart.
pub fn take_station(catalog: &Catalog, found: &mut Identified) -> Option<StationPick> {
    let mut pick = None;
    let seq = found.seq;
    found.layers.retain(|layer| {
        let Some((title, LayerSource::Chronicle { dataset, url })) = catalog
            .layers
            .iter()
            .find(|l| l.id == layer.id)
            .map(|l| (&l.title, &l.source))
        else {
            return true;
        };
        if pick.is_none()
            && let Found::Features(features) = &layer.found
        {
            pick = features
                .iter()
                .find_map(|a| station_of(a))
                .map(|station| StationPick {
                    seq,
                    layer_title: title.clone(),
                    dataset: dataset.clone(),
                    stations_url: url.clone(),
                    station,
                });
        }
        false
    });
    pick
}

/// The variables ticked when a station opens: its first two.
pub fn initial_selection(series: &[SeriesInfo]) -> Vec<String> {
    let mut chosen: Vec<&SeriesInfo> = Vec::new();
    for s in series {
        let units: Vec<Option<&str>> = chosen.iter().map(|c| c.unit.as_deref()).collect();
        if chosen.len() < 2 && fits_axes(&units, s.unit.as_deref()) {
            chosen.push(s);
        }
    }
    chosen.iter().map(|s| s.variable.clone()).collect()
}

/// The variables ticked after a click on `variable`'s box: unticked if it was ticked, else
/// ticked — and when that makes a third unit, the variables ticked longest ago go until two
/// units remain.
pub fn toggle(series: &[SeriesInfo], selected: &[String], variable: &str) -> Vec<String> {
    let mut next: Vec<String> = selected.to_vec();
    if let Some(at) = next.iter().position(|v| v == variable) {
        next.remove(at);
        return next;
    }
    next.push(variable.to_owned());
    let unit_of = |v: &str| {
        series
            .iter()
            .find(|s| s.variable == v)
            .and_then(|s| s.unit.as_deref())
    };
    loop {
        let units: Vec<Option<&str>> = next.iter().map(|v| unit_of(v)).collect();
        if next.len() <= 1 || assign_axes(&units).iter().all(Option::is_some) {
            return next;
        }
        next.remove(0);
    }
}

/// The series to draw: each ticked variable (in the station's order) at the station, then
/// at the compared station when it measures it too.
pub fn series_specs(
    station: &Station,
    series: &[SeriesInfo],
    compare: Option<(&Station, &[SeriesInfo])>,
    selected: &[String],
) -> Vec<SeriesSpec> {
    let mut specs = Vec::new();
    let label = |who: &Station, variable: &str| match compare {
        Some(_) => format!("{} · {variable}", who.name),
        None => variable.to_owned(),
    };
    for info in series.iter().filter(|s| selected.contains(&s.variable)) {
        let mut add = |who: &Station, info: &SeriesInfo| {
            specs.push(SeriesSpec {
                url: info.url.clone(),
                label: label(who, &info.variable),
                unit: info.unit.clone(),
                color: color(specs.len()).to_owned(),
                extent: info.extent,
                step_ms: info.step_s.map(|s| s * 1000.0),
            });
        };
        add(station, info);
        if let Some((other, other_series)) = compare
            && let Some(twin) = other_series.iter().find(|s| s.variable == info.variable)
        {
            add(other, twin);
        }
    }
    specs
}

/// A file name made of safe characters only.
pub fn file_name(stem: &str, extension: &str) -> String {
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{stem}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::IdentifiedLayer;
    use kartenn_common::{CatalogLayer, LayerStyle};

    fn info(variable: &str, unit: Option<&str>, station: &str) -> SeriesInfo {
        SeriesInfo {
            variable: variable.to_owned(),
            unit: unit.map(str::to_owned),
            step_s: Some(3600.0),
            extent: Some([0.0, 3_600_000.0]),
            count: 2,
            url: format!("/api/chronicles/w/stations/{station}/series/{variable}"),
        }
    }

    fn weather(station: &str) -> Vec<SeriesInfo> {
        vec![
            info("temp", Some("°F"), station),
            info("humid", Some("%"), station),
            info("wind_speed", Some("mph"), station),
            info("dewp", Some("°F"), station),
        ]
    }

    fn station(id: &str, name: &str) -> Station {
        Station {
            id: id.to_owned(),
            name: name.to_owned(),
        }
    }

    #[test]
    fn the_first_two_variables_are_ticked_when_a_station_opens() {
        assert_eq!(initial_selection(&weather("JFK")), ["temp", "humid"]);
        assert!(initial_selection(&[]).is_empty());
    }

    #[test]
    fn ticking_a_third_unit_unticks_the_variables_ticked_longest_ago() {
        let series = weather("JFK");
        let selected = vec!["temp".to_owned(), "humid".to_owned()];
        assert_eq!(
            toggle(&series, &selected, "wind_speed"),
            ["humid", "wind_speed"]
        );
        // Same unit as one shown: simply added.
        assert_eq!(
            toggle(&series, &selected, "dewp"),
            ["temp", "humid", "dewp"]
        );
        assert_eq!(toggle(&series, &selected, "temp"), ["humid"]);
        let three = vec!["temp".to_owned(), "dewp".to_owned(), "humid".to_owned()];
        assert_eq!(
            toggle(&series, &three, "wind_speed"),
            ["humid", "wind_speed"]
        );
    }

    #[test]
    fn comparing_draws_each_variable_at_both_stations_in_distinct_colours() {
        let (jfk, lga) = (station("JFK", "Kennedy"), station("LGA", "LaGuardia"));
        let (a, b) = (weather("JFK"), weather("LGA"));
        let selected = vec!["temp".to_owned()];
        let alone = series_specs(&jfk, &a, None, &selected);
        assert_eq!(alone.len(), 1);
        assert_eq!(alone[0].label, "temp");
        let both = series_specs(&jfk, &a, Some((&lga, &b)), &selected);
        let labels: Vec<&str> = both.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["Kennedy · temp", "LaGuardia · temp"]);
        assert_ne!(both[0].color, both[1].color);
        assert!(both[1].url.contains("/LGA/"));
    }

    #[test]
    fn a_click_on_a_station_is_taken_out_of_the_identify_results() {
        let layer = |id: &str, source: LayerSource| CatalogLayer {
            id: id.to_owned(),
            title: id.to_owned(),
            description: None,
            attribution: None,
            geometry: None,
            bounds: None,
            visible: true,
            opacity: 1.0,
            source,
            style: serde_json::from_str::<LayerStyle>("{}").unwrap(),
            keywords: vec![],
            category: vec![],
            in_map: true,
            ogc: None,
        };
        let catalog = Catalog {
            layers: vec![
                layer(
                    "towns",
                    LayerSource::GeoJson {
                        url: "/t".to_owned(),
                    },
                ),
                layer(
                    "weather",
                    LayerSource::Chronicle {
                        dataset: "nyc".to_owned(),
                        url: "/api/chronicles/nyc/stations".to_owned(),
                    },
                ),
            ],
        };
        let hit = |id: &str, attributes: Vec<(&str, &str)>| IdentifiedLayer {
            id: id.to_owned(),
            title: id.to_owned(),
            popup: None,
            found: Found::Features(vec![
                attributes
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
            ]),
        };
        let mut found = Identified {
            seq: 4,
            at: [1.0, 2.0],
            layers: vec![
                hit("weather", vec![("id", "JFK"), ("name", "Kennedy")]),
                hit("towns", vec![("name", "Queens")]),
            ],
        };
        let pick = take_station(&catalog, &mut found).unwrap();
        assert_eq!((pick.seq, pick.dataset.as_str()), (4, "nyc"));
        assert_eq!(pick.station, station("JFK", "Kennedy"));
        assert_eq!(found.layers.len(), 1);
        assert_eq!(found.layers[0].id, "towns");
    }

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(file_name("JFK temp/2013", "png"), "JFK_temp_2013.png");
    }
}
