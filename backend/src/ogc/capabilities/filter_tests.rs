//! Tests of per-caller filtering: layers and feature types removed, groups pruned, service
//! and legend URLs pointed at the proxy, output well-formed and re-parseable.

use super::filter::legend_url;
use super::parse_tests::fixture;
use super::{Capabilities, CapabilitiesError, filter, parse};

const PROXY: &str = "https://maps.example.org/ows/indigeo?";

fn filtered(name: &str, allowed: &[&str]) -> (String, Capabilities) {
    let allow = |n: &str| allowed.contains(&n);
    let out = filter(&fixture(name), &allow, PROXY).unwrap_or_else(|e| panic!("{name}: {e}"));
    let text = String::from_utf8(out).unwrap();
    let caps = parse(text.as_bytes()).unwrap_or_else(|e| panic!("{name} filtered: {e}\n{text}"));
    (text, caps)
}

fn names(caps: &Capabilities) -> Vec<&str> {
    caps.layers.iter().map(|l| l.name.as_str()).collect()
}

#[test]
fn forbidden_wms_layers_are_removed_and_allowed_ones_kept() {
    let (text, caps) = filtered(
        "geoserver_wms130.xml",
        &["indigeo:traits_de_cote", "benthos:herbiers"],
    );
    assert_eq!(names(&caps), ["indigeo:traits_de_cote", "benthos:herbiers"]);
    assert!(
        !text.contains("donnees_sensibles"),
        "nothing of a forbidden layer stays"
    );
    assert!(!text.contains("Orthophotographie"));
    assert!(!text.contains("habitats_benthiques"));
    assert!(
        text.contains("<Title>Habitats</Title>"),
        "a container with an allowed layer stays"
    );
    let herbiers = caps
        .layers
        .iter()
        .find(|l| l.name == "benthos:herbiers")
        .unwrap();
    assert_eq!(herbiers.parents, ["Habitats"]);
    // Everything else of the document is still there.
    let original = parse(&fixture("geoserver_wms130.xml")).unwrap();
    assert_eq!(caps.formats, original.formats);
    assert_eq!(caps.info_formats, original.info_formats);
    assert_eq!(caps.title, original.title);
    let traits = caps.layers.first().unwrap();
    let original_traits = original.layers.first().unwrap();
    assert_eq!(traits.time, original_traits.time);
    assert_eq!(traits.metadata_urls, original_traits.metadata_urls);
    assert_eq!(traits.keywords, original_traits.keywords);
}

#[test]
fn an_allowed_group_stays_without_its_forbidden_children() {
    let (text, caps) = filtered(
        "geoserver_wms130.xml",
        &["indigeo:littoral", "indigeo:stations"],
    );
    assert_eq!(names(&caps), ["indigeo:littoral", "indigeo:stations"]);
    assert_eq!(caps.layers.first().unwrap().children, ["indigeo:stations"]);
    assert!(!text.contains("ortho_1952"));
}

#[test]
fn a_forbidden_group_is_removed_with_everything_inside() {
    let (_, caps) = filtered(
        "geoserver_wms130.xml",
        &["indigeo:stations", "indigeo:traits_de_cote"],
    );
    assert_eq!(names(&caps), ["indigeo:traits_de_cote"]);
}

#[test]
fn an_unnamed_container_without_allowed_layers_is_removed() {
    let (text, caps) = filtered("geoserver_wms130.xml", &["indigeo:traits_de_cote"]);
    assert_eq!(names(&caps), ["indigeo:traits_de_cote"]);
    assert!(!text.contains("<Title>Habitats</Title>"));
    let (text, caps) = filtered("geoserver_wms130.xml", &[]);
    assert!(caps.layers.is_empty());
    assert!(!text.contains("<Layer"), "{text}");
}

#[test]
fn a_mapserver_root_layer_that_is_not_allowed_stays_as_an_unnamed_container() {
    let (text, caps) = filtered("mapserver_wms130.xml", &["communes", "mairies", "limites"]);
    assert_eq!(names(&caps), ["limites", "communes", "mairies"]);
    assert!(!text.contains("<Name>kartenn_demo</Name>"));
    assert!(text.contains("<Title>Démo Kartenn (MapServer)</Title>"));
    let (_, caps) = filtered("mapserver_wms130.xml", &["kartenn_demo", "mairies"]);
    assert_eq!(names(&caps), ["kartenn_demo", "mairies"]);
    assert_eq!(caps.layers.first().unwrap().children, ["mairies"]);
}

