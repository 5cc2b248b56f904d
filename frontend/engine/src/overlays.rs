//! What the user chose for the catalogue's overlays: their drawing order, and for each one
//! whether it is shown and how opaque it is. The layer list edits it, the map follows it.

use kartenn_common::CatalogLayer;

/// One overlay as the user wants it.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    /// The catalogue layer's id.
    pub id: String,
    pub visible: bool,
    /// 0 (transparent) to 1 (opaque).
    pub opacity: f64,
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
}

impl Overlays {
    /// The catalogue's order, visibility and opacity.
    pub fn from_catalog(layers: &[CatalogLayer]) -> Self {
        Self {
            order: layers
                .iter()
                .map(|l| Overlay {
                    id: l.id.clone(),
                    visible: l.visible,
                    opacity: l.opacity.clamp(0.0, 1.0),
                })
                .collect(),
        }
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

    /// Applies `edit`; returns false when nothing changed (unknown layer, already at the top...).
    pub fn apply(&mut self, edit: &Edit) -> bool {
        let id = match edit {
            Edit::Toggle(id) | Edit::Opacity(id, _) | Edit::Raise(id) | Edit::Lower(id) => id,
        };
        let Some(at) = self.position(id) else {
            return false;
        };
        match edit {
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
            Edit::Raise(_) | Edit::Lower(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kartenn_common::{LayerSource, LayerStyle};

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
}
