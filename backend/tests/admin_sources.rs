//! Data sources in the admin API, in-process, against a scripted upstream on 127.0.0.1 whose
//! capabilities the tests rewrite: CRUD with `ETag` / `If-Match` and the admin guard, secrets
//! never stored nor returned, connection tests, sync previews applied (or refused when the
//! catalogue moved), deletion taking the layers along, and the audit rows of each change.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[allow(dead_code)]
#[path = "support/admin.rs"]
mod admin;
mod support;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use kartenn::auth::Auth;
use kartenn::config::Config;
use kartenn::ogc::service::OgcService;
use kartenn::state::AppState;
use kartenn::store::Store;
use serde_json::{Value, json};
use support::tokens::{ISSUER, TestIssuer};

use admin::{Setup, fields};

const PASSWORD: &str = "pa55-w0rd-never-shown";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\nfake image";

/// WMS 1.3.0 capabilities with these (name, title) layers.
fn capabilities(layers: &[(&str, &str)]) -> String {
    let mut entries = String::new();
    for (name, title) in layers {
        write!(
            entries,
            "<Layer queryable=\"1\"><Name>{name}</Name><Title>{title}</Title></Layer>"
        )
        .unwrap();
    }
    let layers = entries;
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms" xmlns:xlink="http://www.w3.org/1999/xlink">
  <Service><Name>WMS</Name><Title>Fake GeoServer</Title></Service>
  <Capability>
    <Request><GetMap><Format>image/png</Format></GetMap></Request>
    <Exception><Format>XML</Format></Exception>
    <Layer><Title>Root</Title>{layers}</Layer>
  </Capability>
</WMS_Capabilities>"#
    )
}

/// The scripted upstream: its current capabilities and the `Authorization` headers it saw.
#[derive(Clone, Default)]
struct Script {
    capabilities: Arc<Mutex<String>>,
    /// `http://127.0.0.1:port`, for the redirect.
    base: Arc<Mutex<String>>,
    authorizations: Arc<Mutex<Vec<String>>>,
}

impl Script {
    fn serve(&self, layers: &[(&str, &str)]) {
        *self.capabilities.lock().unwrap() = capabilities(layers);
    }
}

