//! Tests of capabilities parsing: GeoServer and MapServer fixtures, axis order, inheritance,
//! and the refusal of unsafe or broken documents.

use std::fmt::Write as _;

use kartenn_common::{TimeDimension, TimeExtent};

use super::{CapLayer, CapStyle, Capabilities, CapabilitiesError, Service, parse};

pub(super) fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/ogc/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub(super) fn parsed(name: &str) -> Capabilities {
    parse(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn layer<'a>(caps: &'a Capabilities, name: &str) -> &'a CapLayer {
    caps.layers
        .iter()
        .find(|l| l.name == name)
        .unwrap_or_else(|| panic!("no layer {name}"))
}

fn names(caps: &Capabilities) -> Vec<&str> {
    caps.layers.iter().map(|l| l.name.as_str()).collect()
}

fn range(start: &str, end: &str, period: Option<&str>) -> TimeExtent {
    TimeExtent::Range {
        start: start.into(),
        end: end.into(),
        period: period.map(Into::into),
    }
}

fn instant(at: &str) -> TimeExtent {
    TimeExtent::Instant { at: at.into() }
}

const GS_LEGEND: &str = "http://geoserver.internal:8080/geoserver/ows?service=WMS&request=GetLegendGraphic&format=image%2Fpng&width=20&height=20&layer=";

#[test]
fn a_geoserver_wms_130_document_lists_every_named_layer_in_document_order() {
    let caps = parsed("geoserver_wms130.xml");
    assert_eq!(caps.service, Service::Wms);
    assert_eq!(caps.version, "1.3.0");
    assert_eq!(caps.title.as_deref(), Some("Indigeo – Web Map Service"));
    assert_eq!(
        names(&caps),
        [
            "indigeo:traits_de_cote",
            "indigeo:littoral",
            "indigeo:stations",
            "indigeo:ortho_1952",
            "benthos:habitats_benthiques",
            "benthos:herbiers",
            "prive:donnees_sensibles",
        ]
    );
    assert_eq!(caps.formats.first().map(String::as_str), Some("image/png"));
    assert!(caps.formats.iter().any(|f| f == "image/png; mode=8bit"));
    assert_eq!(caps.formats.len(), 11);
    assert!(caps.info_formats.iter().any(|f| f == "application/json"));
    assert_eq!(caps.info_formats.len(), 7);
}

#[test]
fn a_geoserver_wms_130_layer_has_its_title_abstract_keywords_bbox_time_metadata_and_styles() {
    let caps = parsed("geoserver_wms130.xml");
    let traits = layer(&caps, "indigeo:traits_de_cote");
    assert_eq!(traits.title, "Traits de côte du Finistère");
    assert_eq!(
        traits.abstract_text.as_deref(),
        Some("Traits de côte historiques levés par photo-interprétation, 2018 à 2020.")
    );
    assert_eq!(traits.keywords, ["features", "trait de côte", "érosion"]);
    assert_eq!(
        traits.bbox_wgs84,
        Some([-5.1412, 47.7071, -3.3866, 48.7587])
    );
    assert!(traits.queryable);
    assert_eq!(
        traits.time,
        Some(TimeDimension {
            default: Some("current".into()),
            extent: vec![range(
                "2018-01-01T00:00:00.000Z",
                "2020-12-31T00:00:00.000Z",
                Some("P1D")
            )],
        })
    );
    assert_eq!(
        traits.metadata_urls,
        [
            "https://indigeo.fr/geonetwork/srv/api/records/5c1f1a7e-3b4d-4e0a-9a4c-traits-de-cote/formatters/xml"
        ]
    );
    assert_eq!(
        traits.styles,
        [
            CapStyle {
                name: "indigeo:traits_par_annee".into(),
                title: Some("Traits de côte par année".into()),
                legend_url: Some(format!("{GS_LEGEND}indigeo%3Atraits_de_cote")),
            },
            CapStyle {
                name: "line".into(),
                title: Some("Default Line".into()),
                legend_url: Some(format!("{GS_LEGEND}indigeo%3Atraits_de_cote&style=line")),
            },
        ]
    );
    assert!(traits.children.is_empty());
    assert!(
        traits.parents.is_empty(),
        "the root layer is not a category"
    );
}

