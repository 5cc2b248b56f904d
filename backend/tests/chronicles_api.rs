//! The chronicles API in-process: the bundled demo (New York airports, imported by the import
//! side) and two datasets written here sample by sample — `open` (public view and query,
//! download for signed-in callers) with a series whose gaps, holes and extremes are known, and
//! `secret` (role `realm:chercheur` only). Callers carry RS256 bearer tokens signed here.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::Router;
use kartenn::auth::Auth;
use kartenn::chronicles::service::ChronicleService;
use kartenn::chronicles::store::ChronicleStore;
use kartenn::config::Config;
use kartenn::state::AppState;
use kartenn::store::Store;
use serde_json::{Value, json};
use support::tokens::{ISSUER, TestIssuer};
use support::{Reply, get_with};

/// 2020-01-01T00:00:00Z in µs; the `open` series has one sample a minute from here.
const T0: i64 = 1_577_836_800_000_000;
const MINUTE: i64 = 60_000_000;
const LEVEL: &str = "/api/chronicles/open/stations/S1/series/level";

struct Setup {
    app: Router,
    issuer: TestIssuer,
    store: ChronicleStore,
}

impl Setup {
    /// `Bearer <token>` for `user` with realm roles `roles`.
    fn token(&self, user: &str, roles: &[&str]) -> String {
        format!("Bearer {}", self.issuer.with_realm_roles(user, roles))
    }

    async fn get(&self, uri: &str) -> Reply {
        get_with(&self.app, uri, &[]).await
    }

    async fn get_as(&self, uri: &str, token: &str) -> Reply {
        get_with(&self.app, uri, &[("authorization", token)]).await
    }
}

/// The `open` level series: a sample a minute, value `i % 50`, except a missing value at 5 000,
/// a hole of ten samples from 7 000, the maximum 1 000 at 1 234 and the minimum −1 000 at 4 321.
fn level(i: i64) -> Option<f64> {
    match i {
        5000 => None,
        1234 => Some(1000.0),
        4321 => Some(-1000.0),
        _ => Some((i % 50) as f64),
    }
}

