//! Rewrites a capabilities document for one caller: only the layers / feature types it may
//! see, and service URLs pointing at Kartenn's proxy instead of the upstream server.
//!
//! URL rewriting: `OnlineResource` in a WMS `DCPType` or directly in `Service`, and OWS
//! `DCP` `Get` / `Post`, become `proxy_url`; `LegendURL` becomes `proxy_url` plus the original
//! query (without MapServer's `map=`, which names a file upstream and must not come from
//! clients). Other links (MetadataURL, DataURL, Attribution, contact pages) are left intact.

use super::parse::kind;
use super::xml::{self, Element};
use super::{CapabilitiesError, Service};

/// Rewrites a capabilities document for one caller (see the module documentation).
pub fn filter(
    xml: &[u8],
    allowed: &dyn Fn(&str) -> bool,
    proxy_url: &str,
) -> Result<Vec<u8>, CapabilitiesError> {
    let mut document = xml::read(xml)?;
    let root = &mut document.root;
    match kind(root)? {
        Service::Wms => {
            for capability in root.elements_mut().filter(|e| e.is("Capability")) {
                capability.retain_elements(|e| !e.is("Layer") || keep_layer(e, allowed, true));
            }
        }
        Service::Wfs => {
            for list in root.elements_mut().filter(|e| e.is("FeatureTypeList")) {
                list.retain_elements(|e| {
                    !e.is("FeatureType") || e.child_text("Name").is_some_and(|name| allowed(&name))
                });
            }
        }
    }
    rewrite_links(root, &mut Vec::new(), proxy_url);
    document.write()
}

/// Whether a WMS layer stays, pruning its insides. A named layer stays when allowed (with its
/// forbidden layers removed); an unnamed one when something inside stays. The single root
/// layer is a container: when its name is not allowed, it stays without its `Name`.
fn keep_layer(layer: &mut Element, allowed: &dyn Fn(&str) -> bool, top: bool) -> bool {
    let name = layer.child_text("Name");
    let allowed_name = name.as_deref().is_some_and(allowed);
    if name.is_some() && !allowed_name && !top {
        return false;
    }
    layer.retain_elements(|e| !e.is("Layer") || keep_layer(e, allowed, false));
    if allowed_name {
        return true;
    }
    if name.is_some() {
        layer.retain_elements(|e| !e.is("Name"));
    }
    layer.elements().any(|e| e.is("Layer"))
}

/// Rewrites the links under `element`; `ancestors` holds the local names above it.
fn rewrite_links(element: &mut Element, ancestors: &mut Vec<Vec<u8>>, proxy_url: &str) {
    if element.attr("href").is_some() {
        let parent = ancestors.last().map(Vec::as_slice);
        let inside = |name: &str| {
            ancestors
                .iter()
                .any(|a| a.eq_ignore_ascii_case(name.as_bytes()))
        };
        let is_parent =
            |name: &str| parent.is_some_and(|p| p.eq_ignore_ascii_case(name.as_bytes()));
        if element.is("OnlineResource") && inside("LegendURL") {
            let href = element.attr("href").unwrap_or_default();
            element.set_attr("href", &legend_url(&href, proxy_url));
        } else if (element.is("OnlineResource") && (inside("DCPType") || is_parent("Service")))
            || ((element.is("Get") || element.is("Post")) && inside("DCP"))
        {
            element.set_attr("href", proxy_url);
        }
    }
    ancestors.push(element.local_name().to_vec());
    for child in element.elements_mut() {
        rewrite_links(child, ancestors, proxy_url);
    }
    ancestors.pop();
}

/// `proxy_url` with the query parameters of `original` (but `map`), e.g.
/// `https://maps.example.org/ows/indigeo?service=WMS&request=GetLegendGraphic&layer=x`.
pub(super) fn legend_url(original: &str, proxy_url: &str) -> String {
    let query = original
        .split_once('?')
        .map_or("", |(_, q)| q)
        .split('#')
        .next()
        .unwrap_or_default();
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            !p.split('=')
                .next()
                .unwrap_or_default()
                .eq_ignore_ascii_case("map")
        })
        .collect();
    let query = kept.join("&");
    if query.is_empty() {
        proxy_url.to_owned()
    } else if proxy_url.ends_with('?') || proxy_url.ends_with('&') {
        format!("{proxy_url}{query}")
    } else if proxy_url.contains('?') {
        format!("{proxy_url}&{query}")
    } else {
        format!("{proxy_url}?{query}")
    }
}
