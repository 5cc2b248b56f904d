//! Harvested OGC layers as catalogue entries for one caller: only what they may view; WMS
//! layers drawn through Kartenn's proxy, WFS-only feature types as GeoJSON through it; legend,
//! metadata, time, WFS access (when they may query) and download (when they may download).

use kartenn_common::{CatalogLayer, LayerSource, LayerStyle, OgcLayerInfo, WfsInfo};

use crate::acl::{Acl, Action, Principal, glob};
use crate::config::PopupConfig;
use crate::ogc::catalog::{OgcCatalog, OgcLayer};

/// Features a WFS-only layer loads at most when drawn (its attribute table pages further).
pub const WFS_DRAW_COUNT: u32 = 5000;

/// The catalogue entries of every harvested layer `who` may view, not in the map at start.
pub fn layers(
    catalog: &OgcCatalog,
    acl: &Acl,
    who: &Principal,
    popups: &[PopupConfig],
) -> Vec<CatalogLayer> {
    catalog
        .layers()
        .filter_map(|layer| entry(layer, acl, who, popups))
        .collect()
}

fn entry(
    layer: &OgcLayer,
    acl: &Acl,
    who: &Principal,
    popups: &[PopupConfig],
) -> Option<CatalogLayer> {
    let can = |action| layer.with_ref(|r| acl.allows(who, r, action));
    if !can(Action::View) {
        return None;
    }
    let (query, download) = (can(Action::Query), can(Action::Download));
    let proxy = format!("/ows/{}", layer.source);
    let source = match (&layer.wms_name, &layer.wfs_name) {
        (Some(wms), _) => LayerSource::Wms {
            url: proxy.clone(),
            layers: wms.clone(),
            styles: String::new(),
            format: "image/png".to_owned(),
            transparent: true,
            time: None,
        },
        (None, Some(wfs)) if query => LayerSource::GeoJson {
            url: features_url(&proxy, wfs, WFS_DRAW_COUNT),
        },
        (None, _) => return None,
    };
    let names = layer.names();
    let popup = popups
        .iter()
        .find(|p| glob(&p.layer, &layer.id) || names.iter().any(|n| glob(&p.layer, n)))
        .map(|p| p.template.clone());
    Some(CatalogLayer {
        id: layer.id.clone(),
        title: layer.title.clone(),
        description: layer.abstract_text.clone(),
        attribution: None,
        geometry: None,
        bounds: layer.bbox,
        visible: true,
        opacity: 1.0,
        source,
        style: LayerStyle::default(),
        keywords: layer.keywords.clone(),
        category: layer.category.clone(),
        in_map: false,
        ogc: Some(OgcLayerInfo {
            source: layer.source.clone(),
            name: layer
                .wms_name
                .clone()
                .or_else(|| layer.wfs_name.clone())
                .unwrap_or_default(),
            queryable: layer.queryable && query,
            legend_url: layer.wms_name.as_ref().map(|wms| {
                format!(
                    "{proxy}?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&FORMAT=image/png\
                     &SLD_VERSION=1.1.0&LAYER={wms}"
                )
            }),
            metadata_url: layer.metadata_url.clone().filter(|u| is_http(u)),
            time: layer.time.clone(),
            wfs: layer
                .wfs_name
                .as_ref()
                .filter(|_| query)
                .map(|type_name| WfsInfo {
                    type_name: type_name.clone(),
                    download,
                }),
            children: layer.children.clone(),
            popup,
        }),
    })
}

/// A GetFeature through the proxy, as GeoJSON in WGS 84 (longitude first).
pub fn features_url(proxy: &str, type_name: &str, count: u32) -> String {
    format!(
        "{proxy}?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES={type_name}\
         &OUTPUTFORMAT=application/json&SRSNAME=EPSG:4326&COUNT={count}"
    )
}

/// Only http(s) links reach the viewer (no `javascript:`).
fn is_http(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acl::{Audience, DefaultAccess, Keyword, Rule};

    fn layer(name: &str, wms: bool, wfs: bool) -> OgcLayer {
        OgcLayer {
            source: "geo".into(),
            id: crate::ogc::catalog::layer_id("geo", name),
            wms_name: wms.then(|| name.to_owned()),
            wfs_name: wfs.then(|| name.to_owned()),
            title: name.into(),
            abstract_text: None,
            keywords: vec!["littoral".into()],
            bbox: None,
            styles: vec![],
            queryable: true,
            time: None,
            metadata_url: Some("javascript:alert(1)".into()),
            category: vec!["Côte".into()],
            children: vec![],
        }
    }

    fn rule(layer: &str, view: bool, query: bool, download: bool) -> Rule {
        let public = |on: bool| on.then_some(Audience::Keyword(Keyword::Public));
        Rule {
            layer: Some(layer.into()),
            dataset: None,
            source: None,
            view: public(view),
            query: public(query),
            download: public(download),
        }
    }

    #[test]
    fn entries_follow_the_callers_rights_per_action() {
        let catalog = OgcCatalog::from_layers(vec![
            layer("ws:hidden", true, true),
            layer("ws:view_only", true, true),
            layer("ws:all", true, true),
            layer("ws:wfs_only_view", false, true),
        ]);
        let acl = Acl::new(
            vec![
                rule("ws:view_only", true, false, false),
                rule("ws:all", true, true, true),
                rule("ws:wfs_only_view", true, false, false),
            ],
            DefaultAccess::Deny,
        );
        let popups = [PopupConfig {
            layer: "ws:all".into(),
            template: "{nom}".into(),
        }];
        let entries = layers(&catalog, &acl, &Principal::anonymous(), &popups);
        let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            ["geo-view_only", "geo-all"],
            "hidden and undrawable layers are left out"
        );
        let view_only = entries[0].ogc.as_ref().unwrap();
        assert!(!view_only.queryable && view_only.wfs.is_none());
        assert!(
            view_only.metadata_url.is_none(),
            "javascript: links are dropped"
        );
        let all = entries[1].ogc.as_ref().unwrap();
        assert!(all.queryable);
        assert!(all.wfs.as_ref().unwrap().download);
        assert_eq!(all.popup.as_deref(), Some("{nom}"));
        assert!(all.legend_url.as_ref().unwrap().starts_with("/ows/geo?"));
        assert!(!entries[1].in_map);
        assert_eq!(entries[1].category, ["Côte"]);
    }

    #[test]
    fn a_wfs_only_layer_is_drawn_from_geojson_through_the_proxy() {
        let catalog = OgcCatalog::from_layers(vec![layer("ms:stations", false, true)]);
        let acl = Acl::new(vec![], DefaultAccess::Public);
        let entries = layers(&catalog, &acl, &Principal::anonymous(), &[]);
        match &entries[0].source {
            LayerSource::GeoJson { url } => {
                assert!(url.starts_with("/ows/geo?SERVICE=WFS"), "{url}");
                assert!(url.contains("TYPENAMES=ms:stations"));
            }
            other => panic!("{other:?}"),
        }
    }
}
