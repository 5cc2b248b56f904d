//! Request validation: what passes, what is refused, and the limits made explicit.

use super::*;

fn limits() -> OgcLimits {
    OgcLimits::default()
}

fn check(query: &str) -> Result<OgcRequest, OgcError> {
    validate(&Kvp::parse(query)?, &limits())
}

const GETMAP: &str = "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ws:communes,coastline&STYLES=,\
                      &CRS=EPSG:3857&BBOX=-600000,6000000,-100000,6300000&WIDTH=256&HEIGHT=256\
                      &FORMAT=image/png&TRANSPARENT=TRUE&TIME=2024-06-01T00:00:00Z";

#[test]
fn a_plain_getmap_passes_with_its_layers_listed() {
    let r = check(GETMAP).unwrap();
    assert_eq!(r.service, Service::Wms);
    assert_eq!(r.operation, Operation::GetMap);
    assert_eq!(r.layers, ["ws:communes", "coastline"]);
    assert_eq!(r.time.as_deref(), Some("2024-06-01T00:00:00Z"));
    assert_eq!(r.get("REQUEST"), Some("GetMap"));
}

#[test]
fn service_and_request_values_are_case_insensitive_and_canonicalised() {
    let r = check(
        &GETMAP
            .replace("SERVICE=WMS", "service=wms")
            .replace("REQUEST=GetMap", "request=GETMAP"),
    )
    .unwrap();
    assert_eq!(r.get("SERVICE"), Some("WMS"));
    assert_eq!(r.get("REQUEST"), Some("GetMap"));
}

#[test]
fn only_the_listed_operations_of_each_service_are_offered() {
    for (query, code) in [
        ("SERVICE=WMS&REQUEST=GetStyles", "OperationNotSupported"),
        ("SERVICE=WFS&REQUEST=Transaction", "OperationNotSupported"),
        (
            "SERVICE=WFS&REQUEST=GetPropertyValue",
            "OperationNotSupported",
        ),
        ("SERVICE=WFS&REQUEST=GetMap", "OperationNotSupported"),
        ("SERVICE=WMS&REQUEST=GetFeature", "OperationNotSupported"),
        ("SERVICE=WPS&REQUEST=Execute", "InvalidParameterValue"),
        ("SERVICE=WCS&REQUEST=GetCoverage", "InvalidParameterValue"),
        ("REQUEST=GetMap", "MissingParameterValue"),
        ("SERVICE=WMS", "MissingParameterValue"),
    ] {
        let err = check(query).unwrap_err();
        assert_eq!(err.code(), code, "{query}: {err}");
    }
    for ok in [
        "SERVICE=WMS&REQUEST=GetCapabilities",
        "SERVICE=WFS&REQUEST=GetCapabilities&ACCEPTVERSIONS=2.0.0",
        "SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType&TYPENAMES=ms:communes",
    ] {
        check(ok).unwrap();
    }
}

#[test]
fn expression_and_style_parameters_are_blocked_by_name_in_any_case_or_encoding() {
    for (param, value) in [
        ("SLD", "http://evil/x.sld"),
        ("SLD_BODY", "<StyledLayerDescriptor/>"),
        ("sld_body", "x"),
        ("STYLE_BODY", "x"),
        ("ENV", "color:ff0000"),
        ("VIEWPARAMS", "a:1"),
        ("CQL_FILTER", "INCLUDE"),
        ("Filter", "<Filter/>"),
        ("FEATUREID", "a.1"),
        ("MAP", "/etc/passwd"),
        ("map", "/tmp/x.map"),
        ("%4D%41%50", "/tmp/x.map"),
        ("STOREDQUERY_ID", "urn:x"),
    ] {
        let err = check(&format!("{GETMAP}&{param}={value}")).unwrap_err();
        assert!(
            err.to_string().contains("blocked"),
            "{param} should be blocked: {err}"
        );
    }
}

#[test]
fn parameters_outside_the_operations_list_are_refused() {
    for extra in [
        "FOO=1",
        "QUERY_LAYERS=a",
        "TYPENAMES=a",
        "COUNT=5",
        "PROPERTYNAME=a",
    ] {
        let err = check(&format!("{GETMAP}&{extra}")).unwrap_err();
        assert!(err.to_string().contains("not allowed"), "{extra}: {err}");
    }
}

#[test]
fn property_names_and_sort_keys_must_be_plain_attribute_names() {
    let base = "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ws:stations&COUNT=10";
    for ok in [
        "PROPERTYNAME=nom,code",
        "PROPERTYNAME=ws:nom",
        "SORTBY=nom ASC,code DESC",
        "SORTBY=nom+A",
    ] {
        check(&format!("{base}&{ok}")).unwrap();
    }
    for bad in [
        // CVE-2024-36401: property names evaluated as XPath / function expressions.
        "PROPERTYNAME=exec(java.lang.Runtime.getRuntime(),'id')",
        "PROPERTYNAME=a/b",
        "PROPERTYNAME=a[1]",
        "PROPERTYNAME=1abc",
        "PROPERTYNAME=",
        "SORTBY=strConcat(a,b)",
        "SORTBY=a;DROP",
        "RESOURCEID=a.1)or(1=1",
    ] {
        assert!(
            check(&format!("{base}&{bad}")).is_err(),
            "{bad} should be refused"
        );
    }
}