#[test]
fn a_geoserver_wms_130_group_lists_its_children_and_parents() {
    let caps = parsed("geoserver_wms130.xml");
    let group = layer(&caps, "indigeo:littoral");
    assert_eq!(group.children, ["indigeo:stations", "indigeo:ortho_1952"]);
    assert!(group.parents.is_empty());
    assert!(group.keywords.is_empty());
    let stations = layer(&caps, "indigeo:stations");
    assert_eq!(stations.parents, ["Littoral"]);
    assert_eq!(stations.abstract_text, None, "an empty Abstract is none");
    let ortho = layer(&caps, "indigeo:ortho_1952");
    assert!(!ortho.queryable);
    assert_eq!(ortho.parents, ["Littoral"]);
    // Own style first, then the group's (inherited).
    let style_names: Vec<&str> = ortho.styles.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(style_names, ["raster", "littoral"]);
    assert_eq!(stations.time.as_ref().map(|t| t.extent.len()), Some(2));
}

#[test]
fn an_unnamed_container_layer_is_a_parent_but_not_a_layer_and_passes_its_bbox_on() {
    let caps = parsed("geoserver_wms130.xml");
    let habitats = layer(&caps, "benthos:habitats_benthiques");
    assert_eq!(habitats.parents, ["Habitats"]);
    assert_eq!(
        habitats.bbox_wgs84,
        Some([-5.5, 47.0, -1.5, 49.0]),
        "inherited"
    );
    assert!(habitats.metadata_urls.is_empty());
    let herbiers = layer(&caps, "benthos:herbiers");
    assert_eq!(herbiers.bbox_wgs84, Some([-4.7, 48.2, -4.1, 48.45]));
    assert_eq!(
        herbiers.metadata_urls,
        ["https://indigeo.fr/geonetwork/srv/fre/catalog.search#/metadata/9d2e-herbiers"]
    );
    assert!(caps.layers.iter().all(|l| l.name != "Habitats"));
}

#[test]
fn a_geoserver_wms_111_document_with_an_element_only_internal_subset_is_accepted() {
    let caps = parsed("geoserver_wms111.xml");
    assert_eq!(caps.version, "1.1.1");
    assert_eq!(
        names(&caps),
        ["indigeo:traits_de_cote", "indigeo:ortho_1952"]
    );
    assert_eq!(caps.formats.len(), 4);
    assert_eq!(caps.info_formats.len(), 4);
    let traits = layer(&caps, "indigeo:traits_de_cote");
    assert_eq!(
        traits.bbox_wgs84,
        Some([-5.1412, 47.7071, -3.3866, 48.7587])
    );
    assert_eq!(
        traits.time,
        Some(TimeDimension {
            default: Some("2020-01-01T00:00:00Z".into()),
            extent: vec![
                instant("2018-01-01T00:00:00.000Z"),
                instant("2019-01-01T00:00:00.000Z"),
                instant("2020-01-01T00:00:00.000Z"),
            ],
        })
    );
    assert_eq!(traits.styles.len(), 1);
    assert_eq!(
        traits.styles.first().and_then(|s| s.legend_url.as_deref()),
        Some(format!("{GS_LEGEND}indigeo%3Atraits_de_cote").as_str())
    );
    assert_eq!(traits.metadata_urls.len(), 1);
    assert_eq!(layer(&caps, "indigeo:ortho_1952").time, None);
}

