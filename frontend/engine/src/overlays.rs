//! What the user chose for the catalogue's overlays: which layers are in the map (those the
//! catalogue puts there, then any the user adds or removes), their drawing order, and for each
//! one whether it is shown, how opaque it is and, for time-enabled layers, the instant shown.
//! The layer list and the catalogue panel edit it, the map follows it.

use kartenn_common::CatalogLayer;

/// One overlay as the user wants it.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    /// The catalogue layer's id.
    pub id: String,
    pub visible: bool,
    /// 0 (transparent) to 1 (opaque).
    pub opacity: f64,
    /// The instant chosen for a time-enabled layer (ISO 8601); `None`: the layer's default.
    pub time: Option<String>,
}

/// The overlays, bottom first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Overlays {
    order: Vec<Overlay>,
}

/// One change made in the layer list; layers are named by id.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    Toggle(String),
    /// Clamped to 0–1; not a number is ignored.
    Opacity(String, f64),
    /// One place up (drawn later, above its neighbour).
    Raise(String),
    /// One place down.
    Lower(String),
    /// Puts a catalogue layer in the map, on top, shown, opaque.
    Add(String),
    /// Takes a layer out of the map (the catalogue still offers it).
    Remove(String),
    /// Shows another instant of a time-enabled layer (`None`: its default).
    Time(String, Option<String>),
}

impl Overlays {
    /// The layers the catalogue puts in the map (`in_map`), in its order, with its visibility
    /// and opacity.
    pub fn from_catalog(layers: &[CatalogLayer]) -> Self {
        Self {
            order: layers
                .iter()
                .filter(|l| l.in_map)
                .map(|l| Overlay {
                    id: l.id.clone(),
                    visible: l.visible,
                    opacity: l.opacity.clamp(0.0, 1.0),
                    time: None,
                })
                .collect(),
        }
    }

    /// Whether the layer is in the map.
    pub fn contains(&self, id: &str) -> bool {
        self.position(id).is_some()
    }

