//! The map's time applied to the overlays: which layers are time-enabled (WMS layers with a
//! TIME dimension, chronicles once their stations are known), the timeline of the visible
//! ones, the time shown (the user's choice, else the latest default of those layers), the
//! `TIME` each WMS overlay is asked for (its own choice, else the map's time by the
//! nearest-earlier rule), the window chronicle stations are filtered with, and compare mode.

use std::collections::HashMap;

use kartenn_common::{CatalogLayer, LayerSource};

use super::timeline::{LayerTimes, Selection, Timeline};
use super::{default_time, parse_instant};
use crate::overlays::{Edit, Overlays};

/// What the user chose on the time control.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimeChoice {
    /// `None` until the user picks a time: the layers' latest default is shown.
    pub selection: Option<Selection>,
    pub compare: Option<CompareChoice>,
}

/// Compare mode as chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareChoice {
    /// `None`: the topmost visible time-enabled WMS layer.
    pub layer: Option<String>,
    /// Date B (Unix ms), shown right of the divider.
    pub time: i64,
    /// The divider's place, 0 (left edge) to 1.
    pub divider: f64,
}

/// Compare mode as applied to a layer.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedCompare {
    pub layer: String,
    /// Date B on the timeline, and the layer's `TIME` for it.
    pub time: i64,
    pub value: String,
    pub divider: f64,
}

/// What the map's time means for the map's layers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Applied {
    /// The union of the visible time-enabled layers' times (empty: no time control).
    pub timeline: Timeline,
    /// The time shown, on the timeline.
    pub selection: Option<Selection>,
    /// The overlays, each time-enabled WMS layer with its `TIME` set.
    pub overlays: Overlays,
    /// The map's time for each time-enabled WMS overlay (what it shows without a choice of its own).
    pub follow: HashMap<String, String>,
    /// Chronicle stations with data in this window (Unix ms) are drawn, the others dimmed.
    pub window: Option<(i64, i64)>,
    /// Layers compare mode can show (visible time-enabled WMS overlays), topmost first:
    /// `(id, title)`.
    pub comparable: Vec<(String, String)>,
    pub compare: Option<AppliedCompare>,
}

/// A layer's times: its WMS dimension, or a chronicle's span once known.
fn layer_times(
    layer: &CatalogLayer,
    chronicles: &HashMap<String, (f64, f64)>,
) -> Option<(LayerTimes, Option<i64>, bool)> {
    match &layer.source {
        LayerSource::Wms { .. } => {
            let dim = layer.ogc.as_ref()?.time.as_ref()?;
            let default = default_time(dim)
                .and_then(|d| parse_instant(&d))
                .map(|i| i.millis);
            Some((LayerTimes::from_dimension(dim)?, default, true))
        }
        LayerSource::Chronicle { .. } => {
            let (start, end) = *chronicles.get(&layer.id)?;
            Some((
                LayerTimes::span(start, end)?,
                Some(end.round() as i64),
                false,
            ))
        }
        _ => None,
    }
}

