//! Administrators' layer settings as the server applies them: [`Overrides`] (every layer's
//! stored settings and every stored category's path) travels inside the rights model
//! ([`crate::acl::Acl`]), so `published`, `queryable` and `downloadable` are decided by the one
//! rights function for tiles, proxy, GeoJSON, capabilities and catalogue alike, and the
//! catalogue shows titles, categories, styles, popups and time as set, from the next request.

use std::collections::HashMap;

use kartenn_common::admin_catalog::{LayerSettings, LayerValues};
use kartenn_common::{CatalogLayer, LayerSource};

use crate::acl::Action;

/// Layer settings and category paths in force.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    layers: HashMap<String, LayerSettings>,
    paths: HashMap<i64, Vec<String>>,
}

impl Overrides {
    pub fn new(layers: HashMap<String, LayerSettings>, paths: HashMap<i64, Vec<String>>) -> Self {
        Self { layers, paths }
    }

    /// The settings of layer `id` (none: harvested values).
    pub fn layer(&self, id: &str) -> Option<&LayerSettings> {
        self.layers.get(id)
    }

    /// The titles from the root to stored category `id`.
    pub fn path(&self, id: i64) -> Option<&[String]> {
        self.paths.get(&id).map(Vec::as_slice)
    }

    /// Whether the settings of layer `id` leave `action` possible at all (rules decide then):
    /// an unpublished layer allows nothing, a non-queryable one no query, a non-downloadable
    /// one no download.
    pub fn permits(&self, id: &str, action: Action) -> bool {
        let Some(s) = self.layers.get(id) else {
            return true;
        };
        if s.published == Some(false) {
            return false;
        }
        match action {
            Action::View => true,
            Action::Query => s.queryable != Some(false),
            Action::Download => s.downloadable != Some(false),
        }
    }

    /// The values in force for a layer: `harvested`, with `settings` laid over.
    pub fn effective(&self, harvested: &LayerValues, settings: &LayerSettings) -> LayerValues {
        let mut v = harvested.clone();
        if let Some(t) = &settings.title {
            v.title.clone_from(t);
        }
        if settings.abstract_text.is_some() {
            v.abstract_text.clone_from(&settings.abstract_text);
        }
        if let Some(path) = settings.category.and_then(|id| self.path(id)) {
            v.category = path.to_vec();
        }
        let or = |o: Option<bool>, d: bool| o.unwrap_or(d);
        v.published = or(settings.published, v.published);
        v.in_map = or(settings.in_map, v.in_map);
        // A setting closes what the layer offers; it cannot open what it does not.
        v.queryable = v.queryable && settings.queryable != Some(false);
        v.downloadable = v.downloadable && settings.downloadable != Some(false);
        v.time_hidden = or(settings.time_hidden, v.time_hidden);
        if settings.style.is_some() {
            v.style.clone_from(&settings.style);
        }
        if settings.popup.is_some() {
            v.popup.clone_from(&settings.popup);
        }
        if settings.time_default.is_some() {
            v.time_default.clone_from(&settings.time_default);
        }
        v
    }

    /// Lays the settings of `layer` over its catalogue entry (rights were applied already).
    pub fn apply(&self, layer: &mut CatalogLayer) {
        let Some(s) = self.layers.get(&layer.id) else {
            return;
        };
        if let Some(t) = &s.title {
            layer.title.clone_from(t);
        }
        if s.abstract_text.is_some() {
            layer.description.clone_from(&s.abstract_text);
        }
        if let Some(path) = s.category.and_then(|id| self.path(id)) {
            layer.category = path.to_vec();
        }
        if let Some(in_map) = s.in_map {
            layer.in_map = in_map;
        }
        if let (Some(style), LayerSource::Wms { styles, .. }) = (&s.style, &mut layer.source) {
            styles.clone_from(style);
        }
        if let Some(ogc) = &mut layer.ogc {
            if s.popup.is_some() {
                ogc.popup.clone_from(&s.popup);
            }
            if s.queryable == Some(false) {
                ogc.queryable = false;
            }
            if s.time_hidden == Some(true) {
                ogc.time = None;
            } else if let (Some(default), Some(time)) = (&s.time_default, &mut ogc.time) {
                time.default = Some(default.clone());
            }
        }
    }
}