async fn fill(store: &ChronicleStore) {
    let pool = store.pool();
    for sql in [
        "INSERT INTO chronicle_datasets (id, title) VALUES ('open', 'Open'), ('secret', 'Secret')",
        "INSERT INTO chronicle_stations (dataset, id, name, lon, lat, attributes) VALUES
            ('open', 'S1', 'Station one', -4.5, 48.4, '{\"depth\": 12}'),
            ('open', 'S2', 'Station two', -4.0, 48.0, '{}'),
            ('secret', 'X', 'Hidden', 0.0, 0.0, '{}')",
        "INSERT INTO chronicle_series (id, dataset, station, variable, unit, step_s) VALUES
            (101, 'open', 'S1', 'level', 'm', 60), (102, 'secret', 'X', 'level', NULL, NULL)",
    ] {
        sqlx::query(sql).execute(pool).await.unwrap();
    }
    let mut tx = pool.begin().await.unwrap();
    for i in (0..10_000).filter(|i| !(7000..7010).contains(i)) {
        sqlx::query(
            "INSERT INTO chronicle_samples (series, t, value, quality) VALUES (101, ?, ?, ?)",
        )
        .bind(T0 + i * MINUTE)
        .bind(level(i))
        .bind((i == 0).then_some(1))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    sqlx::query("INSERT INTO chronicle_samples (series, t, value) VALUES (102, ?, 1.5)")
        .bind(T0)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn setup() -> Setup {
    let text = format!(
        "[server]\npublic_url = \"http://127.0.0.1:9\"\n\
         [[rules]]\ndataset = \"open\"\nview = \"public\"\nquery = \"public\"\ndownload = \"authenticated\"\n\
         [[rules]]\ndataset = \"nyc-*\"\nview = \"public\"\nquery = \"public\"\ndownload = \"public\"\n\
         [[rules]]\ndataset = \"secret\"\nview = [\"realm:chercheur\"]\nquery = [\"realm:chercheur\"]\n\
         download = [\"realm:chercheur\"]\n\
         [oidc]\nissuer = \"{ISSUER}\"\nclient_id = \"kartenn\"\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::from_toml(&text, dir.path(), &|_| None).unwrap();
    config.chronicles = kartenn::config::demo_chronicles(&support::demo_dir());
    let store = ChronicleStore::new(Store::memory().await.unwrap());
    kartenn::chronicles::import::import_configured(&config, &store)
        .await
        .unwrap();
    fill(&store).await;

    let issuer = TestIssuer::new();
    let auth = Auth::with_jwks(&config, Store::memory().await.unwrap(), issuer.jwks()).unwrap();
    let service = ChronicleService::new(store.clone(), 64 * 1024 * 1024);
    let state = AppState::new(
        &config,
        Vec::new(),
        std::collections::HashMap::default(),
        None,
    )
    .with_auth(auth)
    .with_chronicles(service);
    Setup {
        app: kartenn::app(state),
        issuer,
        store,
    }
}

fn ids(reply: &Reply) -> Vec<String> {
    reply
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect()
}

fn points(reply: &Reply) -> Vec<(f64, Option<f64>)> {
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    serde_json::from_value(reply.json()["points"].clone()).unwrap()
}

fn ms(us: i64) -> f64 {
    us as f64 / 1000.0
}

#[tokio::test]
async fn the_listing_shows_each_caller_the_datasets_it_may_view() {
    let s = setup().await;
    let anonymous = s.get("/api/chronicles").await;
    assert_eq!(anonymous.status, 200);
    assert_eq!(ids(&anonymous), ["nyc-weather", "open"]);
    assert_eq!(anonymous.header("cache-control"), Some("private, no-cache"));
    let carol = s.get_as("/api/chronicles", &s.token("carol", &[])).await;
    assert_eq!(ids(&carol), ["nyc-weather", "open"]);
    let alice = s
        .get_as("/api/chronicles", &s.token("alice", &["chercheur"]))
        .await;
    assert_eq!(ids(&alice), ["nyc-weather", "open", "secret"]);
    let open = &anonymous.json()[1];
    assert_eq!(open["stations"], 2);
    assert_eq!(open["series"], 1);
    assert_eq!(open["samples"], 9990);
    assert_eq!(open["extent"], json!([ms(T0), ms(T0 + 9999 * MINUTE)]));
    assert_eq!(open["stations_url"], "/api/chronicles/open/stations");
}

#[tokio::test]
async fn a_private_dataset_asks_anonymous_callers_to_sign_in_and_refuses_others() {
    let s = setup().await;
    for uri in [
        "/api/chronicles/secret/stations",
        "/api/chronicles/secret/stations/X/series",
        "/api/chronicles/secret/stations/X/series/level",
        "/api/chronicles/secret/stations/X/series/level.csv",
    ] {
        let anonymous = s.get(uri).await;
        assert_eq!(anonymous.status, 401, "{uri}");
        assert_eq!(anonymous.json()["code"], "unauthorized");
        let carol = s.get_as(uri, &s.token("carol", &[])).await;
        assert_eq!(carol.status, 403, "{uri}");
        assert_eq!(carol.json()["code"], "forbidden");
        let alice = s.get_as(uri, &s.token("alice", &["chercheur"])).await;
        assert_eq!(alice.status, 200, "{uri}");
        assert_eq!(
            alice.header("cache-control"),
            Some("private, no-cache"),
            "{uri}"
        );
        assert_eq!(alice.header("vary"), Some("cookie, authorization"), "{uri}");
    }
}

#[tokio::test]
async fn stations_are_geojson_points_with_their_attributes_and_time_span() {
    let s = setup().await;
    let reply = s.get("/api/chronicles/nyc-weather/stations").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/geo+json"));
    assert_eq!(reply.header("cache-control"), Some("public, max-age=60"));
    let doc = reply.json();
    assert_eq!(doc["type"], "FeatureCollection");
    let features = doc["features"].as_array().unwrap();
    let names: Vec<&str> = features.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(names, ["EWR", "JFK", "LGA"]);
    for f in features {
        assert_eq!(f["geometry"]["type"], "Point");
        assert_eq!(f["properties"]["series"], 5);
        let (start, end) = (
            f["properties"]["start"].as_f64(),
            f["properties"]["end"].as_f64(),
        );
        assert!(start.unwrap() < end.unwrap(), "{f}");
    }

    let open = s.get("/api/chronicles/open/stations").await.json();
    let s1 = &open["features"][0];
    assert_eq!(s1["geometry"]["coordinates"], json!([-4.5, 48.4]));
    assert_eq!(s1["properties"]["name"], "Station one");
    assert_eq!(s1["properties"]["depth"], 12);
    assert_eq!(s1["properties"]["start"], ms(T0));
    let s2 = &open["features"][1];
    assert_eq!(s2["properties"]["series"], 0);
    assert!(s2["properties"].get("start").is_none());
}

#[tokio::test]
async fn a_station_lists_its_series_with_count_extent_and_url() {
    let s = setup().await;
    let reply = s.get("/api/chronicles/open/stations/S1/series").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        json!([{"variable": "level", "unit": "m", "step_s": 60.0, "count": 9990,
            "extent": [ms(T0), ms(T0 + 9999 * MINUTE)], "url": LEVEL}])
    );
    let demo = s
        .get("/api/chronicles/nyc-weather/stations/JFK/series")
        .await
        .json();
    let variables: Vec<&str> = demo
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["variable"].as_str().unwrap())
        .collect();
    assert_eq!(
        variables,
        ["humid", "precip", "pressure", "temp", "wind_speed"]
    );
}

#[tokio::test]
async fn points_respect_the_budget_and_keep_ends_extremes_and_gaps() {
    let s = setup().await;
    for method in ["minmax", "lttb"] {
        let reply = s.get(&format!("{LEVEL}?points=200&method={method}")).await;
        let body = reply.json();
        let pts = points(&reply);
        assert!(pts.len() <= 200, "{method}: {}", pts.len());
        assert_eq!(
            body["downsampling"],
            if method == "lttb" { "lttb" } else { "min_max" }
        );
        assert_eq!(body["total"], 9990);
        assert_eq!(body["unit"], "m");
        assert_eq!(pts.first(), Some(&(ms(T0), Some(0.0))));
        assert_eq!(pts.last(), Some(&(ms(T0 + 9999 * MINUTE), Some(49.0))));
        assert!(pts.windows(2).all(|w| w[0].0 < w[1].0), "{method}");
        if method == "minmax" {
            assert!(pts.contains(&(ms(T0 + 1234 * MINUTE), Some(1000.0))));
            assert!(pts.contains(&(ms(T0 + 4321 * MINUTE), Some(-1000.0))));
        }
        // The missing value and the hole both show as breaks.
        let breaks: Vec<f64> = pts.iter().filter(|p| p.1.is_none()).map(|p| p.0).collect();
        assert!(
            breaks.contains(&ms(T0 + 5000 * MINUTE)),
            "{method}: {breaks:?}"
        );
        assert!(
            breaks.contains(&ms(T0 + 7000 * MINUTE)),
            "{method}: {breaks:?}"
        );
    }
}

#[tokio::test]
async fn a_narrow_range_is_raw_and_times_are_read_in_every_form() {
    let s = setup().await;
    let (from, to) = (T0 + 4995 * MINUTE, T0 + 5005 * MINUTE);
    let iso = "2020-01-04T11:15:00Z"; // sample 4995
    let offset = "2020-01-04T12:25:00%2B01:00"; // sample 5005
    for query in [
        format!("from={}&to={}", from / 1000, to / 1000),
        format!("from={iso}&to={offset}"),
    ] {
        let reply = s.get(&format!("{LEVEL}?{query}&points=50")).await;
        let body = reply.json();
        assert_eq!(body["downsampling"], "raw", "{query}");
        assert_eq!(body["from"], ms(from));
        assert_eq!(body["to"], ms(to));
        let pts = points(&reply);
        assert_eq!(pts.len(), 11);
        assert_eq!(pts[5], (ms(T0 + 5000 * MINUTE), None));
    }
    let day = s
        .get(&format!("{LEVEL}?from=2020-01-02&to=2020-01-02"))
        .await
        .json();
    assert_eq!(day["from"], ms(T0 + 1440 * MINUTE));
    assert_eq!(day["total"], 1);
}

#[tokio::test]
async fn an_empty_range_answers_no_points() {
    let s = setup().await;
    let reply = s
        .get(&format!("{LEVEL}?from=2030-01-01&to=2031-01-01"))
        .await;
    assert!(points(&reply).is_empty());
    assert_eq!(reply.json()["total"], 0);
    // One end given beyond the series: the other end follows it.
    for query in ["from=2030-01-01", "to=2000-01-01"] {
        let reply = s.get(&format!("{LEVEL}?{query}")).await;
        assert!(points(&reply).is_empty(), "{query}");
    }
}

#[tokio::test]
async fn every_bad_input_is_a_json_400_or_404() {
    let s = setup().await;
    let cases = [
        (format!("{LEVEL}?points=0"), 400, "points"),
        (format!("{LEVEL}?points=20001"), 400, "20000"),
        (format!("{LEVEL}?points=lots"), 400, "points"),
        (format!("{LEVEL}?from=yesterday"), 400, "from"),
        (format!("{LEVEL}?to=2020-01-01T00:00:00"), 400, "time zone"),
        (
            format!("{LEVEL}?from=2021-01-01&to=2020-01-01"),
            400,
            "after",
        ),
        (format!("{LEVEL}?method=mean"), 400, "method"),
        (format!("{LEVEL}?format=xml"), 400, "format"),
        (format!("{LEVEL}?pionts=10"), 400, "pionts"),
        ("/api/chronicles/nope/stations".to_owned(), 404, "nope"),
        (
            "/api/chronicles/nope/stations/S1/series".to_owned(),
            404,
            "nope",
        ),
        (
            "/api/chronicles/open/stations/S9/series".to_owned(),
            404,
            "S9",
        ),
        (
            "/api/chronicles/open/stations/S9/series/level".to_owned(),
            404,
            "S9",
        ),
        (
            "/api/chronicles/open/stations/S1/series/depth".to_owned(),
            404,
            "depth",
        ),
        (
            "/api/chronicles/nyc-weather/stations/JFK/series/depth.csv".to_owned(),
            404,
            "depth",
        ),
    ];
    for (uri, status, words) in cases {
        let reply = s.get(&uri).await;
        assert_eq!(reply.status, status, "{uri}");
        let body: Value = reply.json();
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(words), "{uri}: {message}");
    }
}

