//! The proxy's allow/deny matrix: every request type × allowed and forbidden layers × the ways
//! a name can be written (case, encoding, prefix, alias, lists, groups).

use kartenn_common::{TimeDimension, TimeExtent};

use super::*;
use crate::acl::{Audience, DefaultAccess, Keyword, Rule};
use crate::ogc::catalog::OgcLayer;

fn layer(name: &str, children: &[&str]) -> OgcLayer {
    OgcLayer {
        children: children.iter().map(|c| (*c).to_owned()).collect(),
        ..OgcLayer::named("geo", name)
    }
}

fn catalog() -> SourceLayers {
    let mut observations = layer("ws:observations", &[]);
    observations.time = Some(TimeDimension {
        default: None,
        extent: vec![TimeExtent::Range {
            start: "2024-06-01T00:00:00Z".into(),
            end: "2024-06-05T18:00:00Z".into(),
            period: Some("PT6H".into()),
        }],
    });
    let mut raster_only = layer("ws:ortho", &[]);
    raster_only.wfs_name = None;
    SourceLayers::new(vec![
        layer("ws:public", &[]),
        layer("ws:private", &[]),
        layer("ws:mixed_group", &["ws:public", "ws:private"]),
        layer("ws:open_group", &["ws:public"]),
        observations,
        raster_only,
    ])
}

fn acl() -> Acl {
    let public = Some(Audience::Keyword(Keyword::Public));
    Acl::new(
        vec![
            Rule {
                layer: Some("ws:private".into()),
                dataset: None,
                source: None,
                view: None,
                query: None,
                download: None,
            },
            Rule {
                layer: Some("*".into()),
                dataset: None,
                source: Some("geo".into()),
                view: public.clone(),
                query: public,
                download: None,
            },
        ],
        DefaultAccess::Deny,
    )
}

fn sources() -> Vec<SourceConfig> {
    vec![toml::from_str("id = \"geo\"\nurl = \"http://127.0.0.1:1/geoserver/ows\"\n").unwrap()]
}

fn run(query: &str) -> Result<OgcRequest, OgcError> {
    let sources = sources();
    let layers = catalog();
    prepare(
        &sources,
        Some(&layers),
        &acl(),
        &Principal::anonymous(),
        &OgcLimits::default(),
        "geo",
        query,
    )
    .map(|p| p.request)
}

/// Each request type, with `{L}` where the layer name goes.
const REQUESTS: &[&str] = &[
    "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={L}&STYLES=&CRS=EPSG:3857&BBOX=0,0,1,1&WIDTH=256&HEIGHT=256&FORMAT=image/png",
    "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS={L}&QUERY_LAYERS={L}&STYLES=&CRS=EPSG:3857&BBOX=0,0,1,1&WIDTH=256&HEIGHT=256&I=1&J=1&INFO_FORMAT=application/json",
    "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER={L}&FORMAT=image/png",
    "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES={L}&OUTPUTFORMAT=application/json",
    "SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAME={L}&OUTPUTFORMAT=json",
    "SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType&TYPENAMES={L}",
];

#[test]
fn forbidden_and_unknown_layers_are_refused_in_every_request_type_and_spelling() {
    let spellings = [
        "ws:private",
        "private",
        "ws%3Aprivate",
        "ws%3aprivate",
        "%77s:private",
        "ws:public,ws:private",
        "ws:private,ws:public",
        "ws:mixed_group",
        "mixed_group",
        "WS:public",
        "ws:Public",
        "evil:public",
        "ws:nothing",
        "ws:public%2Cws:private",
    ];
    for template in REQUESTS {
        for name in spellings {
            let query = template.replace("{L}", name);
            match run(&query) {
                Err(e) => assert!(
                    matches!(e, OgcError::LayerNotAvailable(_) | OgcError::Invalid { .. }),
                    "{query}: unexpected {e:?}"
                ),
                Ok(r) => panic!("{query} was let through as {:?}", r.params),
            }
        }
    }
}