/// Applies `choice` to `overlays`; `chronicles` holds the stations' spans (Unix ms) of the
/// chronicle layers loaded so far, by layer id.
pub fn apply(
    catalog: &[CatalogLayer],
    overlays: &Overlays,
    chronicles: &HashMap<String, (f64, f64)>,
    choice: &TimeChoice,
) -> Applied {
    // Time-enabled overlays, topmost first: (id, title, times, default, is WMS, visible).
    let temporal: Vec<_> = overlays
        .iter()
        .rev()
        .filter_map(|o| {
            let layer = catalog.iter().find(|l| l.id == o.id)?;
            let (times, default, wms) = layer_times(layer, chronicles)?;
            Some((o, layer, times, default, wms))
        })
        .collect();
    let visible = || temporal.iter().filter(|t| t.0.visible);
    let timeline = Timeline::new(visible().map(|t| &t.2));
    let latest_default = visible().filter_map(|t| t.3).max();
    let selection = choice
        .selection
        .or(latest_default.map(Selection::At))
        .and_then(|s| timeline.snap(s));
    let mut applied = Applied {
        overlays: overlays.clone(),
        selection,
        window: selection.map(|s| timeline.window(s)),
        ..Applied::default()
    };
    if let Some(selection) = selection {
        for (overlay, _, times, _, wms) in &temporal {
            if !wms {
                continue;
            }
            if let Some(value) = times.value(selection) {
                if overlay.time.is_none() {
                    applied
                        .overlays
                        .apply(&Edit::Time(overlay.id.clone(), Some(value.clone())));
                }
                applied.follow.insert(overlay.id.clone(), value);
            }
        }
    }
    applied.comparable = visible()
        .filter(|t| t.4)
        .map(|t| (t.1.id.clone(), t.1.title.clone()))
        .collect();
    applied.compare = choice.compare.as_ref().and_then(|c| {
        let (_, layer, times, ..) = visible()
            .filter(|t| t.4)
            .find(|t| c.layer.as_ref().is_none_or(|id| *id == t.1.id))
            .or_else(|| visible().find(|t| t.4))?;
        let time = timeline.snap(Selection::At(c.time))?.start();
        Some(AppliedCompare {
            layer: layer.id.clone(),
            time,
            value: times.value(Selection::At(time))?,
            divider: c.divider.clamp(0.0, 1.0),
        })
    });
    applied.timeline = timeline;
    applied
}

#[cfg(test)]
mod tests {
    use super::*;
    use kartenn_common::{LayerStyle, OgcLayerInfo, TimeDimension, TimeExtent};

    fn wms(id: &str, start: &str, end: &str, period: &str, default: Option<&str>) -> CatalogLayer {
        CatalogLayer {
            id: id.into(),
            title: id.to_uppercase(),
            description: None,
            attribution: None,
            geometry: None,
            bounds: None,
            visible: true,
            opacity: 1.0,
            keywords: Vec::new(),
            category: Vec::new(),
            in_map: true,
            ogc: Some(OgcLayerInfo {
                source: "ms".into(),
                name: id.into(),
                queryable: false,
                legend_url: None,
                metadata_url: None,
                time: Some(TimeDimension {
                    default: default.map(Into::into),
                    extent: vec![TimeExtent::Range {
                        start: start.into(),
                        end: end.into(),
                        period: Some(period.into()),
                    }],
                }),
                wfs: None,
                children: Vec::new(),
                popup: None,
            }),
            source: LayerSource::Wms {
                url: "/ows/ms".into(),
                layers: id.into(),
                styles: String::new(),
                format: "image/png".into(),
                transparent: true,
                time: None,
            },
            style: LayerStyle::default(),
        }
    }

    fn chronicle(id: &str) -> CatalogLayer {
        CatalogLayer {
            ogc: None,
            source: LayerSource::Chronicle {
                dataset: id.into(),
                url: format!("/api/chronicles/{id}/stations"),
            },
            ..wms(id, "2024", "2024", "P1D", None)
        }
    }

    fn catalog() -> Vec<CatalogLayer> {
        vec![
            wms(
                "obs",
                "2024-06-01T00:00:00Z",
                "2024-06-05T18:00:00Z",
                "PT6H",
                Some("2024-06-01T00:00:00Z"),
            ),
            wms("daily", "2024-06-01", "2024-06-10", "P1D", None),
            chronicle("tides"),
        ]
    }

    fn ms(text: &str) -> i64 {
        parse_instant(text).unwrap().millis
    }

