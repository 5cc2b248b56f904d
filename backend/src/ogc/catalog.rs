//! The harvested OGC catalogue: one `OgcLayer` per WMS layer or WFS feature type (a WMS layer
//! and the feature type with the same name are one layer), and name resolution for the proxy.
//! A requested name resolves only to a name the server advertised, or to its unprefixed local
//! part when that is unique in the source: `evil:communes` never reaches `indigeo:communes`.

use std::collections::HashMap;

use kartenn_common::TimeDimension;
use serde::{Deserialize, Serialize};

use super::capabilities::{CapLayer, Capabilities};
use crate::acl::LayerRef;

/// A layer of an upstream OGC server, as harvested.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OgcLayer {
    pub source: String,
    /// Kartenn's id: `{source}-{local name}` made URL-safe.
    pub id: String,
    pub wms_name: Option<String>,
    pub wfs_name: Option<String>,
    pub title: String,
    #[serde(default)]
    pub abstract_text: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// West, south, east, north in degrees.
    #[serde(default)]
    pub bbox: Option<[f64; 4]>,
    #[serde(default)]
    pub styles: Vec<String>,
    pub queryable: bool,
    #[serde(default)]
    pub time: Option<TimeDimension>,
    #[serde(default)]
    pub metadata_url: Option<String>,
    /// Category path, outermost first.
    #[serde(default)]
    pub category: Vec<String>,
    /// For a layer group: the upstream names of its members.
    #[serde(default)]
    pub children: Vec<String>,
}

impl OgcLayer {
    /// A queryable layer known only by its name (WMS and WFS), with nothing else harvested.
    pub fn named(source: &str, name: &str) -> Self {
        Self {
            source: source.to_owned(),
            id: layer_id(source, name),
            wms_name: Some(name.to_owned()),
            wfs_name: Some(name.to_owned()),
            title: name.to_owned(),
            abstract_text: None,
            keywords: vec![],
            bbox: None,
            styles: vec![],
            queryable: true,
            time: None,
            metadata_url: None,
            category: vec![],
            children: vec![],
        }
    }

    /// Upstream names, for rules.
    pub fn names(&self) -> Vec<&str> {
        self.wms_name
            .iter()
            .chain(self.wfs_name.iter())
            .map(String::as_str)
            .collect()
    }

    /// Calls `f` with this layer as the ACL sees it.
    pub fn with_ref<T>(&self, f: impl FnOnce(LayerRef<'_>) -> T) -> T {
        let names = self.names();
        f(LayerRef {
            id: &self.id,
            source: Some(&self.source),
            names: &names,
        })
    }
}

/// Builds a source's layers from its WMS and WFS capabilities (either may be missing).
/// `default_category` files layers the WMS does not nest under a titled group.
pub fn merge(
    source: &str,
    default_category: &str,
    wms: Option<&Capabilities>,
    wfs: Option<&Capabilities>,
) -> Vec<OgcLayer> {
    let mut layers: Vec<OgcLayer> = Vec::new();
    let wfs_types: Vec<&CapLayer> = wfs.map(|c| c.layers.iter().collect()).unwrap_or_default();
    let mut wfs_used = vec![false; wfs_types.len()];
    for layer in wms.map(|c| c.layers.as_slice()).unwrap_or_default() {
        let twin = wfs_types
            .iter()
            .enumerate()
            .find(|(i, t)| !wfs_used[*i] && same_feature(&layer.name, &t.name));
        let wfs_name = twin.map(|(i, t)| {
            wfs_used[i] = true;
            t.name.clone()
        });
        layers.push(from_cap(
            source,
            default_category,
            layer,
            Some(layer.name.clone()),
            wfs_name,
        ));
    }
    for (i, t) in wfs_types.iter().enumerate() {
        if !wfs_used[i] {
            layers.push(from_cap(
                source,
                default_category,
                t,
                None,
                Some(t.name.clone()),
            ));
        }
    }
    // Ids must be unique: later duplicates get a number.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for layer in &mut layers {
        let n = seen.entry(layer.id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            layer.id = format!("{}-{n}", layer.id);
        }
    }
    layers
}