#[test]
fn allowed_layers_pass_in_every_request_type_with_upstream_names() {
    for template in REQUESTS {
        for name in [
            "ws:public",
            "public",
            "ws%3Apublic",
            "ws:open_group",
            "open_group",
        ] {
            let query = template.replace("{L}", name);
            let request = run(&query).unwrap_or_else(|e| panic!("{query}: {e}"));
            for key in ["LAYERS", "QUERY_LAYERS", "LAYER", "TYPENAMES", "TYPENAME"] {
                if let Some(value) = request.get(key) {
                    assert!(
                        value == "ws:public" || value == "ws:open_group",
                        "{query}: {key}={value} is not the upstream name"
                    );
                }
            }
        }
    }
}

#[test]
fn downloads_need_the_download_right_even_where_queries_are_allowed() {
    let shape =
        "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ws:public&OUTPUTFORMAT=SHAPE-ZIP";
    assert!(matches!(run(shape), Err(OgcError::LayerNotAvailable(_))));
    let gml = "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ws:public";
    assert!(
        matches!(run(gml), Err(OgcError::LayerNotAvailable(_))),
        "GML is a download"
    );
}

#[test]
fn a_wms_only_layer_cannot_be_asked_through_wfs() {
    let wfs = "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ws:ortho&OUTPUTFORMAT=application/json";
    assert!(matches!(run(wfs), Err(OgcError::LayerNotAvailable(_))));
    let wms = REQUESTS[0].replace("{L}", "ws:ortho");
    run(&wms).unwrap();
}

#[test]
fn time_values_must_fall_on_the_layers_time_dimension() {
    let getmap = REQUESTS[0].replace("{L}", "ws:observations");
    run(&format!("{getmap}&TIME=2024-06-02T06:00:00Z")).unwrap();
    for bad in ["2024-06-02T07:00:00Z", "2023-01-01T00:00:00Z"] {
        let err = run(&format!("{getmap}&TIME={bad}")).unwrap_err();
        assert_eq!(err.code(), "InvalidDimensionValue", "{bad}");
    }
}

#[test]
fn unknown_sources_and_disabled_services_are_refused() {
    let sources = sources();
    let layers = catalog();
    let err = prepare(
        &sources,
        Some(&layers),
        &acl(),
        &Principal::anonymous(),
        &OgcLimits::default(),
        "other",
        "SERVICE=WMS&REQUEST=GetCapabilities",
    )
    .unwrap_err();
    assert!(matches!(err, OgcError::UnknownSource(_)));
    let mut no_wfs = sources.clone();
    no_wfs[0].wfs = false;
    let err = prepare(
        &no_wfs,
        Some(&layers),
        &acl(),
        &Principal::anonymous(),
        &OgcLimits::default(),
        "geo",
        "SERVICE=WFS&REQUEST=GetCapabilities",
    )
    .unwrap_err();
    assert!(err.to_string().contains("no WFS"));
}

#[test]
fn capabilities_show_only_what_the_caller_may_view() {
    let layers = catalog();
    let acl = acl();
    let who = Principal::anonymous();
    assert!(visible_in_capabilities(&layers, &acl, &who, "ws:public"));
    assert!(visible_in_capabilities(
        &layers,
        &acl,
        &who,
        "ws:open_group"
    ));
    assert!(!visible_in_capabilities(&layers, &acl, &who, "ws:private"));
    assert!(!visible_in_capabilities(
        &layers,
        &acl,
        &who,
        "ws:mixed_group"
    ));
    assert!(!visible_in_capabilities(&layers, &acl, &who, "ws:unknown"));
}

#[test]
fn html_and_unexpected_content_types_are_refused_and_xml_images_are_exceptions() {
    assert!(content_type_allowed(Expect::Image, "image/png"));
    assert!(content_type_allowed(
        Expect::Info,
        "application/json; charset=utf-8"
    ));
    assert!(!content_type_allowed(Expect::Info, "text/html"));
    assert!(!content_type_allowed(Expect::Image, "image/svg+xml"));
    assert!(!content_type_allowed(
        Expect::Features,
        "text/html; charset=UTF-8"
    ));
    assert!(looks_like_exception(Expect::Image, "text/xml"));
    assert!(looks_like_exception(
        Expect::Image,
        "application/vnd.ogc.se_xml"
    ));
    assert!(!looks_like_exception(Expect::Image, "image/png"));
}
