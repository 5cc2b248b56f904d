//! Validating an OGC request before anything reaches an upstream server. Deny by default:
//! only the listed operations, and for each operation only the listed parameters, each with
//! a value of the expected shape. Expression-bearing parameters (SLD, filters, property
//! expressions, view parameters — the ways in of CVE-2024-36401, CVE-2023-25157 and friends)
//! are refused by name; attribute lists are accepted only as plain names.

use super::OgcError;
use super::kvp::{Kvp, printable};
pub use super::values::is_name;
use super::values::{CountKind, Dim, Shape, check};
use crate::config::OgcLimits;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Wms,
    Wfs,
}

impl Service {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wms => "WMS",
            Self::Wfs => "WFS",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    GetCapabilities,
    GetMap,
    GetFeatureInfo,
    GetLegendGraphic,
    GetFeature,
    DescribeFeatureType,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GetCapabilities => "GetCapabilities",
            Self::GetMap => "GetMap",
            Self::GetFeatureInfo => "GetFeatureInfo",
            Self::GetLegendGraphic => "GetLegendGraphic",
            Self::GetFeature => "GetFeature",
            Self::DescribeFeatureType => "DescribeFeatureType",
        }
    }
}

/// A request that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct OgcRequest {
    pub service: Service,
    pub operation: Operation,
    /// Every layer the request names (LAYERS, QUERY_LAYERS, LAYER, TYPENAME(S)), in order,
    /// without duplicates. Each must be resolved and allowed before forwarding.
    pub layers: Vec<String>,
    /// The parameters to forward: upper-case keys, checked values (layer names still as the
    /// caller wrote them: the proxy replaces them with the upstream names).
    pub params: Vec<(String, String)>,
    pub time: Option<String>,
}