#[test]
fn a_wms_111_epsg_4326_bbox_is_longitude_first_but_a_wms_130_one_is_latitude_first() {
    let caps = parsed("geoserver_wms111.xml");
    assert_eq!(
        layer(&caps, "indigeo:ortho_1952").bbox_wgs84,
        Some([-4.8, 48.2, -4.3, 48.5])
    );

    let wms130 = br#"<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms"><Capability>
        <Layer><Title>root</Title>
          <Layer><Name>a</Name><BoundingBox CRS="EPSG:4326" minx="47.5" miny="-4.9" maxx="48.7" maxy="-2.5"/></Layer>
          <Layer><Name>b</Name><BoundingBox CRS="CRS:84" minx="-4.9" miny="47.5" maxx="-2.5" maxy="48.7"/></Layer>
          <Layer><Name>c</Name><BoundingBox CRS="EPSG:2154" minx="1" miny="2" maxx="3" maxy="4"/></Layer>
        </Layer></Capability></WMS_Capabilities>"#;
    let caps = parse(wms130).unwrap();
    assert_eq!(layer(&caps, "a").bbox_wgs84, Some([-4.9, 47.5, -2.5, 48.7]));
    assert_eq!(layer(&caps, "b").bbox_wgs84, Some([-4.9, 47.5, -2.5, 48.7]));
    assert_eq!(layer(&caps, "c").bbox_wgs84, None);
}

#[test]
fn a_geoserver_wfs_20_document_lists_its_feature_types_and_getfeature_formats() {
    let caps = parsed("geoserver_wfs20.xml");
    assert_eq!(caps.service, Service::Wfs);
    assert_eq!(caps.version, "2.0.0");
    assert_eq!(caps.title.as_deref(), Some("Indigeo – Web Feature Service"));
    assert_eq!(
        names(&caps),
        [
            "indigeo:stations",
            "indigeo:traits_de_cote",
            "prive:donnees_sensibles"
        ]
    );
    assert_eq!(caps.formats.len(), 9);
    assert!(caps.formats.iter().any(|f| f == "SHAPE-ZIP"));
    assert!(
        !caps.formats.iter().any(|f| f == "hits"),
        "only outputFormat values"
    );
    assert!(caps.info_formats.is_empty());
    let stations = layer(&caps, "indigeo:stations");
    assert_eq!(stations.title, "Stations de mesure");
    assert_eq!(stations.keywords, ["features", "stations"]);
    assert_eq!(stations.bbox_wgs84, Some([-4.9, 47.5, -2.5, 48.7]));
    assert_eq!(
        stations.metadata_urls,
        ["https://indigeo.fr/geonetwork/srv/api/records/7a41-stations"]
    );
    assert!(stations.queryable);
    assert!(
        stations.styles.is_empty() && stations.children.is_empty() && stations.parents.is_empty()
    );
    assert_eq!(layer(&caps, "indigeo:traits_de_cote").abstract_text, None);
}

#[test]
fn a_mapserver_wms_130_document_has_plain_names_a_named_root_and_its_time_extent() {
    let caps = parsed("mapserver_wms130.xml");
    assert_eq!(caps.version, "1.3.0");
    assert_eq!(caps.title.as_deref(), Some("Démo Kartenn (MapServer)"));
    assert_eq!(
        names(&caps),
        ["kartenn_demo", "limites", "communes", "mairies"]
    );
    assert_eq!(
        layer(&caps, "kartenn_demo").children,
        ["limites", "communes", "mairies"]
    );
    assert_eq!(layer(&caps, "limites").children, ["communes"]);
    let communes = layer(&caps, "communes");
    assert_eq!(communes.parents, ["Limites administratives"]);
    assert_eq!(
        communes.bbox_wgs84,
        Some([-5.141_277, 47.278_479, -1.015_59, 48.884_63])
    );
    assert_eq!(communes.keywords, ["limites", "communes"]);
    assert_eq!(
        communes.metadata_urls,
        ["https://indigeo.fr/geonetwork/srv/api/records/0c5f-communes"]
    );
    assert_eq!(
        communes
            .styles
            .first()
            .and_then(|s| s.legend_url.as_deref()),
        Some(
            "http://mapserver.internal/cgi-bin/mapserv?map=/srv/maps/demo.map&version=1.3.0&service=WMS&request=GetLegendGraphic&sld_version=1.1.0&layer=communes&format=image/png&STYLE=default"
        )
    );
    let mairies = layer(&caps, "mairies");
    assert!(mairies.parents.is_empty());
    assert_eq!(
        mairies.time,
        Some(TimeDimension {
            default: Some("2020-06-01".into()),
            extent: vec![
                range("2020-01-01", "2020-12-31", Some("P1M")),
                instant("2021-06-01T12:00:00Z"),
            ],
        })
    );
    assert!(
        caps.formats
            .iter()
            .any(|f| f == "application/vnd.mapbox-vector-tile")
    );
    assert_eq!(
        caps.info_formats,
        ["text/html", "application/vnd.ogc.gml", "text/plain"]
    );
}

