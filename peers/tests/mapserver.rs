//! Integration tests of the MapServer peer: a real `mapserv` behind lighttpd answering WMS 1.3.0
//! and WFS 2.0 as the proxy tests will rely on (and pinning where it differs from GeoServer).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kartenn_peers::MapServer;
use serde_json::Value;

const NEEDS: &str = "needs mapserv and lighttpd: run `cargo xtask test`";

/// WMS 1.3.0 GetFeatureInfo parameters centred on Brest: EPSG:4326 is latitude first, and the
/// centre of pixel (50, 50) of 101×101 is exactly (48.39, -4.49).
const GFI_AT_BREST: &str = "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&STYLES=&CRS=EPSG:4326\
    &BBOX=48.34,-4.54,48.44,-4.44&WIDTH=101&HEIGHT=101&I=50&J=50&FORMAT=image/png\
    &INFO_FORMAT=application/json&FEATURE_COUNT=50";

/// Brittany in EPSG:3857.
const BRITTANY_3857: &str = "-572324,5987650,-113055,6255310";

struct Answer {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|err| panic!("not JSON ({err}): {}", self.text()))
    }
}

async fn get(url: &str) -> Answer {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let response = reqwest::Client::new().get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.bytes().await.unwrap().to_vec();
    Answer {
        status,
        content_type,
        body,
    }
}

/// Width and height from the PNG signature and IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "not a PNG: {:?}",
        String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
    );
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

/// Decoded RGBA pixels.
fn rgba(bytes: &[u8]) -> Vec<[u8; 4]> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let samples = info.color_type.samples();
    buf[..info.buffer_size()]
        .chunks_exact(samples)
        .map(|p| match samples {
            4 => [p[0], p[1], p[2], p[3]],
            3 => [p[0], p[1], p[2], 255],
            2 => [p[0], p[0], p[0], p[1]],
            _ => [p[0], p[0], p[0], 255],
        })
        .collect()
}

fn opaque_pixels(bytes: &[u8]) -> usize {
    rgba(bytes).iter().filter(|p| p[3] > 0).count()
}

fn features(collection: &Value) -> &Vec<Value> {
    collection["features"]
        .as_array()
        .unwrap_or_else(|| panic!("no features array: {collection}"))
}