impl OgcRequest {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Parameters never forwarded, whatever the operation: they carry styles, filters or
/// expressions the upstream server would evaluate, or switch its configuration.
const BLOCKED: &[&str] = &[
    "SLD",
    "SLD_BODY",
    "STYLE_BODY",
    "ENV",
    "VIEWPARAMS",
    "FILTER",
    "CQL_FILTER",
    "FILTER_LANGUAGE",
    "FEATUREID",
    "STOREDQUERY_ID",
    "MAP",
    "MAP.LAYER",
    "MAPFILE",
    "XML",
    "REQUEST_BODY",
    "CLIP",
    "SQL",
    "INTERPOLATIONS",
    "RESOLVE",
    "RESOLVEDEPTH",
];

const COMMON: &[(&str, Shape)] = &[
    ("SERVICE", Shape::Fixed),
    ("REQUEST", Shape::Fixed),
    ("VERSION", Shape::Version),
];

const MAP_PARAMS: &[(&str, Shape)] = &[
    ("LAYERS", Shape::Layers),
    ("STYLES", Shape::Styles),
    ("CRS", Shape::Crs),
    ("SRS", Shape::Crs),
    ("BBOX", Shape::Bbox),
    ("WIDTH", Shape::Size(Dim::Width)),
    ("HEIGHT", Shape::Size(Dim::Height)),
    ("FORMAT", Shape::Mime),
    ("TRANSPARENT", Shape::Bool),
    ("BGCOLOR", Shape::Color),
    ("EXCEPTIONS", Shape::Exceptions),
    ("TIME", Shape::Time),
    ("ELEVATION", Shape::Number),
    ("FORMAT_OPTIONS", Shape::Options),
    ("DPI", Shape::Uint),
    ("MAP_RESOLUTION", Shape::Uint),
    ("TILED", Shape::Bool),
    ("TILESORIGIN", Shape::Bbox),
];

const INFO_PARAMS: &[(&str, Shape)] = &[
    ("QUERY_LAYERS", Shape::Layers),
    ("INFO_FORMAT", Shape::Mime),
    ("FEATURE_COUNT", Shape::Count(CountKind::FeatureInfo)),
    ("I", Shape::Pixel(Dim::Width)),
    ("J", Shape::Pixel(Dim::Height)),
    ("X", Shape::Pixel(Dim::Width)),
    ("Y", Shape::Pixel(Dim::Height)),
    ("BUFFER", Shape::Uint),
];

const LEGEND_PARAMS: &[(&str, Shape)] = &[
    ("LAYER", Shape::Layer),
    ("STYLE", Shape::Styles),
    ("FORMAT", Shape::Mime),
    ("WIDTH", Shape::Size(Dim::Width)),
    ("HEIGHT", Shape::Size(Dim::Height)),
    ("SCALE", Shape::Number),
    ("TRANSPARENT", Shape::Bool),
    ("LEGEND_OPTIONS", Shape::Options),
    ("EXCEPTIONS", Shape::Exceptions),
    ("LANGUAGE", Shape::Word),
    ("SLD_VERSION", Shape::Version),
];

const CAPS_PARAMS: &[(&str, Shape)] = &[
    ("FORMAT", Shape::Mime),
    ("ACCEPTVERSIONS", Shape::Version),
    ("ACCEPTFORMATS", Shape::Mime),
    ("SECTIONS", Shape::Attributes),
    ("LANGUAGE", Shape::Word),
];

const FEATURE_PARAMS: &[(&str, Shape)] = &[
    ("TYPENAMES", Shape::Layers),
    ("TYPENAME", Shape::Layers),
    ("COUNT", Shape::Count(CountKind::Features)),
    ("MAXFEATURES", Shape::Count(CountKind::Features)),
    ("STARTINDEX", Shape::Uint),
    ("OUTPUTFORMAT", Shape::Mime),
    ("SRSNAME", Shape::Crs),
    ("BBOX", Shape::Bbox),
    ("PROPERTYNAME", Shape::Attributes),
    ("SORTBY", Shape::SortBy),
    ("RESOURCEID", Shape::ResourceIds),
    ("RESULTTYPE", Shape::ResultType),
    ("EXCEPTIONS", Shape::Exceptions),
    ("TIME", Shape::Time),
];

const DESCRIBE_PARAMS: &[(&str, Shape)] = &[
    ("TYPENAMES", Shape::Layers),
    ("TYPENAME", Shape::Layers),
    ("OUTPUTFORMAT", Shape::Mime),
];

fn allowed_params(service: Service, op: Operation) -> Vec<(&'static str, Shape)> {
    let mut list: Vec<(&str, Shape)> = COMMON.to_vec();
    let extra: &[&[(&str, Shape)]] = match (service, op) {
        (_, Operation::GetCapabilities) => &[CAPS_PARAMS],
        (_, Operation::GetMap) => &[MAP_PARAMS],
        (_, Operation::GetFeatureInfo) => &[MAP_PARAMS, INFO_PARAMS],
        (_, Operation::GetLegendGraphic) => &[LEGEND_PARAMS],
        (_, Operation::GetFeature) => &[FEATURE_PARAMS],
        (_, Operation::DescribeFeatureType) => &[DESCRIBE_PARAMS],
    };
    for group in extra {
        for item in *group {
            if !list.iter().any(|(k, _)| k == &item.0) {
                list.push(*item);
            }
        }
    }
    list
}

/// Checks a parsed request against the allow-lists and `limits`.
pub fn validate(kvp: &Kvp, limits: &OgcLimits) -> Result<OgcRequest, OgcError> {
    let service = match kvp.get("SERVICE").map(str::to_ascii_uppercase).as_deref() {
        Some("WMS") => Service::Wms,
        Some("WFS") => Service::Wfs,
        Some(other) => {
            return Err(OgcError::invalid(
                "InvalidParameterValue",
                format!("SERVICE {} is not offered (WMS, WFS)", printable(other)),
            ));
        }
        None => {
            return Err(OgcError::invalid(
                "MissingParameterValue",
                "SERVICE is missing",
            ));
        }
    };
    let requested = kvp
        .get("REQUEST")
        .ok_or_else(|| OgcError::invalid("MissingParameterValue", "REQUEST is missing"))?;
    let operation = operation(service, requested)?;
    let allowed = allowed_params(service, operation);
    let size = |key: &str| kvp.get(key).and_then(|v| v.parse::<u32>().ok());
    let (width, height) = (size("WIDTH"), size("HEIGHT"));

    let mut params = Vec::with_capacity(kvp.len());
    let mut layers: Vec<String> = Vec::new();
    for (key, value) in kvp.iter() {
        if BLOCKED.contains(&key) {
            return Err(OgcError::invalid(
                "InvalidParameterValue",
                format!("parameter {key} is blocked by this proxy"),
            ));
        }
        let Some((_, shape)) = allowed.iter().find(|(k, _)| *k == key) else {
            return Err(OgcError::invalid(
                "InvalidParameterValue",
                format!(
                    "parameter {key} is not allowed in {} {}",
                    service.as_str(),
                    operation.as_str()
                ),
            ));
        };
        check(key, value, *shape, limits, width, height)?;
        if matches!(shape, Shape::Layers | Shape::Layer) {
            for name in value.split(',') {
                if !layers.iter().any(|l| l == name) {
                    layers.push(name.to_owned());
                }
            }
        }
        let value = match shape {
            Shape::Fixed if key == "SERVICE" => service.as_str().to_owned(),
            Shape::Fixed => operation.as_str().to_owned(),
            _ => value.to_owned(),
        };
        params.push((key.to_owned(), value));
    }
    let request = OgcRequest {
        service,
        operation,
        layers,
        time: kvp.get("TIME").map(str::to_owned),
        params,
    };
    check_required(request, limits)
}

fn operation(service: Service, requested: &str) -> Result<Operation, OgcError> {
    let op = match requested.to_ascii_lowercase().as_str() {
        "getcapabilities" => Operation::GetCapabilities,
        "getmap" => Operation::GetMap,
        "getfeatureinfo" => Operation::GetFeatureInfo,
        "getlegendgraphic" => Operation::GetLegendGraphic,
        "getfeature" => Operation::GetFeature,
        "describefeaturetype" => Operation::DescribeFeatureType,
        _ => {
            return Err(OgcError::invalid(
                "OperationNotSupported",
                format!("REQUEST {} is not offered", printable(requested)),
            ));
        }
    };
    let fits = match service {
        Service::Wms => matches!(
            op,
            Operation::GetCapabilities
                | Operation::GetMap
                | Operation::GetFeatureInfo
                | Operation::GetLegendGraphic
        ),
        Service::Wfs => matches!(
            op,
            Operation::GetCapabilities | Operation::GetFeature | Operation::DescribeFeatureType
        ),
    };
    if !fits {
        return Err(OgcError::invalid(
            "OperationNotSupported",
            format!("{} is not a {} operation", op.as_str(), service.as_str()),
        ));
    }
    Ok(op)
}

/// Operation-level requirements: the layers to check must be named, and limits that have a
/// default are made explicit so the upstream server never applies its own.
fn check_required(mut r: OgcRequest, limits: &OgcLimits) -> Result<OgcRequest, OgcError> {
    let missing =
        |what: &str| OgcError::invalid("MissingParameterValue", format!("{what} is missing"));
    match r.operation {
        Operation::GetCapabilities => {}
        Operation::GetMap => {
            for key in ["LAYERS", "BBOX", "WIDTH", "HEIGHT", "FORMAT"] {
                if r.get(key).is_none() {
                    return Err(missing(key));
                }
            }
        }
        Operation::GetFeatureInfo => {
            for key in ["LAYERS", "QUERY_LAYERS", "BBOX", "WIDTH", "HEIGHT"] {
                if r.get(key).is_none() {
                    return Err(missing(key));
                }
            }
            let shown: Vec<&str> = r.get("LAYERS").unwrap_or_default().split(',').collect();
            if let Some(extra) = r
                .get("QUERY_LAYERS")
                .unwrap_or_default()
                .split(',')
                .find(|q| !shown.contains(q))
            {
                return Err(OgcError::invalid(
                    "LayerNotQueryable",
                    format!(
                        "QUERY_LAYERS names {} which LAYERS does not",
                        printable(extra)
                    ),
                ));
            }
            let has_i = r.get("I").is_some() || r.get("X").is_some();
            let has_j = r.get("J").is_some() || r.get("Y").is_some();
            if !has_i || !has_j {
                return Err(missing("I/J"));
            }
            if r.get("FEATURE_COUNT").is_none() {
                r.params.push((
                    "FEATURE_COUNT".into(),
                    limits.max_feature_count.min(10).to_string(),
                ));
            }
        }
        Operation::GetLegendGraphic => {
            if r.get("LAYER").is_none() {
                return Err(missing("LAYER"));
            }
            if r.get("FORMAT").is_none() {
                return Err(missing("FORMAT"));
            }
        }
        Operation::GetFeature => {
            if r.get("TYPENAMES").is_none() && r.get("TYPENAME").is_none() {
                return Err(missing("TYPENAMES"));
            }
            if r.get("COUNT").is_none() && r.get("MAXFEATURES").is_none() {
                let key = if r.get("VERSION").is_some_and(|v| v.starts_with('1')) {
                    "MAXFEATURES"
                } else {
                    "COUNT"
                };
                r.params.push((key.into(), limits.max_count.to_string()));
            }
        }
        Operation::DescribeFeatureType => {
            if r.get("TYPENAMES").is_none() && r.get("TYPENAME").is_none() {
                return Err(missing("TYPENAMES"));
            }
        }
    }
    Ok(r)
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