#[test]
fn a_mapserver_wfs_20_document_has_ms_prefixed_names_and_its_geojson_format() {
    let caps = parsed("mapserver_wfs20.xml");
    assert_eq!(caps.service, Service::Wfs);
    assert_eq!(names(&caps), ["ms:communes", "ms:mairies"]);
    assert_eq!(
        caps.formats.last().map(String::as_str),
        Some("application/json; subtype=geojson")
    );
    assert_eq!(caps.formats.len(), 5);
    let communes = layer(&caps, "ms:communes");
    assert_eq!(
        communes.bbox_wgs84,
        Some([-5.141_277, 47.278_479, -1.015_59, 48.884_63])
    );
    assert_eq!(
        communes.abstract_text.as_deref(),
        Some("Limites communales")
    );
    assert_eq!(
        communes.metadata_urls,
        ["https://indigeo.fr/geonetwork/srv/api/records/0c5f-communes"]
    );
}

#[test]
fn an_exception_report_gives_a_service_exception_with_its_message() {
    let wms = parse(&fixture("mapserver_wms_exception.xml")).unwrap_err();
    assert!(
        matches!(&wms, CapabilitiesError::ServiceException(m) if m.contains("Invalid layer(s) given in the LAYERS parameter")),
        "{wms:?}"
    );
    let wfs = parse(&fixture("mapserver_wfs_exception.xml")).unwrap_err();
    assert!(
        matches!(&wfs, CapabilitiesError::ServiceException(m) if m.contains("TYPENAME 'nope' doesn't exist")),
        "{wfs:?}"
    );
    let geoserver = br#"<?xml version="1.0" encoding="UTF-8"?><ServiceExceptionReport version="1.3.0" xmlns="http://www.opengis.net/ogc"><ServiceException code="LayerNotDefined" locator="layers">
      Could not find layer indigeo:absent
</ServiceException></ServiceExceptionReport>"#;
    let err = parse(geoserver).unwrap_err();
    assert!(
        matches!(&err, CapabilitiesError::ServiceException(m) if m == "Could not find layer indigeo:absent"),
        "{err:?}"
    );
}

#[test]
fn an_xxe_document_is_refused_without_reading_the_file() {
    let xxe = br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><WMS_Capabilities version="1.3.0"><Service><Title>&e;</Title></Service></WMS_Capabilities>"#;
    let err = parse(xxe).unwrap_err();
    assert!(matches!(err, CapabilitiesError::Forbidden(_)), "{err:?}");
    assert!(err.to_string().contains("entity"), "{err}");
}

#[test]
fn a_billion_laughs_document_is_refused() {
    let mut doc =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let previous = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        let body = format!("&{previous};").repeat(10);
        let _ = writeln!(doc, " <!ENTITY lol{i} \"{body}\">");
    }
    doc.push_str("]>\n<WMS_Capabilities version=\"1.3.0\"><Service><Title>&lol9;</Title></Service></WMS_Capabilities>");
    assert!(matches!(
        parse(doc.as_bytes()),
        Err(CapabilitiesError::Forbidden(_))
    ));
}