/// `observed` of each observation at Brest (GetFeatureInfo), with `&TIME=...` or nothing.
async fn observations_at_brest(server: &MapServer, time: &str) -> Vec<String> {
    let answer = get(&server.ows(&format!(
        "{GFI_AT_BREST}&LAYERS=observations&QUERY_LAYERS=observations{time}"
    )))
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "application/json", "{}", answer.text());
    let json = answer.json();
    features(&json)
        .iter()
        .map(|f| {
            assert_eq!(f["properties"]["station"], "brest");
            f["properties"]["observed"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn wms_capabilities_list_the_layers_the_group_and_the_time_dimension() {
    let server = MapServer::start().await.expect(NEEDS);
    let answer = get(&server.ows("SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities")).await;
    assert_eq!(answer.status, 200);
    assert!(
        answer.content_type.starts_with("text/xml"),
        "{}",
        answer.content_type
    );
    let caps = answer.text();
    assert!(caps.contains("<WMS_Capabilities version=\"1.3.0\""));
    for name in server.layer_names() {
        assert!(
            caps.contains(&format!("<Name>{name}</Name>")),
            "{name} missing"
        );
    }
    // The group is a named layer whose children are nested inside it.
    let depth_in_group = |name: &str| {
        let group = caps.find("<Name>littoral</Name>").expect("no group");
        let at = caps.find(&format!("<Name>{name}</Name>")).unwrap();
        let between = &caps[group..at];
        between.matches("<Layer").count() as i64 - between.matches("</Layer>").count() as i64
    };
    for child in MapServer::GROUP_LAYERS {
        assert_eq!(
            depth_in_group(child),
            1,
            "{child} is not a child of the group"
        );
    }
    assert_eq!(depth_in_group("observations"), 0);
    assert!(caps.contains("<Title>Littoral</Title>"));
    assert!(caps.contains(&format!(
        "<Dimension name=\"time\" units=\"ISO8601\" default=\"{}\" nearestValue=\"0\">{}</Dimension>",
        MapServer::TIME_DEFAULT,
        MapServer::TIME_EXTENT
    )));
    assert!(caps.contains("<CRS>EPSG:3857</CRS>"));
    assert!(caps.contains(
        "https://indigeo.example.org/geonetwork/srv/api/records/6f1c5a1e-2b3d-4c8e-9a0f-c0de00000001"
    ));
    // OnlineResource computed by MapServer from the request.
    assert!(caps.contains(&format!("xlink:href=\"{}?\"", server.url)));
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn get_map_returns_a_png_of_the_requested_size_in_web_mercator() {
    let server = MapServer::start().await.expect(NEEDS);
    let answer = get(&server.ows(&format!(
        "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=communes,littoral,observations&STYLES=\
         &CRS=EPSG:3857&BBOX={BRITTANY_3857}&WIDTH=512&HEIGHT=300&FORMAT=image/png"
    )))
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "image/png", "{}", server.log());
    assert_eq!(png_size(&answer.body), (512, 300));
    let pixels = rgba(&answer.body);
    // The communes' fill (230, 224, 200) shows between the town halls' dots.
    let fill = pixels.iter().filter(|p| p[..3] == [230, 224, 200]).count();
    assert!(fill > pixels.len() / 10, "only {fill} fill pixels");
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn get_map_of_the_group_draws_its_children() {
    let server = MapServer::start().await.expect(NEEDS);
    let map = |layers: &str| {
        server.ows(&format!(
            "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layers}&STYLES=&CRS=EPSG:3857\
             &BBOX={BRITTANY_3857}&WIDTH=400&HEIGHT=240&FORMAT=image/png&TRANSPARENT=TRUE"
        ))
    };
    let group = opaque_pixels(&get(&map("littoral")).await.body);
    let coastline = opaque_pixels(&get(&map("coastline")).await.body);
    let mairies = opaque_pixels(&get(&map("mairies")).await.body);
    assert!(coastline > 0 && mairies > 0);
    assert!(
        group > coastline && group > mairies,
        "{group} {coastline} {mairies}"
    );
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn get_feature_info_as_json_at_brest_returns_the_commune_of_brest() {
    let server = MapServer::start().await.expect(NEEDS);
    let answer = get(&server.ows(&format!(
        "{GFI_AT_BREST}&LAYERS=communes&QUERY_LAYERS=communes"
    )))
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "application/json");
    let json = answer.json();
    assert_eq!(json["type"], "FeatureCollection");
    assert_eq!(json["name"], "communes");
    // No GeoServer-style counters, no feature id.
    assert!(json.get("totalFeatures").is_none() && json.get("numberMatched").is_none());
    let features = features(&json);
    assert_eq!(features.len(), 1);
    let brest = &features[0];
    assert!(brest.get("id").is_none());
    assert_eq!(brest["properties"]["nom"], "Brest");
    assert_eq!(brest["properties"]["code"], "29019");
    // Typed thanks to gml_types "auto".
    assert!(brest["properties"]["population"].as_i64().unwrap() > 100_000);
    assert_eq!(brest["geometry"]["type"], "Polygon");
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn time_selects_the_observations_get_feature_info_returns() {
    let server = MapServer::start().await.expect(NEEDS);
    assert_eq!(
        observations_at_brest(&server, "&TIME=2024-06-03T12:00:00Z").await,
        ["2024-06-03T12:00:00Z"]
    );
    assert_eq!(
        observations_at_brest(&server, "&TIME=2024-06-01T00:00:00Z/2024-06-01T12:00:00Z").await,
        [
            "2024-06-01T00:00:00Z",
            "2024-06-01T06:00:00Z",
            "2024-06-01T12:00:00Z"
        ]
    );
    assert_eq!(
        observations_at_brest(&server, "&TIME=2024-06-01T06:00:00Z,2024-06-02T06:00:00Z").await,
        ["2024-06-01T06:00:00Z", "2024-06-02T06:00:00Z"]
    );
    // Inside the extent but off the 6 h grid: nothing (no nearest value).
    assert!(
        observations_at_brest(&server, "&TIME=2024-06-01T03:00:00Z")
            .await
            .is_empty()
    );
    // No TIME, or one outside the extent, or garbage: the default instant.
    for time in ["", "&TIME=2025-01-01T00:00:00Z", "&TIME=foo"] {
        assert_eq!(
            observations_at_brest(&server, time).await,
            [MapServer::TIME_DEFAULT],
            "TIME {time:?}"
        );
    }
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn time_selects_the_observations_get_map_draws() {
    let server = MapServer::start().await.expect(NEEDS);
    let drawn = async |time: &str| {
        let answer = get(&server.ows(&format!(
            "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=observations&STYLES=&CRS=EPSG:3857\
             &BBOX={BRITTANY_3857}&WIDTH=600&HEIGHT=350&FORMAT=image/png&TRANSPARENT=TRUE{time}"
        )))
        .await;
        assert_eq!(answer.content_type, "image/png", "{}", answer.text());
        opaque_pixels(&answer.body)
    };
    // One instant: the station and one buoy; six hours of a day: the station and four buoys.
    let instant = drawn("&TIME=2024-06-01T00:00:00Z").await;
    let day = drawn("&TIME=2024-06-01T00:00:00Z/2024-06-01T18:00:00Z").await;
    assert!(instant > 0);
    assert!(day >= 2 * instant, "a day {day}, an instant {instant}");
    assert_eq!(drawn("&TIME=2024-06-01T03:00:00Z").await, 0);
    assert_eq!(drawn("").await, instant, "no TIME is the default instant");
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn wfs_capabilities_list_the_types_with_the_ms_prefix() {
    let server = MapServer::start().await.expect(NEEDS);
    let answer = get(&server.ows("SERVICE=WFS&VERSION=2.0.0&REQUEST=GetCapabilities")).await;
    assert_eq!(answer.status, 200);
    let caps = answer.text();
    assert!(caps.contains("<wfs:WFS_Capabilities"), "{caps}");
    for name in server.layer_names() {
        assert!(
            caps.contains(&format!("<Name>ms:{name}</Name>")),
            "ms:{name} missing"
        );
    }
    assert!(
        !caps.contains("<Name>ms:littoral</Name>"),
        "a group is no feature type"
    );
    assert!(caps.contains("<ows:Value>application/json</ows:Value>"));
    assert!(caps.contains("<DefaultCRS>urn:ogc:def:crs:EPSG::4326</DefaultCRS>"));
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn wfs_get_feature_with_count_returns_geojson() {
    let server = MapServer::start().await.expect(NEEDS);
    let answer = get(&server.ows(
        "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ms:mairies&COUNT=3\
         &OUTPUTFORMAT=application/json",
    ))
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "application/json");
    let json = answer.json();
    assert_eq!(json["type"], "FeatureCollection");
    assert_eq!(json["name"], "mairies");
    assert!(json.get("crs").is_none(), "no crs member in EPSG:4326");
    let features = features(&json);
    assert_eq!(features.len(), 3);
    for f in features {
        assert_eq!(f["geometry"]["type"], "Point");
        let lat = f["geometry"]["coordinates"][1].as_f64().unwrap();
        assert!(
            (47.0..49.0).contains(&lat),
            "longitude, latitude order: {f}"
        );
        assert!(f["properties"]["nom"].is_string());
        assert!(f["properties"]["population"].is_i64());
    }
    // Every match read: numberMatched appears (and nothing else GeoServer has).
    let all = get(&server.ows(
        "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=private_sites&OUTPUTFORMAT=geojson",
    ))
    .await
    .json();
    assert_eq!(all["numberMatched"], 3);
    assert!(all.get("numberReturned").is_none() && all.get("totalFeatures").is_none());
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn a_wfs_during_filter_selects_observations_by_time() {
    let server = MapServer::start().await.expect(NEEDS);
    let filter = "<fes:Filter xmlns:fes=\"http://www.opengis.net/fes/2.0\" xmlns:gml=\"http://www.opengis.net/gml/3.2\">\
        <fes:During><fes:ValueReference>observed</fes:ValueReference>\
        <gml:TimePeriod gml:id=\"p\"><gml:beginPosition>2024-06-02T00:00:00Z</gml:beginPosition>\
        <gml:endPosition>2024-06-02T06:00:00Z</gml:endPosition></gml:TimePeriod></fes:During></fes:Filter>";
    let encoded: String = filter
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let json = get(&server.ows(&format!(
        "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ms:observations\
         &OUTPUTFORMAT=application/json&FILTER={encoded}"
    )))
    .await
    .json();
    let mut observed: Vec<&str> = features(&json)
        .iter()
        .map(|f| f["properties"]["observed"].as_str().unwrap())
        .collect();
    observed.sort_unstable();
    assert_eq!(
        observed,
        [
            "2024-06-02T00:00:00Z",
            "2024-06-02T00:00:00Z",
            "2024-06-02T06:00:00Z",
            "2024-06-02T06:00:00Z"
        ]
    );
    // The WMS TIME parameter means nothing to WFS.
    let all = get(&server.ows(
        "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ms:observations\
         &OUTPUTFORMAT=application/json&TIME=2024-06-02T06:00:00Z",
    ))
    .await
    .json();
    assert_eq!(features(&all).len(), 40);
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn an_unknown_layer_gives_a_service_exception_with_http_200() {
    let server = MapServer::start().await.expect(NEEDS);
    let answer = get(&server.ows(&format!(
        "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=nope&STYLES=&CRS=EPSG:3857\
         &BBOX={BRITTANY_3857}&WIDTH=256&HEIGHT=256&FORMAT=image/png"
    )))
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "text/xml; charset=UTF-8");
    let text = answer.text();
    assert!(
        text.contains("<ServiceExceptionReport version=\"1.3.0\""),
        "{text}"
    );
    assert!(
        text.contains("<ServiceException code=\"LayerNotDefined\">"),
        "{text}"
    );
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn an_unknown_wfs_type_gives_an_ows_exception_with_http_400() {
    let server = MapServer::start().await.expect(NEEDS);
    let answer = get(&server.ows(
        "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ms:nope&OUTPUTFORMAT=application/json",
    ))
    .await;
    assert_eq!(answer.status, 400);
    assert!(answer.content_type.starts_with("text/xml"));
    let text = answer.text();
    assert!(text.contains("<ows:ExceptionReport"), "{text}");
    assert!(
        text.contains("exceptionCode=\"InvalidParameterValue\" locator=\"typename\""),
        "{text}"
    );
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn get_legend_graphic_returns_a_png_for_a_layer_and_for_the_group() {
    let server = MapServer::start().await.expect(NEEDS);
    let legend = |layer: &str, sld: &str| {
        server.ows(&format!(
            "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER={layer}&FORMAT=image/png{sld}"
        ))
    };
    let communes = get(&legend("communes", "&SLD_VERSION=1.1.0")).await;
    assert_eq!(communes.content_type, "image/png", "{}", communes.text());
    let (w, h) = png_size(&communes.body);
    assert!(w > 20 && h > 10, "{w}×{h}");
    let group = get(&legend("littoral", "&SLD_VERSION=1.1.0")).await;
    let (_, group_h) = png_size(&group.body);
    assert!(group_h > h, "two classes are taller than one");
    // Unlike GeoServer, WMS 1.3.0 wants SLD_VERSION.
    let bare = get(&legend("communes", "")).await;
    assert_eq!(bare.status, 200);
    assert!(
        bare.text().contains("<ServiceExceptionReport"),
        "{}",
        bare.text()
    );
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn the_private_layer_is_served_like_any_other() {
    let server = MapServer::start().await.expect(NEEDS);
    // Site A at (-3.5, 48.2), in EPSG:3857 (-389618.2, 6140192.4): a 20 km box around it.
    let json = get(&server.ows(
        "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=private_sites\
         &QUERY_LAYERS=private_sites&STYLES=&CRS=EPSG:3857&BBOX=-399618,6130192,-379618,6150192\
         &WIDTH=100&HEIGHT=100&I=50&J=50&INFO_FORMAT=application/json",
    ))
    .await
    .json();
    assert_eq!(
        json["crs"]["properties"]["name"],
        "urn:ogc:def:crs:EPSG::3857"
    );
    let features = features(&json);
    assert_eq!(features.len(), 1);
    assert_eq!(features[0]["properties"]["nom"], "Site A");
    let x = features[0]["geometry"]["coordinates"][0].as_f64().unwrap();
    assert!(
        (x + 389_618.2).abs() < 1.0,
        "geometry in the request CRS: {x}"
    );
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn get_feature_info_in_json_on_two_layers_breaks_the_document() {
    // A MapServer limitation the proxy must live with (see the crate docs): GDAL's GeoJSON
    // writer takes one layer, so the second layer's error is appended to the first's JSON.
    let server = MapServer::start().await.expect(NEEDS);
    let answer = get(&server.ows(&format!(
        "{GFI_AT_BREST}&LAYERS=communes,observations&QUERY_LAYERS=communes,observations"
    )))
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "application/json");
    let text = answer.text();
    assert!(serde_json::from_str::<Value>(&text).is_err());
    assert!(text.contains("\"name\": \"communes\""), "{text}");
    assert!(
        text.contains("OGR_DS_CreateLayer failed for layer"),
        "{text}"
    );
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn clients_cannot_name_another_mapfile() {
    let server = MapServer::start().await.expect(NEEDS);
    let answer =
        get(&server.ows("map=/etc/passwd&SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities")).await;
    assert!(!answer.text().contains("<WMS_Capabilities"));
    assert!(
        answer.text().contains("not configured for full paths"),
        "{}",
        answer.text()
    );
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn two_servers_run_side_by_side_and_dropping_one_stops_it_and_removes_its_files() {
    let (a, b) = tokio::join!(MapServer::start(), MapServer::start());
    let (a, b) = (a.expect(NEEDS), b.expect(NEEDS));
    assert_ne!(a.url, b.url);
    let dir = a.mapfile().parent().unwrap().to_path_buf();
    assert!(dir.is_dir());
    let url = a.url.clone();
    drop(a);
    assert!(!dir.exists(), "{} left behind", dir.display());
    let _ = rustls::crypto::ring::default_provider().install_default();
    assert!(
        reqwest::Client::new().get(&url).send().await.is_err(),
        "{url} still answers"
    );
    let caps = get(&b.ows("SERVICE=WMS&REQUEST=GetCapabilities")).await;
    assert!(caps.text().contains("<WMS_Capabilities"));
}