fn from_cap(
    source: &str,
    default_category: &str,
    cap: &CapLayer,
    wms_name: Option<String>,
    wfs_name: Option<String>,
) -> OgcLayer {
    let category = if cap.parents.is_empty() {
        vec![default_category.to_owned()]
    } else {
        cap.parents.clone()
    };
    OgcLayer {
        source: source.to_owned(),
        id: layer_id(source, &cap.name),
        wms_name,
        wfs_name,
        title: cap.title.clone(),
        abstract_text: cap.abstract_text.clone(),
        keywords: cap.keywords.clone(),
        bbox: cap.bbox_wgs84,
        styles: cap.styles.iter().map(|s| s.name.clone()).collect(),
        queryable: cap.queryable,
        time: cap.time.clone(),
        metadata_url: cap.metadata_urls.first().cloned(),
        category,
        children: cap.children.clone(),
    }
}

/// The part after the namespace prefix.
pub fn local_part(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, local)| local)
}

fn prefix(name: &str) -> Option<&str> {
    name.split_once(':').map(|(p, _)| p)
}

/// A WMS layer and a WFS type are the same data when their local names match and their
/// prefixes do not contradict each other (MapServer: `communes` and `ms:communes`).
fn same_feature(wms: &str, wfs: &str) -> bool {
    local_part(wms) == local_part(wfs)
        && match (prefix(wms), prefix(wfs)) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
}

/// `{source}-{local name}`, lower case, other characters as `-`.
pub fn layer_id(source: &str, name: &str) -> String {
    let local: String = local_part(name)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("{source}-{local}")
}

/// One source's layers with their names indexed.
#[derive(Debug, Clone, Default)]
pub struct SourceLayers {
    pub layers: Vec<OgcLayer>,
    /// Advertised names, and local parts that are unique, → index in `layers`.
    aliases: HashMap<String, usize>,
}

impl SourceLayers {
    pub fn new(layers: Vec<OgcLayer>) -> Self {
        let mut aliases = HashMap::new();
        let mut local_count: HashMap<&str, usize> = HashMap::new();
        for layer in &layers {
            for name in layer.names() {
                *local_count.entry(local_part(name)).or_insert(0) += 1;
            }
        }
        // A WMS name and its WFS twin share a local part: that counts once per layer.
        for layer in &layers {
            let names = layer.names();
            if names.len() == 2
                && local_part(names[0]) == local_part(names[1])
                && let Some(n) = local_count.get_mut(local_part(names[0]))
            {
                *n -= 1;
            }
        }
        let unique_locals: Vec<(String, usize)> = layers
            .iter()
            .enumerate()
            .flat_map(|(i, l)| {
                l.names()
                    .into_iter()
                    .map(move |n| (local_part(n).to_owned(), i))
            })
            .filter(|(local, _)| local_count.get(local.as_str()) == Some(&1))
            .collect();
        for (local, i) in unique_locals {
            aliases.entry(local).or_insert(i);
        }
        // Exact advertised names always win over local-part aliases.
        for (i, layer) in layers.iter().enumerate() {
            for name in layer.names() {
                aliases.insert(name.to_owned(), i);
            }
        }
        Self { layers, aliases }
    }

    /// The layer a requested name means, if any.
    pub fn resolve(&self, name: &str) -> Option<&OgcLayer> {
        self.aliases.get(name).and_then(|&i| self.layers.get(i))
    }

    pub fn by_id(&self, id: &str) -> Option<&OgcLayer> {
        self.layers.iter().find(|l| l.id == id)
    }
}

/// Every source's layers.
#[derive(Debug, Clone, Default)]
pub struct OgcCatalog {
    pub sources: HashMap<String, SourceLayers>,
}

impl OgcCatalog {
    pub fn from_layers(layers: Vec<OgcLayer>) -> Self {
        let mut by_source: HashMap<String, Vec<OgcLayer>> = HashMap::new();
        for layer in layers {
            by_source
                .entry(layer.source.clone())
                .or_default()
                .push(layer);
        }
        Self {
            sources: by_source
                .into_iter()
                .map(|(s, l)| (s, SourceLayers::new(l)))
                .collect(),
        }
    }

    pub fn source(&self, id: &str) -> Option<&SourceLayers> {
        self.sources.get(id)
    }

