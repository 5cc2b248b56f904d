//! Reads a WMS (1.1.1, 1.3.0) or WFS (1.x, 2.0) GetCapabilities document into [`Capabilities`].
//!
//! WMS layers are flattened in document order; what the specification makes inheritable
//! (geographic extent, styles, `queryable`, the time dimension) is inherited from enclosing
//! layers.

use kartenn_common::TimeDimension;

use super::xml::{self, Element};
use super::{CapLayer, CapStyle, Capabilities, CapabilitiesError, Service};

/// Parses a GetCapabilities document (or reports the exception the server answered with).
pub fn parse(xml: &[u8]) -> Result<Capabilities, CapabilitiesError> {
    let document = xml::read(xml)?;
    let root = &document.root;
    let service = kind(root)?;
    let version = root.attr("version").unwrap_or_default();
    Ok(match service {
        Service::Wms => parse_wms(root, version),
        Service::Wfs => parse_wfs(root, version),
    })
}

/// Which service the root element is for; exception reports become errors.
pub(super) fn kind(root: &Element) -> Result<Service, CapabilitiesError> {
    if root.is("WMS_Capabilities") || root.is("WMT_MS_Capabilities") {
        Ok(Service::Wms)
    } else if root.is("WFS_Capabilities") {
        Ok(Service::Wfs)
    } else if root.is("ServiceExceptionReport") || root.is("ExceptionReport") {
        Err(CapabilitiesError::ServiceException(exception_message(root)))
    } else {
        Err(CapabilitiesError::NotCapabilities(root.qualified_name()))
    }
}

/// The texts of a WMS `ServiceException` or OWS `ExceptionText` list (else their codes).
fn exception_message(root: &Element) -> String {
    let mut exceptions = Vec::new();
    root.descendants("ServiceException", &mut exceptions);
    root.descendants("Exception", &mut exceptions);
    let messages: Vec<String> = exceptions
        .iter()
        .filter_map(|e| {
            let mut texts = Vec::new();
            e.descendants("ExceptionText", &mut texts);
            let text = if texts.is_empty() {
                e.text()
            } else {
                texts.iter().map(|t| t.text()).collect::<Vec<_>>().join(" ")
            };
            let code = e.attr("code").or_else(|| e.attr("exceptionCode"));
            match (text.is_empty(), code) {
                (false, _) => Some(text),
                (true, Some(code)) => Some(code),
                (true, None) => None,
            }
        })
        .collect();
    if messages.is_empty() {
        "exception report without a message".to_owned()
    } else {
        messages.join("; ")
    }
}