#[test]
fn service_and_operation_urls_point_at_the_proxy() {
    let (text, _) = filtered("geoserver_wms130.xml", &["indigeo:traits_de_cote"]);
    assert!(
        !text.contains("xlink:href=\"http://geoserver.internal:8080/geoserver/ows?SERVICE=WMS"),
        "{text}"
    );
    assert!(!text.contains("xlink:href=\"http://geoserver.internal:8080/geoserver/ows\""));
    assert_eq!(
        text.matches("xlink:href=\"https://maps.example.org/ows/indigeo?\"")
            .count(),
        // Service, GetCapabilities Get + Post, GetMap, GetFeatureInfo.
        5
    );
    assert!(
        text.contains("https://indigeo.fr/geonetwork/srv/api/records/5c1f1a7e-3b4d-4e0a-9a4c-traits-de-cote/formatters/xml"),
        "metadata links are left alone"
    );
}

#[test]
fn legend_urls_keep_their_query_on_the_proxy() {
    let (_, caps) = filtered("geoserver_wms130.xml", &["indigeo:traits_de_cote"]);
    let legends: Vec<&str> = caps
        .layers
        .first()
        .unwrap()
        .styles
        .iter()
        .filter_map(|s| s.legend_url.as_deref())
        .collect();
    assert_eq!(
        legends,
        [
            "https://maps.example.org/ows/indigeo?service=WMS&request=GetLegendGraphic&format=image%2Fpng&width=20&height=20&layer=indigeo%3Atraits_de_cote",
            "https://maps.example.org/ows/indigeo?service=WMS&request=GetLegendGraphic&format=image%2Fpng&width=20&height=20&layer=indigeo%3Atraits_de_cote&style=line",
        ]
    );
}

#[test]
fn mapserver_urls_lose_their_map_parameter_on_the_proxy() {
    let (text, caps) = filtered(
        "mapserver_wms130.xml",
        &["kartenn_demo", "limites", "communes", "mairies"],
    );
    assert!(
        !text.contains("cgi-bin/mapserv?map=/srv/maps/demo.map&amp;\""),
        "{text}"
    );
    let communes = caps.layers.iter().find(|l| l.name == "communes").unwrap();
    assert_eq!(
        communes
            .styles
            .first()
            .and_then(|s| s.legend_url.as_deref()),
        Some(
            "https://maps.example.org/ows/indigeo?version=1.3.0&service=WMS&request=GetLegendGraphic&sld_version=1.1.0&layer=communes&format=image/png&STYLE=default"
        )
    );
}

#[test]
fn forbidden_wfs_feature_types_are_removed_and_dcp_urls_rewritten() {
    let (text, caps) = filtered("geoserver_wfs20.xml", &["indigeo:stations"]);
    assert_eq!(names(&caps), ["indigeo:stations"]);
    assert!(!text.contains("donnees_sensibles"));
    assert!(
        !text.contains("geoserver.internal:8080/geoserver/wfs\""),
        "{text}"
    );
    assert_eq!(
        text.matches("xlink:href=\"https://maps.example.org/ows/indigeo?\"")
            .count(),
        8
    );
    assert!(
        text.contains("xlink:href=\"https://www-iuem.univ-brest.fr/\""),
        "provider site kept"
    );
    assert!(
        text.contains("xlink:href=\"https://indigeo.fr/\""),
        "contact page kept"
    );
    assert!(text.contains("xmlns:indigeo=\"https://indigeo.fr/indigeo\""));
    assert_eq!(caps.formats.len(), 9);

    let (_, caps) = filtered("mapserver_wfs20.xml", &["ms:mairies"]);
    assert_eq!(names(&caps), ["ms:mairies"]);
}

#[test]
fn the_output_drops_the_doctype_and_stays_in_the_same_namespaces() {
    let (text, caps) = filtered("geoserver_wms111.xml", &["indigeo:ortho_1952"]);
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(!text.contains("DOCTYPE") && !text.contains("<!ELEMENT"));
    assert_eq!(names(&caps), ["indigeo:ortho_1952"]);
    assert_eq!(caps.version, "1.1.1");

    let (text, _) = filtered("geoserver_wms130.xml", &["indigeo:stations"]);
    assert!(text.contains("<WMS_Capabilities version=\"1.3.0\" updateSequence=\"2841\" xmlns=\"http://www.opengis.net/wms\""));
    let (text, _) = filtered("mapserver_wfs20.xml", &["ms:mairies"]);
    assert!(text.contains("<wfs:WFS_Capabilities xmlns:gml=\"http://www.opengis.net/gml/3.2\""));
    assert!(text.contains("</wfs:WFS_Capabilities>"));
}