/// A path as one text (`Côte/Traits`), for matching and for bulk changes by path.
pub fn joined(path: &[String]) -> String {
    path.join("/")
}

/// Whether `path` is `category` or lies under it.
pub fn under(path: &[String], category: &str) -> bool {
    let text = joined(path);
    !category.is_empty()
        && (text == category
            || text
                .strip_prefix(category)
                .is_some_and(|rest| rest.starts_with('/')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kartenn_common::{LayerStyle, OgcLayerInfo, TimeDimension};

    fn overrides(settings: LayerSettings) -> Overrides {
        Overrides::new(
            HashMap::from([("a".to_owned(), settings)]),
            HashMap::from([(7, vec!["Mer".to_owned(), "Fonds".to_owned()])]),
        )
    }

    #[test]
    fn unpublished_layers_permit_nothing_and_flags_close_their_own_action_only() {
        let hidden = overrides(LayerSettings {
            published: Some(false),
            ..LayerSettings::default()
        });
        for action in [Action::View, Action::Query, Action::Download] {
            assert!(!hidden.permits("a", action));
            assert!(hidden.permits("b", action), "other layers are untouched");
        }
        let closed = overrides(LayerSettings {
            queryable: Some(false),
            downloadable: Some(false),
            ..LayerSettings::default()
        });
        assert!(closed.permits("a", Action::View));
        assert!(!closed.permits("a", Action::Query));
        assert!(!closed.permits("a", Action::Download));
    }

    #[test]
    fn settings_reach_the_catalogue_entry_and_the_effective_values() {
        let o = overrides(LayerSettings {
            title: Some("Fonds marins".into()),
            category: Some(7),
            style: Some("bathy".into()),
            popup: Some("{nom}".into()),
            time_default: Some("2024-01-01".into()),
            in_map: Some(true),
            ..LayerSettings::default()
        });
        let mut layer = CatalogLayer {
            id: "a".into(),
            title: "A".into(),
            description: None,
            attribution: None,
            geometry: None,
            bounds: None,
            visible: true,
            opacity: 1.0,
            source: LayerSource::Wms {
                url: "/ows/s".into(),
                layers: "a".into(),
                styles: String::new(),
                format: "image/png".into(),
                transparent: true,
                time: None,
            },
            style: LayerStyle::default(),
            keywords: vec![],
            category: vec!["Harvested".into()],
            in_map: false,
            ogc: Some(OgcLayerInfo {
                source: "s".into(),
                name: "a".into(),
                queryable: true,
                legend_url: None,
                metadata_url: None,
                time: Some(TimeDimension {
                    default: None,
                    extent: vec![],
                }),
                wfs: None,
                children: vec![],
                popup: None,
            }),
        };
        o.apply(&mut layer);
        assert_eq!(layer.title, "Fonds marins");
        assert_eq!(layer.category, ["Mer", "Fonds"]);
        assert!(layer.in_map);
        assert!(matches!(&layer.source, LayerSource::Wms { styles, .. } if styles == "bathy"));
        let ogc = layer.ogc.as_ref().unwrap();
        assert_eq!(ogc.popup.as_deref(), Some("{nom}"));
        assert_eq!(
            ogc.time.as_ref().unwrap().default.as_deref(),
            Some("2024-01-01")
        );
        let harvested = LayerValues {
            title: "A".into(),
            category: vec!["Harvested".into()],
            published: true,
            queryable: true,
            downloadable: true,
            ..LayerValues::default()
        };
        let effective = o.effective(&harvested, o.layer("a").unwrap());
        assert_eq!(effective.title, "Fonds marins");
        assert_eq!(effective.category, ["Mer", "Fonds"]);
        assert_eq!(effective.style.as_deref(), Some("bathy"));
        assert!(effective.published && effective.in_map);
    }

    #[test]
    fn a_path_is_under_itself_and_its_ancestors_only() {
        let path = vec!["Côte".to_owned(), "Traits".to_owned()];
        assert!(under(&path, "Côte"));
        assert!(under(&path, "Côte/Traits"));
        assert!(!under(&path, "Cô"));
        assert!(!under(&path, "Côte/Traits/X"));
        assert!(!under(&path, ""));
    }
}