fn parse_wms(root: &Element, version: String) -> Capabilities {
    let v111 = version.starts_with("1.0") || version.starts_with("1.1");
    let request = root.path(&["Capability", "Request"]);
    let formats_of = |operation: &[&str]| -> Vec<String> {
        request
            .and_then(|r| operation.iter().find_map(|name| r.child(name)))
            .map(|op| {
                op.all("Format")
                    .map(Element::text)
                    .filter(|f| !f.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut layers = Vec::new();
    if let Some(capability) = root.child("Capability") {
        let tops: Vec<&Element> = capability.all("Layer").collect();
        let single_root = tops.len() == 1;
        for top in tops {
            let context = Inherited::default();
            let mut path = Vec::new();
            walk(top, &context, &mut path, single_root, v111, &mut layers);
        }
    }
    Capabilities {
        service: Service::Wms,
        version,
        title: root
            .path(&["Service", "Title"])
            .map(Element::text)
            .filter(|t| !t.is_empty()),
        layers,
        formats: formats_of(&["GetMap", "Map"]),
        info_formats: formats_of(&["GetFeatureInfo", "FeatureInfo"]),
    }
}

/// What a WMS layer passes on to the layers inside it.
#[derive(Default, Clone)]
struct Inherited {
    bbox: Option<[f64; 4]>,
    styles: Vec<CapStyle>,
    queryable: bool,
    time: Option<TimeDimension>,
}

/// Adds the named layers of this subtree to `out`; returns their names (this one's first).
fn walk(
    layer: &Element,
    parent: &Inherited,
    path: &mut Vec<String>,
    skip_in_path: bool,
    v111: bool,
    out: &mut Vec<CapLayer>,
) -> Vec<String> {
    let name = layer.child_text("Name");
    let title = layer.child_text("Title");
    let context = inherit(layer, parent, v111);

    let index = name.as_ref().map(|name| {
        out.push(CapLayer {
            name: name.clone(),
            title: title.clone().unwrap_or_else(|| name.clone()),
            abstract_text: layer.child_text("Abstract"),
            keywords: keywords(layer),
            bbox_wgs84: context.bbox,
            styles: context.styles.clone(),
            queryable: context.queryable,
            time: context.time.clone(),
            metadata_urls: metadata_urls(layer),
            children: Vec::new(),
            parents: path.clone(),
        });
        out.len() - 1
    });

    let pushed = match (&title, skip_in_path) {
        (Some(title), false) => {
            path.push(title.clone());
            true
        }
        _ => false,
    };
    let mut inside = Vec::new();
    for child in layer.all("Layer") {
        inside.extend(walk(child, &context, path, false, v111, out));
    }
    if pushed {
        path.pop();
    }
    if let Some(entry) = index.and_then(|i| out.get_mut(i)) {
        entry.children.clone_from(&inside);
    }
    name.into_iter().chain(inside).collect()
}

fn inherit(layer: &Element, parent: &Inherited, v111: bool) -> Inherited {
    let mut context = parent.clone();
    if let Some(bbox) = wms_bbox(layer, v111) {
        context.bbox = Some(bbox);
    }
    let own: Vec<CapStyle> = layer.all("Style").filter_map(style).collect();
    if !own.is_empty() {
        let inherited = std::mem::take(&mut context.styles);
        context.styles = own;
        for style in inherited {
            if !context.styles.iter().any(|s| s.name == style.name) {
                context.styles.push(style);
            }
        }
    }
    if let Some(queryable) = layer.attr("queryable") {
        context.queryable = queryable == "1" || queryable.eq_ignore_ascii_case("true");
    }
    // WMS 1.1.1 declares `<Dimension name="time"/>` and gives the values in `<Extent>` (either
    // may be on an enclosing layer); 1.3.0 gives them in `<Dimension>`.
    let values = layer
        .all(if v111 { "Extent" } else { "Dimension" })
        .find(|d| {
            d.attr("name")
                .is_some_and(|n| n.eq_ignore_ascii_case("time"))
        });
    if let Some(values) = values {
        context.time = time_dimension_of(values);
    }
    context
}

/// A `<Dimension>` (1.3.0) or `<Extent>` (1.1.1) element's values and default.
fn time_dimension_of(element: &Element) -> Option<TimeDimension> {
    let text = element.text();
    match super::parse_time_extent(&text) {
        Ok(extent) if !extent.is_empty() => Some(TimeDimension {
            default: element
                .attr("default")
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty()),
            extent,
        }),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!("ignoring a layer's time dimension: {e}");
            None
        }
    }
}

fn style(element: &Element) -> Option<CapStyle> {
    Some(CapStyle {
        name: element.child_text("Name")?,
        title: element.child_text("Title"),
        legend_url: element.child("LegendURL").and_then(online_resource),
    })
}

/// The `xlink:href` of an `OnlineResource` child, or of the element itself, or its text.
fn online_resource(element: &Element) -> Option<String> {
    element
        .child("OnlineResource")
        .and_then(|r| r.attr("href"))
        .or_else(|| element.attr("href"))
        .or_else(|| Some(element.text()))
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
}

fn metadata_urls(element: &Element) -> Vec<String> {
    element
        .all("MetadataURL")
        .filter_map(online_resource)
        .collect()
}

/// WMS `KeywordList/Keyword`, OWS `Keywords/Keyword`, or WFS 1.0 comma-separated `Keywords`.
fn keywords(element: &Element) -> Vec<String> {
    let mut out = Vec::new();
    for list in element.all("KeywordList").chain(element.all("Keywords")) {
        let mut words: Vec<String> = list.all("Keyword").map(Element::text).collect();
        if words.is_empty() {
            words = list
                .text()
                .split(',')
                .map(|w| w.trim().to_owned())
                .collect();
        }
        out.extend(words.into_iter().filter(|w| !w.is_empty()));
    }
    out
}

/// The layer's own geographic extent, `[west, south, east, north]`.
fn wms_bbox(layer: &Element, v111: bool) -> Option<[f64; 4]> {
    if let Some(ex) = layer.child("EX_GeographicBoundingBox") {
        let side = |name: &str| ex.child_text(name).and_then(|t| number(&t));
        let bbox = [
            side("westBoundLongitude")?,
            side("southBoundLatitude")?,
            side("eastBoundLongitude")?,
            side("northBoundLatitude")?,
        ];
        return valid(bbox);
    }
    if let Some(latlon) = layer.child("LatLonBoundingBox") {
        return attr_bbox(latlon, false);
    }
    // Fall back on a BoundingBox in a geographic CRS. WMS 1.3.0 follows EPSG axis order:
    // EPSG:4326 is latitude first; CRS:84 (and everything in 1.1.1) is longitude first.
    layer.all("BoundingBox").find_map(|b| {
        let crs = b
            .attr("CRS")
            .or_else(|| b.attr("SRS"))?
            .to_ascii_uppercase();
        match crs.as_str() {
            "CRS:84" | "OGC:CRS84" => attr_bbox(b, false),
            "EPSG:4326" => attr_bbox(b, !v111),
            _ => None,
        }
    })
}

fn attr_bbox(element: &Element, lat_first: bool) -> Option<[f64; 4]> {
    let get = |name: &str| element.attr(name).and_then(|v| number(&v));
    let (minx, miny, maxx, maxy) = (get("minx")?, get("miny")?, get("maxx")?, get("maxy")?);
    valid(if lat_first {
        [miny, minx, maxy, maxx]
    } else {
        [minx, miny, maxx, maxy]
    })
}

fn number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Longitudes within ±540 (some servers go past the antimeridian), latitudes within ±90.
fn valid(bbox: [f64; 4]) -> Option<[f64; 4]> {
    let [west, south, east, north] = bbox;
    let lon = |v: f64| (-540.0..=540.0).contains(&v);
    let lat = |v: f64| (-90.0..=90.0).contains(&v);
    (lon(west) && lon(east) && lat(south) && lat(north) && south <= north).then_some(bbox)
}

fn parse_wfs(root: &Element, version: String) -> Capabilities {
    let mut layers = Vec::new();
    for list in root.all("FeatureTypeList") {
        for feature_type in list.all("FeatureType") {
            let Some(name) = feature_type.child_text("Name") else {
                continue;
            };
            layers.push(CapLayer {
                title: feature_type
                    .child_text("Title")
                    .unwrap_or_else(|| name.clone()),
                name,
                abstract_text: feature_type.child_text("Abstract"),
                keywords: keywords(feature_type),
                bbox_wgs84: wfs_bbox(feature_type),
                styles: Vec::new(),
                queryable: true,
                time: None,
                metadata_urls: metadata_urls(feature_type),
                children: Vec::new(),
                parents: Vec::new(),
            });
        }
    }
    let title = root
        .path(&["ServiceIdentification", "Title"])
        .or_else(|| root.path(&["Service", "Title"]))
        .map(Element::text)
        .filter(|t| !t.is_empty());
    Capabilities {
        service: Service::Wfs,
        version,
        title,
        layers,
        formats: wfs_formats(root),
        info_formats: Vec::new(),
    }
}

/// `ows:WGS84BoundingBox` (WFS 1.1 / 2.0, "lon lat" corners) or `LatLongBoundingBox` (1.0).
fn wfs_bbox(feature_type: &Element) -> Option<[f64; 4]> {
    if let Some(b) = feature_type.child("WGS84BoundingBox") {
        let corner = |name: &str| -> Option<(f64, f64)> {
            let text = b.child_text(name)?;
            let mut values = text.split_whitespace().map(number);
            let pair = (values.next()??, values.next()??);
            values.next().is_none().then_some(pair)
        };
        let ((west, south), (east, north)) = (corner("LowerCorner")?, corner("UpperCorner")?);
        return valid([west, south, east, north]);
    }
    feature_type
        .child("LatLongBoundingBox")
        .and_then(|b| attr_bbox(b, false))
}

/// GetFeature output formats: OWS `Parameter name="outputFormat"` of the GetFeature operation
/// (else of the whole service), or WFS 1.0 `ResultFormat` children.
fn wfs_formats(root: &Element) -> Vec<String> {
    let output_format = |parent: &Element| -> Option<Vec<String>> {
        let parameter = parent.all("Parameter").find(|p| {
            p.attr("name")
                .is_some_and(|n| n.eq_ignore_ascii_case("outputFormat"))
        })?;
        let mut values = Vec::new();
        parameter.descendants("Value", &mut values);
        Some(
            values
                .iter()
                .map(|v| v.text())
                .filter(|v| !v.is_empty())
                .collect(),
        )
    };
    if let Some(metadata) = root.child("OperationsMetadata") {
        let get_feature = metadata.all("Operation").find(|o| {
            o.attr("name")
                .is_some_and(|n| n.eq_ignore_ascii_case("GetFeature"))
        });
        if let Some(formats) = get_feature
            .and_then(output_format)
            .or_else(|| output_format(metadata))
        {
            return formats;
        }
    }
    root.path(&["Capability", "Request", "GetFeature", "ResultFormat"])
        .map(|r| {
            r.elements()
                .map(|e| String::from_utf8_lossy(e.local_name()).into_owned())
                .collect()
        })
        .unwrap_or_default()
}