#[tokio::test]
async fn the_csv_export_streams_the_raw_range_to_callers_who_may_download() {
    let s = setup().await;
    let uri = format!("{LEVEL}.csv?to=2020-01-01T00:02:00Z");
    assert_eq!(s.get(&uri).await.status, 401);
    let reply = s.get_as(&uri, &s.token("carol", &[])).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(
        reply.header("content-disposition"),
        Some("attachment; filename=\"open_S1_level.csv\"")
    );
    assert_eq!(
        String::from_utf8(reply.body.clone()).unwrap(),
        "time,value,quality\n2020-01-01T00:00:00Z,0,1\n2020-01-01T00:01:00Z,1,\n\
         2020-01-01T00:02:00Z,2,\n"
    );
    let whole = s
        .get_as(&format!("{LEVEL}?format=csv"), &s.token("carol", &[]))
        .await;
    let text = String::from_utf8(whole.body).unwrap();
    assert_eq!(text.lines().count(), 1 + 9990);
    assert!(
        text.contains("\n2020-01-04T11:20:00Z,,\n"),
        "the missing value is empty"
    );
}

#[tokio::test]
async fn new_samples_are_seen_at_once_whoever_wrote_them() {
    let s = setup().await;
    let before = s.get(&format!("{LEVEL}?points=20")).await.json();
    assert_eq!(before["total"], 9990);
    // Written behind the service's back, as another process's import would.
    sqlx::query("INSERT INTO chronicle_samples (series, t, value) VALUES (101, ?, 5000.0)")
        .bind(T0 + 20_000 * MINUTE)
        .execute(s.store.pool())
        .await
        .unwrap();
    let after = s.get(&format!("{LEVEL}?points=20")).await;
    assert_eq!(after.json()["total"], 9991);
    assert!(points(&after).contains(&(ms(T0 + 20_000 * MINUTE), Some(5000.0))));
    let list = s
        .get("/api/chronicles/open/stations/S1/series")
        .await
        .json();
    assert_eq!(list[0]["count"], 9991);
}