    /// Bottom first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Overlay> + ExactSizeIterator {
        self.order.iter()
    }

    pub fn get(&self, id: &str) -> Option<&Overlay> {
        self.order.iter().find(|o| o.id == id)
    }

    /// Position from the bottom.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.order.iter().position(|o| o.id == id)
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Applies `edit`; returns false when nothing changed (unknown layer, already at the top,
    /// already in the map...).
    pub fn apply(&mut self, edit: &Edit) -> bool {
        let id = match edit {
            Edit::Add(id) => {
                if self.contains(id) {
                    return false;
                }
                self.order.push(Overlay {
                    id: id.clone(),
                    visible: true,
                    opacity: 1.0,
                    time: None,
                });
                return true;
            }
            Edit::Toggle(id)
            | Edit::Opacity(id, _)
            | Edit::Raise(id)
            | Edit::Lower(id)
            | Edit::Remove(id)
            | Edit::Time(id, _) => id,
        };
        let Some(at) = self.position(id) else {
            return false;
        };
        match edit {
            Edit::Remove(_) => {
                self.order.remove(at);
                true
            }
            Edit::Time(_, time) => {
                let changed = self.order[at].time != *time;
                self.order[at].time.clone_from(time);
                changed
            }
            Edit::Toggle(_) => {
                self.order[at].visible = !self.order[at].visible;
                true
            }
            Edit::Opacity(_, value) => {
                if value.is_nan() {
                    return false;
                }
                let value = value.clamp(0.0, 1.0);
                let changed = (self.order[at].opacity - value).abs() > f64::EPSILON;
                self.order[at].opacity = value;
                changed
            }
            Edit::Raise(_) if at + 1 < self.order.len() => {
                self.order.swap(at, at + 1);
                true
            }
            Edit::Lower(_) if at > 0 => {
                self.order.swap(at, at - 1);
                true
            }
            Edit::Raise(_) | Edit::Lower(_) | Edit::Add(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kartenn_common::{LayerSource, LayerStyle};

    fn harvested(id: &str) -> CatalogLayer {
        CatalogLayer {
            in_map: false,
            ..layer(id, true)
        }
    }

    fn layer(id: &str, visible: bool) -> CatalogLayer {
        CatalogLayer {
            id: id.into(),
            title: id.into(),
            description: None,
            attribution: None,
            geometry: None,
            bounds: None,
            visible,
            opacity: 1.0,
            keywords: Vec::new(),
            category: Vec::new(),
            in_map: true,
            ogc: None,
            source: LayerSource::GeoJson {
                url: format!("/api/geojson/{id}"),
            },
            style: LayerStyle::default(),
        }
    }

    fn ids(o: &Overlays) -> Vec<&str> {
        o.iter().map(|l| l.id.as_str()).collect()
    }

    #[test]
    fn overlays_start_from_the_catalogue_order_and_flags() {
        let o = Overlays::from_catalog(&[layer("a", true), layer("b", false)]);
        assert_eq!(ids(&o), ["a", "b"]);
        assert!(o.get("a").unwrap().visible);
        assert!(!o.get("b").unwrap().visible);
        assert_eq!(o.get("b").unwrap().opacity, 1.0);
    }

    #[test]
    fn raising_and_lowering_move_one_place_and_stop_at_the_ends() {
        let mut o = Overlays::from_catalog(&[layer("a", true), layer("b", true), layer("c", true)]);
        assert!(o.apply(&Edit::Raise("a".into())));
        assert_eq!(ids(&o), ["b", "a", "c"]);
        assert!(o.apply(&Edit::Raise("a".into())));
        assert_eq!(ids(&o), ["b", "c", "a"]);
        assert!(!o.apply(&Edit::Raise("a".into())), "already on top");
        assert!(o.apply(&Edit::Lower("c".into())));
        assert_eq!(ids(&o), ["c", "b", "a"]);
        assert!(!o.apply(&Edit::Lower("c".into())), "already at the bottom");
        assert_eq!(o.position("a"), Some(2));
    }

    #[test]
    fn opacity_is_clamped_and_not_a_number_is_ignored() {
        let mut o = Overlays::from_catalog(&[layer("a", true)]);
        assert!(o.apply(&Edit::Opacity("a".into(), 0.4)));
        assert_eq!(o.get("a").unwrap().opacity, 0.4);
        assert!(o.apply(&Edit::Opacity("a".into(), 7.0)));
        assert_eq!(o.get("a").unwrap().opacity, 1.0);
        assert!(!o.apply(&Edit::Opacity("a".into(), f64::NAN)));
        assert!(o.apply(&Edit::Opacity("a".into(), -1.0)));
        assert_eq!(o.get("a").unwrap().opacity, 0.0);
    }

    #[test]
    fn toggling_flips_visibility_and_unknown_layers_change_nothing() {
        let mut o = Overlays::from_catalog(&[layer("a", true)]);
        assert!(o.apply(&Edit::Toggle("a".into())));
        assert!(!o.get("a").unwrap().visible);
        let before = o.clone();
        assert!(!o.apply(&Edit::Toggle("zz".into())));
        assert!(!o.apply(&Edit::Raise("zz".into())));
        assert_eq!(o, before);
    }

    #[test]
    fn only_layers_the_catalogue_puts_in_the_map_start_there() {
        let o = Overlays::from_catalog(&[layer("a", true), harvested("h"), layer("b", false)]);
        assert_eq!(ids(&o), ["a", "b"]);
        assert!(!o.contains("h"));
    }

    #[test]
    fn adding_puts_a_layer_on_top_shown_and_opaque_once() {
        let mut o = Overlays::from_catalog(&[layer("a", false), harvested("h")]);
        assert!(o.apply(&Edit::Add("h".into())));
        assert_eq!(ids(&o), ["a", "h"]);
        let h = o.get("h").unwrap();
        assert!(h.visible);
        assert_eq!((h.opacity, h.time.as_deref()), (1.0, None));
        assert!(!o.apply(&Edit::Add("h".into())), "already in the map");
        assert!(
            !o.apply(&Edit::Add("a".into())),
            "already in the map, hidden"
        );
        assert_eq!(ids(&o), ["a", "h"]);
    }

    #[test]
    fn removing_takes_a_layer_out_and_it_can_come_back_on_top() {
        let mut o = Overlays::from_catalog(&[layer("a", true), layer("b", true), layer("c", true)]);
        assert!(o.apply(&Edit::Opacity("a".into(), 0.5)));
        assert!(o.apply(&Edit::Remove("a".into())));
        assert_eq!(ids(&o), ["b", "c"]);
        assert!(
            !o.apply(&Edit::Remove("a".into())),
            "not in the map any more"
        );
        assert!(!o.apply(&Edit::Toggle("a".into())));
        assert!(o.apply(&Edit::Add("a".into())));
        assert_eq!(ids(&o), ["b", "c", "a"]);
        assert_eq!(o.get("a").unwrap().opacity, 1.0, "added afresh");
        assert!(o.apply(&Edit::Remove("b".into())));
        assert!(o.apply(&Edit::Remove("c".into())));
        assert!(o.apply(&Edit::Remove("a".into())));
        assert!(o.is_empty());
    }

    #[test]
    fn the_time_choice_is_kept_per_layer() {
        let mut o = Overlays::from_catalog(&[layer("a", true)]);
        let at = Some("2024-06-02T06:00:00Z".to_owned());
        assert!(o.apply(&Edit::Time("a".into(), at.clone())));
        assert_eq!(o.get("a").unwrap().time, at);
        assert!(!o.apply(&Edit::Time("a".into(), at)), "unchanged");
        assert!(o.apply(&Edit::Time("a".into(), None)));
        assert_eq!(o.get("a").unwrap().time, None);
        assert!(!o.apply(&Edit::Time("zz".into(), None)));
    }
}