async fn upstream(
    State(script): State<Script>,
    UrlPath(mode): UrlPath<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        script
            .authorizations
            .lock()
            .unwrap()
            .push(auth.to_str().unwrap().to_owned());
    }
    let query = uri.query().unwrap_or_default();
    match mode.as_str() {
        "ok" if query.contains("SERVICE=WFS") => StatusCode::NOT_FOUND.into_response(),
        "ok" if query.contains("REQUEST=GetCapabilities") => {
            let body = script.capabilities.lock().unwrap().clone();
            ([(header::CONTENT_TYPE, "text/xml")], body).into_response()
        }
        "ok" => ([(header::CONTENT_TYPE, "image/png")], PNG).into_response(),
        "html" => (
            [(header::CONTENT_TYPE, "text/html")],
            "<html>maintenance</html>",
        )
            .into_response(),
        // To a server that would answer: followed, the test would pass.
        "redirect" => (
            StatusCode::FOUND,
            [(
                header::LOCATION,
                format!("{}/ok/ows?{query}", script.base.lock().unwrap()),
            )],
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

struct Harness {
    s: Setup,
    script: Script,
    base: String,
}

/// The application: a configuration source `conf` (read-only here), every layer public,
/// password files admitted from `<tmp>/secrets`, sign-in with `realm:indigeo-admin` → admin.
async fn harness() -> Harness {
    let script = Script::default();
    script.serve(&[("ws:public", "Public layer"), ("ws:roads", "Roads")]);
    let app = Router::new()
        .route("/{mode}/ows", axum::routing::get(upstream))
        .with_state(script.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    script.base.lock().unwrap().clone_from(&base);
    tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().unwrap();
    let secrets = dir.path().join("secrets");
    std::fs::create_dir(&secrets).unwrap();
    std::fs::write(secrets.join("geo"), format!("{PASSWORD}\n")).unwrap();
    let text = format!(
        "layers = []\n[server]\npublic_url = \"http://127.0.0.1:9\"\n\
         [[sources]]\nid = \"conf\"\nurl = \"{base}/ok/ows\"\nwfs = false\nsync_minutes = 0\n\
         [ogc]\npassword_dir = \"{secrets}\"\n\
         [[rules]]\nlayer = \"*\"\nview = \"public\"\nquery = \"public\"\n\
         [oidc]\nissuer = \"{ISSUER}\"\nclient_id = \"kartenn\"\n\
         [oidc.roles]\n\"realm:indigeo-admin\" = \"admin\"\n",
        secrets = secrets.display()
    );
    let mut config = Config::from_toml(&text, dir.path(), &|_: &str| None).unwrap();
    let db = dir.path().join("kartenn.db");
    config.store.path = db.clone();
    let issuer = TestIssuer::new();
    let store = Store::open(&db).await.unwrap();
    let env: kartenn::ogc::service::Env = Arc::new(|key: &str| {
        (key == "KARTENN_SOURCE_FROM_ENV_PASSWORD").then(|| PASSWORD.to_owned())
    });
    let ogc = OgcService::open_in(&config, store.clone())
        .await
        .unwrap()
        .with_env(env)
        .await
        .unwrap();
    let state = AppState::new(&config, vec![], std::collections::HashMap::default(), None)
        .with_ogc(ogc)
        .with_auth(Auth::with_jwks(&config, store.clone(), issuer.jwks()).unwrap())
        .with_admin(store.clone())
        .await
        .unwrap();
    let s = Setup {
        app: kartenn::app(state),
        issuer,
        store,
        db,
        config,
        _dir: dir,
    };
    Harness { s, script, base }
}

impl Harness {
    fn source(&self, id: &str, mode: &str) -> Value {
        json!({"id": id, "title": format!("Source {id}"), "url": format!("{}/{mode}/ows", self.base),
            "wfs": false, "sync_minutes": 0})
    }

    async fn create(&self, body: Value) -> String {
        let reply = self
            .s
            .as_admin("POST", "/api/admin/sources", None, Some(body))
            .await;
        assert_eq!(reply.status, 201, "{}", text(&reply.body));
        reply.header("etag").unwrap().to_owned()
    }

    async fn preview(&self, id: &str) -> Value {
        let reply = self
            .s
            .as_admin(
                "POST",
                &format!("/api/admin/sources/{id}/sync/preview"),
                None,
                None,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", text(&reply.body));
        reply.json()
    }

    async fn apply(&self, id: &str, token: &Value) -> support::Reply {
        self.s
            .as_admin(
                "POST",
                &format!("/api/admin/sources/{id}/sync/apply"),
                None,
                Some(json!({ "preview": token })),
            )
            .await
    }

    /// The ids of the catalogue's layers of OGC source `id`, as anyone sees them.
    async fn catalogue(&self, id: &str) -> Vec<String> {
        let reply = self.s.call("GET", "/api/catalog", None, &[], None).await;
        assert_eq!(reply.status, 200);
        reply.json()["layers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["ogc"]["source"] == id)
            .map(|l| l["id"].as_str().unwrap().to_owned())
            .collect()
    }

    async fn get_map(&self, id: &str, layer: &str) -> support::Reply {
        let uri = format!(
            "/ows/{id}?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layer}&STYLES=\
             &CRS=EPSG:3857&BBOX=0,0,1000,1000&WIDTH=256&HEIGHT=256&FORMAT=image/png"
        );
        self.s.call("GET", &uri, None, &[], None).await
    }
}

fn text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).into_owned()
}

fn titles(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|l| l["title"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn every_sources_endpoint_serves_admins_and_refuses_others_with_401_or_403() {
    let h = harness().await;
    h.create(h.source("geo", "ok")).await;
    let token = h.preview("geo").await["token"].clone();
    let one = "/api/admin/sources/geo";
    let endpoints: Vec<(&str, &str, Option<Value>, u16)> = vec![
        ("GET", "/api/admin/sources", None, 200),
        (
            "POST",
            "/api/admin/sources",
            Some(h.source("other", "ok")),
            201,
        ),
        ("GET", one, None, 200),
        ("PUT", one, Some(h.source("geo", "ok")), 200),
        (
            "POST",
            "/api/admin/sources/test",
            Some(json!({"id": "geo"})),
            200,
        ),
        ("POST", "/api/admin/sources/geo/sync/preview", None, 200),
        (
            "POST",
            "/api/admin/sources/geo/sync/apply",
            Some(json!({ "preview": token })),
            200,
        ),
        ("DELETE", one, None, 200),
    ];
    let carol = h.s.token("carol", &["chercheur"]);
    for (method, uri, body, ok) in endpoints {
        let anonymous = h.s.call(method, uri, None, &[], body.clone()).await;
        assert_eq!(anonymous.status, 401, "{method} {uri} anonymous");
        let refused = h.s.call(method, uri, Some(&carol), &[], body.clone()).await;
        assert_eq!(refused.status, 403, "{method} {uri} non-admin");
        assert_eq!(refused.json()["code"], "forbidden");
        let etag = h.s.as_admin("GET", one, None, None).await;
        let etag = etag.header("etag").map(str::to_owned);
        let reply = h.s.as_admin(method, uri, etag.as_deref(), body).await;
        assert_eq!(
            reply.status.as_u16(),
            ok,
            "{method} {uri} admin: {}",
            text(&reply.body)
        );
        assert_eq!(reply.header("cache-control"), Some("no-store"));
    }
}

#[tokio::test]
async fn invalid_sources_are_refused_with_422_naming_each_wrong_field() {
    let h = harness().await;
    let reply =
        h.s.as_admin(
            "POST",
            "/api/admin/sources",
            None,
            Some(
                json!({"id": "Geo!", "url": "ftp://h/ows", "wms": false, "wfs": false,
                "timeout_s": 9000, "password": PASSWORD, "colour": "red"}),
            ),
        )
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.json()["code"], "invalid");
    let named = fields(&reply);
    for f in ["id", "url", "wms", "timeout_s", "password", "colour"] {
        assert!(named.iter().any(|n| n == f), "{f} not in {named:?}");
    }
    assert!(
        !text(&reply.body).contains(PASSWORD),
        "a refused password is not echoed"
    );
    for (body, field) in [
        (
            json!({"id": "web", "url": "http://geo.example.org/ows"}),
            "url",
        ),
        (
            json!({"id": "web", "url": "https://u:p@geo.example.org/ows"}),
            "url",
        ),
        (
            json!({"id": "conf", "url": "https://geo.example.org/ows"}),
            "id",
        ),
        (
            json!({"id": "web", "url": "https://h/ows", "password_file": "/etc/shadow", "username": "k"}),
            "password_file",
        ),
    ] {
        let reply =
            h.s.as_admin("POST", "/api/admin/sources", None, Some(body.clone()))
                .await;
        assert_eq!(
            (reply.status.as_u16(), fields(&reply)),
            (422, vec![field.to_owned()]),
            "{body}"
        );
    }
    let etag = h.create(h.source("geo", "ok")).await;
    let twice =
        h.s.as_admin(
            "POST",
            "/api/admin/sources",
            None,
            Some(h.source("geo", "ok")),
        )
        .await;
    assert_eq!(fields(&twice), ["id"]);
    let renamed =
        h.s.as_admin(
            "PUT",
            "/api/admin/sources/geo",
            Some(&etag),
            Some(h.source("geo2", "ok")),
        )
        .await;
    assert_eq!(fields(&renamed), ["id"]);
    let test =
        h.s.as_admin(
            "POST",
            "/api/admin/sources/test",
            None,
            Some(json!({"url": "file:///etc/passwd"})),
        )
        .await;
    assert_eq!(
        (test.status.as_u16(), fields(&test)),
        (422, vec!["url".to_owned()])
    );
    let apply =
        h.s.as_admin(
            "POST",
            "/api/admin/sources/geo/sync/apply",
            None,
            Some(json!({"token": 1})),
        )
        .await;
    assert_eq!(fields(&apply), ["token", "preview"]);
    // Only the one creation was stored and audited.
    let audit = h.s.audit("").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["action"], "source.create");
}

#[tokio::test]
async fn a_stale_if_match_loses_with_409_naming_who_changed_it_and_none_is_428() {
    let h = harness().await;
    let etag = h.create(h.source("geo", "ok")).await;
    assert_eq!(etag, "\"1\"");
    let bea = h.s.token("bea", &["indigeo-admin"]);
    let mut changed = h.source("geo", "ok");
    changed["title"] = json!("Géo Nord");
    let first =
        h.s.call(
            "PUT",
            "/api/admin/sources/geo",
            Some(&bea),
            &[("if-match", &etag)],
            Some(changed),
        )
        .await;
    assert_eq!(first.status, 200, "{}", text(&first.body));
    assert_eq!(first.header("etag"), Some("\"2\""));
    let second =
        h.s.as_admin(
            "PUT",
            "/api/admin/sources/geo",
            Some(&etag),
            Some(h.source("geo", "ok")),
        )
        .await;
    assert_eq!(second.status, 409);
    assert_eq!(second.json()["code"], "conflict");
    assert!(second.json()["message"].as_str().unwrap().contains("bea"));
    let stale_delete =
        h.s.as_admin("DELETE", "/api/admin/sources/geo", Some(&etag), None)
            .await;
    assert_eq!(stale_delete.status, 409);
    for method in ["PUT", "DELETE"] {
        let body = (method == "PUT").then(|| h.source("geo", "ok"));
        let reply =
            h.s.as_admin(method, "/api/admin/sources/geo", None, body)
                .await;
        assert_eq!(reply.status, 428, "{method}");
        assert_eq!(reply.json()["code"], "precondition_required");
    }
    let current =
        h.s.as_admin("GET", "/api/admin/sources/geo", None, None)
            .await;
    assert_eq!(current.json()["source"]["title"], "Géo Nord");
    assert_eq!(current.json()["updated_by"], "bea");
    // The configuration's source is listed, read-only.
    let conf =
        h.s.as_admin("GET", "/api/admin/sources/conf", None, None)
            .await;
    assert_eq!(conf.json()["from_config"], true);
    assert!(conf.header("etag").is_none());
    let put =
        h.s.as_admin(
            "PUT",
            "/api/admin/sources/conf",
            Some("\"1\""),
            Some(h.source("conf", "ok")),
        )
        .await;
    assert_eq!(put.status, 409);
    assert!(
        put.json()["message"]
            .as_str()
            .unwrap()
            .contains("configuration file")
    );
    let missing =
        h.s.as_admin("GET", "/api/admin/sources/nope", None, None)
            .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn passwords_are_used_upstream_but_never_stored_nor_returned() {
    let h = harness().await;
    let mut with_file = h.source("geo", "ok");
    with_file["username"] = json!("kartenn");
    with_file["password_file"] = json!(
        h.s.config
            .ogc
            .password_dir
            .as_ref()
            .unwrap()
            .join("geo")
            .display()
            .to_string()
    );
    h.create(with_file).await;
    let mut from_env = h.source("from_env", "ok");
    from_env["username"] = json!("kartenn");
    h.create(from_env).await;
    let list = h.s.as_admin("GET", "/api/admin/sources", None, None).await;
    let sources = list.json()["sources"].as_array().unwrap().clone();
    let ids: Vec<&str> = sources
        .iter()
        .map(|s| s["source"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["conf", "from_env", "geo"],
        "configuration first, then stored"
    );
    let passwords: Vec<bool> = sources
        .iter()
        .map(|s| s["has_password"].as_bool().unwrap())
        .collect();
    assert_eq!(passwords, [false, true, true]);
    let test =
        h.s.as_admin(
            "POST",
            "/api/admin/sources/test",
            None,
            Some(json!({"id": "geo"})),
        )
        .await;
    assert_eq!(test.json()["ok"], true);
    let seen = h.script.authorizations.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "the service account was sent: {seen:?}");
    assert!(seen[0].starts_with("Basic "));
    let mut replies = vec![list.body, test.body];
    for uri in [
        "/api/admin/sources/geo",
        "/api/admin/sources/from_env",
        "/api/admin/audit",
        "/api/admin/audit.csv",
    ] {
        replies.push(h.s.as_admin("GET", uri, None, None).await.body);
    }
    for body in replies {
        assert!(!text(&body).contains(PASSWORD), "{}", text(&body));
    }
    for file in ["kartenn.db", "kartenn.db-wal"] {
        let path = h.s.db.with_file_name(file);
        if let Ok(bytes) = std::fs::read(&path) {
            assert!(
                !text(&bytes).contains(PASSWORD),
                "{file} holds the password"
            );
        }
    }
}

#[tokio::test]
async fn a_connection_test_answers_title_layers_and_time_or_why_it_failed() {
    let h = harness().await;
    let ok =
        h.s.as_admin(
            "POST",
            "/api/admin/sources/test",
            None,
            Some(h.source("new", "ok")),
        )
        .await;
    assert_eq!(ok.status, 200);
    let ok = ok.json();
    assert_eq!(ok["ok"], true);
    assert_eq!(ok["services"][0]["service"], "WMS");
    assert_eq!(ok["services"][0]["title"], "Fake GeoServer");
    assert_eq!(ok["services"][0]["layers"], 2);
    assert!(ok["elapsed_ms"].is_u64());
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut down = h.source("new", "ok");
    down["url"] = json!(format!("http://127.0.0.1:{closed}/ows"));
    for body in [down, h.source("new", "html"), h.source("new", "redirect")] {
        let reply =
            h.s.as_admin("POST", "/api/admin/sources/test", None, Some(body.clone()))
                .await;
        assert_eq!(reply.status, 200);
        let result = reply.json();
        assert_eq!(result["ok"], false, "{body}");
        assert_eq!(result["services"][0]["ok"], false);
        assert!(!result["services"][0]["error"].as_str().unwrap().is_empty());
    }
    let with_wfs = json!({"url": format!("{}/ok/ows", h.base)});
    let both =
        h.s.as_admin("POST", "/api/admin/sources/test", None, Some(with_wfs))
            .await
            .json();
    assert_eq!(
        (
            both["ok"].as_bool(),
            both["services"].as_array().unwrap().len()
        ),
        (Some(false), 2)
    );
    assert_eq!(
        (
            both["services"][0]["ok"].as_bool(),
            both["services"][1]["ok"].as_bool()
        ),
        (Some(true), Some(false))
    );
    let configured =
        h.s.as_admin(
            "POST",
            "/api/admin/sources/test",
            None,
            Some(json!({"id": "conf"})),
        )
        .await;
    assert_eq!(configured.json()["ok"], true);
    let unknown =
        h.s.as_admin(
            "POST",
            "/api/admin/sources/test",
            None,
            Some(json!({"id": "nope"})),
        )
        .await;
    assert_eq!(unknown.status, 404);
    // Nothing was stored or audited.
    let list =
        h.s.as_admin("GET", "/api/admin/sources", None, None)
            .await
            .json();
    assert_eq!(list["sources"].as_array().unwrap().len(), 1);
    assert!(h.s.audit("").await.is_empty());
}

#[tokio::test]
async fn a_preview_shows_the_diff_and_applying_it_changes_the_catalogue_and_the_proxy_at_once() {
    let h = harness().await;
    h.create(h.source("geo", "ok")).await;
    assert!(h.catalogue("geo").await.is_empty());
    assert_eq!(
        h.get_map("geo", "public").await.status,
        404,
        "no layer harvested yet"
    );
    let preview = h.preview("geo").await;
    assert_eq!(preview["layers"], 2);
    assert_eq!(titles(&preview["diff"]["added"]), ["Public layer", "Roads"]);
    assert!(preview["diff"]["changed"].as_array().unwrap().is_empty());
    assert!(
        h.catalogue("geo").await.is_empty(),
        "a preview stores nothing"
    );
    let applied = h.apply("geo", &preview["token"]).await;
    assert_eq!(applied.status, 200, "{}", text(&applied.body));
    assert_eq!(applied.json()["layers"], 2);
    assert_eq!(h.catalogue("geo").await, ["geo-public", "geo-roads"]);
    let map = h.get_map("geo", "public").await;
    assert_eq!((map.status, map.body.as_slice()), (StatusCode::OK, PNG));
    let entry =
        h.s.as_admin("GET", "/api/admin/sources/geo", None, None)
            .await
            .json();
    assert_eq!(entry["layers"], 2);
    assert!(entry["last_sync"]["error"].is_null());
    assert!(entry["last_sync"]["succeeded_at"].is_string());

    // The server changes: one title, one layer gone, one new.
    h.script.serve(&[
        ("ws:public", "Public layer (2026)"),
        ("ws:rivers", "Rivers"),
    ]);
    let next = h.preview("geo").await;
    assert_eq!(titles(&next["diff"]["added"]), ["Rivers"]);
    assert_eq!(titles(&next["diff"]["removed"]), ["Roads"]);
    assert_eq!(titles(&next["diff"]["changed"]), ["Public layer (2026)"]);
    assert_eq!(next["diff"]["changed"][0]["fields"], json!(["title"]));
    assert_eq!(h.apply("geo", &next["token"]).await.status, 200);
    assert_eq!(h.catalogue("geo").await, ["geo-public", "geo-rivers"]);
    assert_eq!(h.get_map("geo", "roads").await.status, 404);
    let audit = h.s.audit("?action=source.sync").await;
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0]["target"], "source:geo");
    assert_eq!(audit[0]["username"], "ann");
    assert_eq!(titles(&audit[0]["after"]["diff"]["removed"]), ["Roads"]);
    assert_eq!(audit[0]["before"]["layers"], 2);
}

#[tokio::test]
async fn applying_a_preview_after_another_sync_is_refused_with_409() {
    let h = harness().await;
    h.create(h.source("geo", "ok")).await;
    let old = h.preview("geo").await;
    h.script.serve(&[("ws:rivers", "Rivers")]);
    let newer = h.preview("geo").await;
    assert_eq!(h.apply("geo", &newer["token"]).await.status, 200);
    let late = h.apply("geo", &old["token"]).await;
    assert_eq!(late.status, 409);
    assert_eq!(
        late.json()["message"],
        "the catalogue changed since the preview, preview again"
    );
    assert_eq!(
        h.catalogue("geo").await,
        ["geo-rivers"],
        "the late preview changed nothing"
    );
    for token in [newer["token"].clone(), json!("not-a-token")] {
        let again = h.apply("geo", &token).await;
        assert_eq!(again.status, 409);
        assert!(
            again.json()["message"]
                .as_str()
                .unwrap()
                .contains("preview again")
        );
    }
    // A token is only good for its own source.
    h.create(h.source("other", "ok")).await;
    let other = h.preview("other").await;
    assert_eq!(fields(&h.apply("geo", &other["token"]).await), ["preview"]);
    assert_eq!(h.apply("other", &other["token"]).await.status, 200);
    // A source edited since its preview: preview again.
    let etag =
        h.s.as_admin("GET", "/api/admin/sources/geo", None, None)
            .await;
    let etag = etag.header("etag").unwrap().to_owned();
    let before_edit = h.preview("geo").await;
    let mut moved = h.source("geo", "ok");
    moved["timeout_s"] = json!(5);
    assert_eq!(
        h.s.as_admin("PUT", "/api/admin/sources/geo", Some(&etag), Some(moved))
            .await
            .status,
        200
    );
    assert_eq!(h.apply("geo", &before_edit["token"]).await.status, 409);
    assert_eq!(h.s.audit("?action=source.sync").await.len(), 2);
}

#[tokio::test]
async fn a_deleted_source_takes_its_layers_out_of_the_catalogue_and_the_proxy() {
    let h = harness().await;
    let etag = h.create(h.source("geo", "ok")).await;
    let preview = h.preview("geo").await;
    assert_eq!(h.apply("geo", &preview["token"]).await.status, 200);
    assert_eq!(h.catalogue("geo").await.len(), 2);
    assert_eq!(h.get_map("geo", "public").await.status, 200);
    let deleted =
        h.s.as_admin("DELETE", "/api/admin/sources/geo", Some(&etag), None)
            .await;
    assert_eq!(deleted.status, 200, "{}", text(&deleted.body));
    assert_eq!(deleted.json()["layers_removed"], 2);
    assert!(h.catalogue("geo").await.is_empty());
    assert_eq!(h.get_map("geo", "public").await.status, 404);
    assert_eq!(
        h.s.as_admin("GET", "/api/admin/sources/geo", None, None)
            .await
            .status,
        404
    );
    let stored = h.s.store.ogc_layers().await.unwrap();
    assert!(
        !stored.iter().any(|l| l.source == "geo"),
        "its layers left the store too"
    );
    let audit = h.s.audit("?action=source.delete").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["before"]["layers_removed"], 2);
    assert_eq!(audit[0]["before"]["source"]["id"], "geo");
    assert!(audit[0]["after"].is_null());
    // The id is free again, and the new source starts with no layers.
    h.create(h.source("geo", "ok")).await;
    assert!(h.catalogue("geo").await.is_empty());
}

#[tokio::test]
async fn the_openapi_document_describes_every_sources_route() {
    let h = harness().await;
    let doc =
        h.s.call("GET", "/api/openapi.json", None, &[], None)
            .await
            .json();
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/admin/sources", &["get", "post"][..]),
        ("/api/admin/sources/{id}", &["get", "put", "delete"][..]),
        ("/api/admin/sources/test", &["post"][..]),
        ("/api/admin/sources/{id}/sync/preview", &["post"][..]),
        ("/api/admin/sources/{id}/sync/apply", &["post"][..]),
    ] {
        for m in methods {
            assert!(paths[path].get(*m).is_some(), "{m} {path} missing");
        }
    }
    for schema in [
        "SourceSpec",
        "SourceEntry",
        "SourceList",
        "SourceTest",
        "SyncPreview",
        "SyncApplied",
    ] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "{schema}"
        );
    }
}