#[test]
fn removed_layers_leave_no_blank_lines() {
    let (text, _) = filtered("geoserver_wms130.xml", &["indigeo:traits_de_cote"]);
    assert!(!text.contains("\n      \n"), "{text}");
    assert!(
        text.contains("</Layer>\n    </Layer>\n  </Capability>"),
        "{text}"
    );
}

#[test]
fn unsafe_and_non_capabilities_documents_are_refused_by_filter_too() {
    let allow = |_: &str| true;
    let xxe = br#"<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><WMS_Capabilities>&e;</WMS_Capabilities>"#;
    assert!(matches!(
        filter(xxe, &allow, PROXY),
        Err(CapabilitiesError::Forbidden(_))
    ));
    assert!(matches!(
        filter(&fixture("mapserver_wms_exception.xml"), &allow, PROXY),
        Err(CapabilitiesError::ServiceException(_))
    ));
    assert!(matches!(
        filter(b"<html/>", &allow, PROXY),
        Err(CapabilitiesError::NotCapabilities(_))
    ));
    assert!(matches!(
        filter(b"<a>", &allow, PROXY),
        Err(CapabilitiesError::Xml(_))
    ));
}

#[test]
fn escaped_characters_survive_filtering() {
    let (text, caps) = filtered("geoserver_wms130.xml", &["indigeo:traits_de_cote"]);
    assert!(text.contains("Indigeo (IUEM, LETG, Geo-Ocean) &amp; partenaires."));
    assert!(text.contains(
        "xlink:href=\"https://maps.example.org/ows/indigeo?service=WMS&amp;request=GetLegendGraphic"
    ));
    assert_eq!(caps.title.as_deref(), Some("Indigeo – Web Map Service"));
}

#[test]
fn a_legend_url_takes_the_proxy_with_the_original_query() {
    let original = "http://up/geoserver/ows?service=WMS&request=GetLegendGraphic&layer=a%3Ab#frag";
    assert_eq!(
        legend_url(original, "https://k/ows/s?"),
        "https://k/ows/s?service=WMS&request=GetLegendGraphic&layer=a%3Ab"
    );
    assert_eq!(
        legend_url(original, "https://k/ows/s"),
        "https://k/ows/s?service=WMS&request=GetLegendGraphic&layer=a%3Ab"
    );
    assert_eq!(
        legend_url(original, "https://k/ows?source=s"),
        "https://k/ows?source=s&service=WMS&request=GetLegendGraphic&layer=a%3Ab"
    );
    assert_eq!(
        legend_url("http://up/legend.png", "https://k/ows/s?"),
        "https://k/ows/s?"
    );
    assert_eq!(
        legend_url("http://up/mapserv?MAP=/x.map&&layer=a", "https://k/ows/s?"),
        "https://k/ows/s?layer=a"
    );
}

mod properties {
    use proptest::prelude::*;

    use super::{PROXY, filter, fixture, parse};

    const ALL: [&str; 7] = [
        "indigeo:traits_de_cote",
        "indigeo:littoral",
        "indigeo:stations",
        "indigeo:ortho_1952",
        "benthos:habitats_benthiques",
        "benthos:herbiers",
        "prive:donnees_sensibles",
    ];

    proptest! {
        /// Whatever is allowed, the output parses and lists exactly the allowed layers that
        /// are not inside a forbidden group.
        #[test]
        fn the_filtered_document_lists_exactly_the_reachable_allowed_layers(mask in 0u8..128) {
            let allowed: Vec<&str> = ALL.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, n)| *n).collect();
            let allow = |n: &str| allowed.contains(&n);
            let out = filter(&fixture("geoserver_wms130.xml"), &allow, PROXY).unwrap();
            let caps = parse(&out).unwrap();
            let got: Vec<&str> = caps.layers.iter().map(|l| l.name.as_str()).collect();
            let group = allowed.contains(&"indigeo:littoral");
            let expected: Vec<&str> = ALL
                .iter()
                .copied()
                .filter(|n| allowed.contains(n))
                .filter(|n| group || !matches!(*n, "indigeo:stations" | "indigeo:ortho_1952"))
                .collect();
            prop_assert_eq!(got, expected);
        }

        #[test]
        fn filter_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = filter(&bytes, &|_| true, PROXY);
        }
    }
}