#[tokio::test]
async fn the_catalogue_lists_the_viewable_datasets_as_station_layers() {
    let s = setup().await;
    let layers = |reply: Reply| -> Vec<Value> {
        reply.json()["layers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["source"]["type"] == "chronicle")
            .cloned()
            .collect()
    };
    let anonymous = layers(s.get("/api/catalog").await);
    assert_eq!(anonymous.len(), 2);
    let nyc = &anonymous[0];
    assert_eq!(nyc["source"]["dataset"], "nyc-weather");
    assert_eq!(nyc["source"]["url"], "/api/chronicles/nyc-weather/stations");
    assert_eq!(nyc["geometry"], "point");
    assert_eq!(nyc["in_map"], true);
    assert_eq!(nyc["category"], json!(["Chroniques"]));
    let bounds = nyc["bounds"].as_array().unwrap();
    assert!(bounds[0].as_f64().unwrap() < -73.0 && bounds[3].as_f64().unwrap() > 40.0);
    let alice = layers(
        s.get_as("/api/catalog", &s.token("alice", &["chercheur"]))
            .await,
    );
    assert_eq!(alice.len(), 3);
}

#[tokio::test]
async fn the_openapi_document_describes_every_chronicles_route_and_each_exists() {
    let s = setup().await;
    let reply = s.get("/api/openapi.json").await;
    assert_eq!(reply.status, 200);
    let doc = reply.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/chronicles",
        "/api/chronicles/{dataset}/stations",
        "/api/chronicles/{dataset}/stations/{station}/series",
        "/api/chronicles/{dataset}/stations/{station}/series/{variable}",
        "/api/chronicles/{dataset}/stations/{station}/series/{variable}.csv",
    ] {
        assert!(paths.contains_key(path), "{path} missing");
    }
    let params = &paths["/api/chronicles/{dataset}/stations/{station}/series/{variable}"]["get"]["parameters"];
    let names: Vec<&str> = params
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "dataset", "station", "variable", "from", "to", "points", "method", "format"
        ]
    );
    for schema in [
        "ChronicleDataset",
        "SeriesInfo",
        "SeriesPoints",
        "StationCollection",
        "ErrorBody",
    ] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "{schema}"
        );
    }
    // Every documented path is served (the fallback would say "no such resource").
    for path in paths.keys() {
        let uri = path
            .replace("{dataset}", "open")
            .replace("{station}", "S1")
            .replace("{variable}", "level")
            .replace("{layer}", "nope")
            .replace("{z}/{x}/{y}", "0/0/0");
        let reply = s.get_as(&uri, &s.token("carol", &[])).await;
        let fallback = reply.status == 404
            && reply.json()["message"]
                .as_str()
                .unwrap_or_default()
                .contains("no such resource");
        assert!(!fallback, "{path} is documented but not served");
    }
}