#[test]
fn sizes_and_counts_are_capped_and_counts_added_when_missing() {
    assert!(check(&GETMAP.replace("WIDTH=256", "WIDTH=4097")).is_err());
    assert!(check(&GETMAP.replace("WIDTH=256", "WIDTH=0")).is_err());
    assert!(check(&GETMAP.replace("HEIGHT=256", "HEIGHT=-1")).is_err());
    assert!(check(&GETMAP.replace("HEIGHT=256", "HEIGHT=1e3")).is_err());
    let wfs = "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ws:stations";
    assert_eq!(check(wfs).unwrap().get("COUNT"), Some("10000"));
    assert!(check(&format!("{wfs}&COUNT=10001")).is_err());
    let wfs1 = "SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAME=ws:stations";
    assert_eq!(check(wfs1).unwrap().get("MAXFEATURES"), Some("10000"));
    let info = GETMAP.replace("REQUEST=GetMap", "REQUEST=GetFeatureInfo")
        + "&QUERY_LAYERS=ws:communes&I=10&J=20&INFO_FORMAT=application/json";
    assert_eq!(check(&info).unwrap().get("FEATURE_COUNT"), Some("10"));
    assert!(check(&format!("{info}&FEATURE_COUNT=51")).is_err());
}

#[test]
fn feature_info_must_query_shown_layers_at_a_pixel_inside_the_map() {
    let info = GETMAP.replace("REQUEST=GetMap", "REQUEST=GetFeatureInfo")
        + "&INFO_FORMAT=application/json";
    check(&format!("{info}&QUERY_LAYERS=coastline&I=0&J=255")).unwrap();
    let err = check(&format!("{info}&QUERY_LAYERS=secret&I=0&J=0")).unwrap_err();
    assert_eq!(err.code(), "LayerNotQueryable");
    assert!(check(&format!("{info}&QUERY_LAYERS=coastline&I=256&J=0")).is_err());
    assert!(check(&format!("{info}&QUERY_LAYERS=coastline&I=0")).is_err());
}

#[test]
fn every_named_layer_is_listed_for_the_access_check() {
    let legend = "SERVICE=WMS&REQUEST=GetLegendGraphic&LAYER=ws:secret&FORMAT=image/png";
    assert_eq!(check(legend).unwrap().layers, ["ws:secret"]);
    let wfs = "SERVICE=WFS&REQUEST=GetFeature&TYPENAMES=a,b&TYPENAME=c";
    assert_eq!(check(wfs).unwrap().layers, ["a", "b", "c"]);
    let info = GETMAP.replace("REQUEST=GetMap", "REQUEST=GetFeatureInfo")
        + "&QUERY_LAYERS=coastline&I=1&J=1";
    assert_eq!(check(&info).unwrap().layers, ["ws:communes", "coastline"]);
}

#[test]
fn malformed_names_and_values_are_refused() {
    for (from, to) in [
        ("LAYERS=ws:communes,coastline", "LAYERS=ws:communes,"),
        ("LAYERS=ws:communes,coastline", "LAYERS=a:b:c"),
        ("LAYERS=ws:communes,coastline", "LAYERS=../etc"),
        ("LAYERS=ws:communes,coastline", "LAYERS=(a,b)"),
        ("LAYERS=ws:communes,coastline", "LAYERS=a%20b"),
        ("CRS=EPSG:3857", "CRS=EPSG:3857;DROP"),
        ("BBOX=-600000,6000000,-100000,6300000", "BBOX=1,2,3"),
        ("BBOX=-600000,6000000,-100000,6300000", "BBOX=3,2,1,4"),
        ("BBOX=-600000,6000000,-100000,6300000", "BBOX=NaN,0,1,1"),
        ("FORMAT=image/png", "FORMAT=image/png<script>"),
        ("TRANSPARENT=TRUE", "TRANSPARENT=maybe"),
        ("TIME=2024-06-01T00:00:00Z", "TIME=2024'--"),
        ("VERSION=1.3.0", "VERSION=1.3.0a"),
    ] {
        let query = GETMAP.replace(from, to);
        assert_ne!(query, GETMAP, "{from} not found");
        assert!(check(&query).is_err(), "{to} should be refused");
    }
}

#[test]
fn format_options_accept_only_plain_keys_and_values() {
    check(&format!("{GETMAP}&FORMAT_OPTIONS=dpi:180;antialias:text")).unwrap();
    assert!(check(&format!("{GETMAP}&FORMAT_OPTIONS=dpi:180;layout:../../x")).is_err());
    assert!(check(&format!("{GETMAP}&FORMAT_OPTIONS=callback:alert(1)")).is_err());
}

#[test]
fn required_parameters_are_demanded_per_operation() {
    for (query, missing) in [
        (
            GETMAP.replace("&LAYERS=ws:communes,coastline", ""),
            "LAYERS",
        ),
        (
            GETMAP.replace("&BBOX=-600000,6000000,-100000,6300000", ""),
            "BBOX",
        ),
        (
            "SERVICE=WMS&REQUEST=GetLegendGraphic&FORMAT=image/png".to_owned(),
            "LAYER",
        ),
        ("SERVICE=WFS&REQUEST=GetFeature".to_owned(), "TYPENAMES"),
        (
            "SERVICE=WFS&REQUEST=DescribeFeatureType".to_owned(),
            "TYPENAMES",
        ),
    ] {
        let err = check(&query).unwrap_err();
        assert!(err.to_string().contains(missing), "{query}: {err}");
    }
}