#[test]
fn an_undeclared_entity_is_an_error_not_an_expansion() {
    let in_text = br#"<WMS_Capabilities version="1.3.0"><Service><Title>&custom;</Title></Service></WMS_Capabilities>"#;
    assert!(matches!(
        parse(in_text),
        Err(CapabilitiesError::Forbidden(_))
    ));
    let in_attribute = br#"<WMS_Capabilities version="&custom;"/>"#;
    assert!(matches!(
        parse(in_attribute),
        Err(CapabilitiesError::Forbidden(_))
    ));
    let predefined = br#"<WMS_Capabilities version="1.3.0"><Service><Title>A &amp; B &#233;&#x2013;</Title></Service></WMS_Capabilities>"#;
    assert_eq!(
        parse(predefined).unwrap().title.as_deref(),
        Some("A & B é–")
    );
}

#[test]
fn a_document_nested_too_deep_is_refused() {
    let depth = 100;
    let doc = format!(
        "<WMS_Capabilities version=\"1.3.0\"><Capability>{}{}</Capability></WMS_Capabilities>",
        "<Layer>".repeat(depth),
        "</Layer>".repeat(depth)
    );
    assert!(matches!(
        parse(doc.as_bytes()),
        Err(CapabilitiesError::TooDeep)
    ));
    let shallow = format!(
        "<WMS_Capabilities version=\"1.3.0\"><Capability>{}<Name>deep</Name>{}</Capability></WMS_Capabilities>",
        "<Layer>".repeat(60),
        "</Layer>".repeat(60)
    );
    assert_eq!(parse(shallow.as_bytes()).unwrap().layers.len(), 1);
}

#[test]
fn a_document_over_32_mib_is_refused_before_parsing() {
    let big = vec![b' '; super::MAX_DOCUMENT_BYTES + 1];
    assert!(matches!(parse(&big), Err(CapabilitiesError::TooLarge(n)) if n == big.len()));
}

#[test]
fn garbage_and_other_documents_are_refused() {
    for garbage in [
        &b""[..],
        b"not xml at all",
        b"\x00\xff\xfe<<<",
        b"<WMS_Capabilities><Capability>",
        b"<WMS_Capabilities></Capability>",
        b"<a/><b/>",
        b"<WMS_Capabilities version=\"1\" version=\"2\"/>",
        b"<WMS_Capabilities>&</WMS_Capabilities>",
    ] {
        let err = parse(garbage).unwrap_err();
        assert!(
            matches!(err, CapabilitiesError::Xml(_)),
            "{garbage:?}: {err:?}"
        );
    }
    let html = b"<html><body>502 Bad Gateway</body></html>";
    assert!(matches!(parse(html), Err(CapabilitiesError::NotCapabilities(root)) if root == "html"));
}

#[test]
fn a_bare_doctype_is_accepted_and_a_latin1_document_is_read() {
    let bare = br#"<!DOCTYPE WMT_MS_Capabilities SYSTEM "http://example.org/WMS_MS_Capabilities.dtd"><WMT_MS_Capabilities version="1.1.1"/>"#;
    assert_eq!(parse(bare).unwrap().version, "1.1.1");
    let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><WMS_Capabilities version=\"1.3.0\"><Service><Title>C\xf4te</Title></Service></WMS_Capabilities>";
    assert_eq!(parse(latin1).unwrap().title.as_deref(), Some("Côte"));
}

#[test]
fn an_invalid_time_extent_drops_the_time_but_not_the_layer() {
    let doc = br#"<WMS_Capabilities version="1.3.0"><Capability><Layer><Name>a</Name>
        <Dimension name="time" units="ISO8601">yesterday</Dimension></Layer></Capability></WMS_Capabilities>"#;
    let caps = parse(doc).unwrap();
    assert_eq!(layer(&caps, "a").time, None);
}

mod properties {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parse_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = super::parse(&bytes);
        }

        #[test]
        fn parse_never_panics_on_mutated_fixtures(at in 0usize..10_000, byte in any::<u8>(), cut in 0usize..10_000) {
            let mut doc = super::fixture("geoserver_wms130.xml");
            let len = doc.len();
            if let Some(b) = doc.get_mut(at % len) {
                *b = byte;
            }
            doc.truncate(len - cut % len);
            let _ = super::parse(&doc);
        }
    }
}
