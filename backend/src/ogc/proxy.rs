//! The OGC proxy's decisions, without HTTP: which source, whether every named layer exists
//! and is allowed for this caller and this action (layer groups: all their members too), the
//! TIME value, the upstream names to send, and what kind of answer may come back.

use super::OgcError;
use super::capabilities::time_allowed;
use super::catalog::{OgcLayer, SourceLayers};
use super::kvp::{Kvp, printable};
use super::request::{OgcRequest, Operation, Service, validate};
use crate::acl::{Acl, Action, Principal};
use crate::config::{OgcLimits, SourceConfig};

/// Parameters that name layers.
const LAYER_PARAMS: &[&str] = &["LAYERS", "QUERY_LAYERS", "LAYER", "TYPENAMES", "TYPENAME"];

/// Content types an upstream answer may have, per kind of request. Everything else (HTML above
/// all: it would run on Kartenn's origin) is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// GetMap, GetLegendGraphic.
    Image,
    /// GetFeatureInfo.
    Info,
    /// GetFeature.
    Features,
    /// DescribeFeatureType.
    Schema,
}

/// A request ready to be sent upstream.
#[derive(Debug)]
pub struct Prepared<'a> {
    pub source: &'a SourceConfig,
    pub request: OgcRequest,
    /// `None` for GetCapabilities (the answer is filtered, not passed on).
    pub expect: Option<Expect>,
}

/// Checks a raw query for `source` on behalf of `who` and rewrites it for the upstream server.
pub fn prepare<'a>(
    sources: &'a [SourceConfig],
    layers: Option<&SourceLayers>,
    acl: &Acl,
    who: &Principal,
    limits: &OgcLimits,
    source_id: &str,
    raw_query: &str,
) -> Result<Prepared<'a>, OgcError> {
    let source = sources
        .iter()
        .find(|s| s.id == source_id)
        .ok_or_else(|| OgcError::UnknownSource(printable(source_id)))?;
    let mut request = validate(&Kvp::parse(raw_query)?, limits)?;
    match request.service {
        Service::Wms if !source.wms => {
            return Err(OgcError::invalid(
                "InvalidParameterValue",
                "this source offers no WMS",
            ));
        }
        Service::Wfs if !source.wfs => {
            return Err(OgcError::invalid(
                "InvalidParameterValue",
                "this source offers no WFS",
            ));
        }
        _ => {}
    }
    let empty = SourceLayers::default();
    let layers = layers.unwrap_or(&empty);
    let format = request_format(&request.params);
    let (operation, service, time) = (request.operation, request.service, request.time.clone());
    for (key, value) in &mut request.params {
        if !LAYER_PARAMS.contains(&key.as_str()) {
            continue;
        }
        let action = action_for(operation, key, &format);
        let mut upstream_names = Vec::new();
        for name in value.split(',') {
            let layer = allowed_layer(layers, acl, who, name, action)?;
            let upstream = match service {
                Service::Wms => layer.wms_name.as_deref(),
                Service::Wfs => layer.wfs_name.as_deref(),
            }
            .ok_or_else(|| OgcError::LayerNotAvailable(printable(name)))?;
            if let (Some(time), Some(dimension)) = (&time, &layer.time)
                && !time_allowed(dimension, time)
            {
                return Err(OgcError::Time {
                    layer: printable(name),
                    value: printable(time),
                });
            }
            upstream_names.push(upstream.to_owned());
        }
        *value = upstream_names.join(",");
    }
    // `EXCEPTIONS=application/json` asks Kartenn for JSON errors; servers do not know it.
    request.params.retain(|(k, v)| {
        !(k == "EXCEPTIONS"
            && matches!(v.to_ascii_lowercase().as_str(), "application/json" | "json"))
    });
    let expect = match request.operation {
        Operation::GetCapabilities => None,
        Operation::GetMap | Operation::GetLegendGraphic => Some(Expect::Image),
        Operation::GetFeatureInfo => Some(Expect::Info),
        Operation::GetFeature => Some(Expect::Features),
        Operation::DescribeFeatureType => Some(Expect::Schema),
    };
    Ok(Prepared {
        source,
        request,
        expect,
    })
}