    /// All layers, sources in id order, each in harvest order.
    pub fn layers(&self) -> impl Iterator<Item = &OgcLayer> {
        let mut ids: Vec<&String> = self.sources.keys().collect();
        ids.sort();
        ids.into_iter()
            .filter_map(|id| self.sources.get(id))
            .flat_map(|s| s.layers.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ogc::capabilities::Service;

    fn cap(name: &str, parents: &[&str]) -> CapLayer {
        CapLayer {
            name: name.into(),
            title: format!("Title of {name}"),
            abstract_text: None,
            keywords: vec![],
            bbox_wgs84: Some([-5.0, 47.0, -1.0, 49.0]),
            styles: vec![],
            queryable: true,
            time: None,
            metadata_urls: vec![],
            children: vec![],
            parents: parents.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    fn caps(service: Service, layers: Vec<CapLayer>) -> Capabilities {
        Capabilities {
            service,
            version: "x".into(),
            title: None,
            layers,
            formats: vec![],
            info_formats: vec![],
        }
    }

    #[test]
    fn a_wms_layer_and_its_wfs_twin_become_one_layer_and_lone_types_are_kept() {
        let wms = caps(
            Service::Wms,
            vec![cap("communes", &["Admin"]), cap("ortho", &[])],
        );
        let wfs = caps(
            Service::Wfs,
            vec![cap("ms:communes", &[]), cap("ms:stations", &[])],
        );
        let layers = merge("ms", "MapServer", Some(&wms), Some(&wfs));
        let summary: Vec<_> = layers
            .iter()
            .map(|l| (l.id.as_str(), l.wms_name.as_deref(), l.wfs_name.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                ("ms-communes", Some("communes"), Some("ms:communes")),
                ("ms-ortho", Some("ortho"), None),
                ("ms-stations", None, Some("ms:stations")),
            ]
        );
        assert_eq!(layers[0].category, ["Admin"]);
        assert_eq!(layers[1].category, ["MapServer"]);
    }

    #[test]
    fn prefixed_names_only_twin_with_the_same_prefix() {
        let wms = caps(Service::Wms, vec![cap("indigeo:traits", &[])]);
        let wfs = caps(Service::Wfs, vec![cap("maddog:traits", &[])]);
        let layers = merge("g", "G", Some(&wms), Some(&wfs));
        assert_eq!(layers.len(), 2);
        assert_eq!(layers[0].id, "g-traits");
        assert_eq!(layers[1].id, "g-traits-2", "ids stay unique");
    }

    #[test]
    fn names_resolve_exactly_or_by_a_unique_local_part_never_by_a_foreign_prefix() {
        let wms = caps(
            Service::Wms,
            vec![
                cap("indigeo:communes", &[]),
                cap("indigeo:sites", &[]),
                cap("maddog:sites", &[]),
            ],
        );
        let source = SourceLayers::new(merge("g", "G", Some(&wms), None));
        assert_eq!(source.resolve("indigeo:communes").unwrap().id, "g-communes");
        assert_eq!(source.resolve("communes").unwrap().id, "g-communes");
        assert!(source.resolve("evil:communes").is_none());
        assert!(source.resolve("sites").is_none(), "ambiguous local part");
        assert_eq!(
            source.resolve("maddog:sites").unwrap().wms_name.as_deref(),
            Some("maddog:sites")
        );
        assert!(
            source.resolve("Communes").is_none(),
            "names are case-sensitive"
        );
    }

    #[test]
    fn a_mapserver_layer_resolves_by_its_wms_and_wfs_names() {
        let wms = caps(Service::Wms, vec![cap("communes", &[])]);
        let wfs = caps(Service::Wfs, vec![cap("ms:communes", &[])]);
        let source = SourceLayers::new(merge("ms", "M", Some(&wms), Some(&wfs)));
        assert_eq!(source.resolve("communes").unwrap().id, "ms-communes");
        assert_eq!(source.resolve("ms:communes").unwrap().id, "ms-communes");
    }

    #[test]
    fn layer_ids_are_url_safe() {
        assert_eq!(
            layer_id("indigeo", "ws:Traits de Côte"),
            "indigeo-traits-de-c-te"
        );
    }
}
