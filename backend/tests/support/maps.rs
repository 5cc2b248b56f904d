//! Helpers of the saved-map API tests: a map state and body, users, saving a map and making
//! a folder.

use serde_json::{Value, json};

use super::admin::Setup;
use super::support::Reply;

pub fn state() -> Value {
    json!({
        "view": {"zoom": 9.5, "lat": 48.3, "lon": -4.3},
        "layers": [
            {"id": "open", "visible": true, "opacity": 0.6},
            {"id": "private", "visible": false, "opacity": 1.0, "time": "2024-06-01T06:00:00Z"}
        ],
        "basemap": 0,
        "time": {"start": "2024-01-01", "end": "2024-02-01"}
    })
}

pub fn map(title: &str, visibility: &str) -> Value {
    json!({"title": title, "visibility": visibility, "state": state()})
}

pub fn alice(s: &Setup) -> String {
    s.token("alice", &["chercheur"])
}

pub fn bob(s: &Setup) -> String {
    s.token("bob", &["chercheur"])
}

/// Saves a map as `token`; its id and ETag.
pub async fn save(s: &Setup, token: &str, body: Value) -> (String, String) {
    let reply = s
        .call("POST", "/api/maps", Some(token), &[], Some(body))
        .await;
    assert_eq!(
        reply.status,
        201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let id = reply.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(reply.header("location").unwrap(), format!("/api/maps/{id}"));
    (id, reply.header("etag").unwrap().to_owned())
}

pub async fn folder(s: &Setup, token: &str, name: &str) -> (i64, String) {
    let reply = s
        .call(
            "POST",
            "/api/maps/folders",
            Some(token),
            &[],
            Some(json!({ "name": name })),
        )
        .await;
    assert_eq!(
        reply.status,
        201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    (
        reply.json()["id"].as_i64().unwrap(),
        reply.header("etag").unwrap().to_owned(),
    )
}

pub fn status(reply: &Reply) -> u16 {
    reply.status.as_u16()
}