/// The GetFeature output format, lower case ("" when not given).
fn request_format(params: &[(String, String)]) -> String {
    params
        .iter()
        .find(|(k, _)| k == "OUTPUTFORMAT")
        .map(|(_, v)| v.to_ascii_lowercase())
        .unwrap_or_default()
}

/// What naming a layer in `key` of `operation` amounts to.
fn action_for(operation: Operation, key: &str, format: &str) -> Action {
    match operation {
        Operation::GetFeatureInfo if key == "QUERY_LAYERS" => Action::Query,
        Operation::GetFeature if is_json(format) => Action::Query,
        Operation::GetFeature => Action::Download,
        Operation::DescribeFeatureType => Action::Query,
        _ => Action::View,
    }
}

/// GeoJSON output names GeoServer and MapServer accept.
pub fn is_json(format: &str) -> bool {
    matches!(
        format,
        "application/json"
            | "json"
            | "geojson"
            | "application/geo+json"
            | "application/json; subtype=geojson"
    )
}

/// The layer `name` means, if it exists and `who` may do `action` with it (and, for a group,
/// view every member). Unknown and forbidden give the same error.
pub fn allowed_layer<'l>(
    layers: &'l SourceLayers,
    acl: &Acl,
    who: &Principal,
    name: &str,
    action: Action,
) -> Result<&'l OgcLayer, OgcError> {
    let refused = || OgcError::LayerNotAvailable(printable(name));
    let layer = layers.resolve(name).ok_or_else(refused)?;
    if !layer.with_ref(|r| acl.allows(who, r, Action::View) && acl.allows(who, r, action)) {
        return Err(refused());
    }
    for child in &layer.children {
        let member = layers.resolve(child).ok_or_else(refused)?;
        if !member.with_ref(|r| acl.allows(who, r, Action::View) && acl.allows(who, r, action)) {
            return Err(refused());
        }
    }
    Ok(layer)
}

/// Whether a capabilities document may show the layer advertised as `name` to `who`.
pub fn visible_in_capabilities(
    layers: &SourceLayers,
    acl: &Acl,
    who: &Principal,
    name: &str,
) -> bool {
    allowed_layer(layers, acl, who, name, Action::View).is_ok()
}

/// Whether an upstream content type fits what was asked for.
pub fn content_type_allowed(expect: Expect, content_type: &str) -> bool {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match expect {
        Expect::Image => matches!(
            mime.as_str(),
            "image/png" | "image/jpeg" | "image/gif" | "image/webp"
        ),
        Expect::Info => matches!(
            mime.as_str(),
            "application/json"
                | "application/geo+json"
                | "text/plain"
                | "application/vnd.ogc.gml"
                | "application/gml+xml"
                | "text/xml"
                | "application/xml"
        ),
        Expect::Features => matches!(
            mime.as_str(),
            "application/json"
                | "application/geo+json"
                | "application/gml+xml"
                | "text/xml"
                | "application/xml"
                | "application/zip"
                | "application/x-zip-compressed"
                | "text/csv"
                | "application/vnd.ogc.gml"
        ),
        Expect::Schema => matches!(
            mime.as_str(),
            "text/xml"
                | "application/xml"
                | "application/gml+xml"
                | "application/json"
                | "application/schema+json"
        ),
    }
}

/// Whether an answer is an OGC exception report (servers such as MapServer send them with
/// HTTP 200; an XML answer where an image was asked for is one too).
pub fn looks_like_exception(expect: Expect, content_type: &str) -> bool {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let xml = mime.ends_with("xml") || mime == "application/vnd.ogc.se_xml";
    match expect {
        Expect::Image => xml || mime == "application/vnd.ogc.se_inimage",
        Expect::Info | Expect::Features => mime == "application/vnd.ogc.se_xml",
        Expect::Schema => false,
    }
}

#[cfg(test)]
#[path = "proxy_tests.rs"]
mod tests;