    fn time_of<'a>(a: &'a Applied, id: &str) -> Option<&'a str> {
        a.overlays.get(id)?.time.as_deref()
    }

    #[test]
    fn untouched_the_map_shows_the_latest_default_and_every_layer_its_nearest_earlier_value() {
        let catalog = catalog();
        let overlays = Overlays::from_catalog(&catalog);
        let a = apply(&catalog, &overlays, &HashMap::new(), &TimeChoice::default());
        assert_eq!(
            a.timeline.len(),
            25,
            "the chronicle's span is not known yet"
        );
        // obs defaults to June 1st, daily to its last day: the later wins.
        assert_eq!(a.selection, Some(Selection::At(ms("2024-06-10"))));
        assert_eq!(time_of(&a, "daily"), Some("2024-06-10"));
        assert_eq!(time_of(&a, "obs"), Some("2024-06-05T18:00:00Z"));
        assert_eq!(a.follow.len(), 2);
        assert_eq!(a.window, Some((ms("2024-06-10"), ms("2024-06-10"))));
        let ids: Vec<&str> = a.comparable.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(ids, ["daily", "obs"], "topmost first");
    }

    #[test]
    fn a_layers_own_time_wins_and_the_map_time_is_still_offered_to_follow() {
        let catalog = catalog();
        let mut overlays = Overlays::from_catalog(&catalog);
        overlays.apply(&Edit::Time(
            "obs".into(),
            Some("2024-06-02T06:00:00Z".into()),
        ));
        let choice = TimeChoice {
            selection: Some(Selection::At(ms("2024-06-03T07:00:00Z"))),
            compare: None,
        };
        let a = apply(&catalog, &overlays, &HashMap::new(), &choice);
        assert_eq!(a.selection, Some(Selection::At(ms("2024-06-03T06:00:00Z"))));
        assert_eq!(time_of(&a, "obs"), Some("2024-06-02T06:00:00Z"));
        assert_eq!(a.follow["obs"], "2024-06-03T06:00:00Z");
        assert_eq!(time_of(&a, "daily"), Some("2024-06-03"));
    }

    #[test]
    fn hidden_layers_leave_the_timeline_and_chronicles_join_it_once_loaded() {
        let catalog = catalog();
        let mut overlays = Overlays::from_catalog(&catalog);
        overlays.apply(&Edit::Toggle("daily".into()));
        overlays.apply(&Edit::Toggle("obs".into()));
        let none = apply(&catalog, &overlays, &HashMap::new(), &TimeChoice::default());
        assert!(none.timeline.is_empty());
        assert_eq!((none.selection, none.window), (None, None));
        let spans = HashMap::from([(
            "tides".to_owned(),
            (ms("2024-05-01") as f64, ms("2024-05-02") as f64),
        )]);
        let some = apply(&catalog, &overlays, &spans, &TimeChoice::default());
        assert!(!some.timeline.is_empty());
        assert_eq!(some.selection, Some(Selection::At(ms("2024-05-02"))));
        assert!(
            !some.follow.contains_key("tides"),
            "a chronicle has no WMS TIME"
        );
        // Hidden layers follow too (before its first value, a layer shows its first).
        assert_eq!(time_of(&some, "obs"), Some("2024-06-01T00:00:00Z"));
        assert!(some.comparable.is_empty());
    }

    #[test]
    fn compare_mode_shows_date_b_of_the_chosen_layer_or_the_topmost() {
        let catalog = catalog();
        let overlays = Overlays::from_catalog(&catalog);
        let mut choice = TimeChoice {
            selection: Some(Selection::At(ms("2024-06-01T06:00:00Z"))),
            compare: Some(CompareChoice {
                layer: Some("obs".into()),
                time: ms("2024-06-03T13:00:00Z"),
                divider: 1.5,
            }),
        };
        let a = apply(&catalog, &overlays, &HashMap::new(), &choice);
        let c = a.compare.clone().unwrap();
        assert_eq!(
            (c.layer.as_str(), c.value.as_str(), c.divider),
            ("obs", "2024-06-03T12:00:00Z", 1.0)
        );
        assert_eq!(time_of(&a, "obs"), Some("2024-06-01T06:00:00Z"), "date A");
        if let Some(c) = &mut choice.compare {
            c.layer = Some("gone".into());
        }
        let a = apply(&catalog, &overlays, &HashMap::new(), &choice);
        assert_eq!(a.compare.unwrap().layer, "daily", "the topmost instead");
    }
}
