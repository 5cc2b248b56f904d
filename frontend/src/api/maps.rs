//! Client of the saved-maps API (`/api/maps/…`, `/api/admin/maps/…`): list, open, save,
//! rename / move (a whole `PUT` with `If-Match`), delete, folders, the landing map; and the
//! conversion between a saved [`MapState`] and the viewer's [`Permalink`], so a saved map is
//! applied by the permalink code like a link. Changes carry the session's `X-CSRF-Token`.

use gloo::net::http::Request;
use kartenn_common::maps::{
    AdminMapList, FolderBody, MapBody, MapCompare, MapFolder, MapLayer, MapList, MapState, MapTime,
    MapView, SavedMap,
};
use kartenn_engine::permalink::{CompareLink, LayerLink, Permalink, ViewLink};
use kartenn_engine::time::timeline::Selection;

use super::{
    ApiFailure, answer, delete_versioned, encode_component, etag, get_json, guarded, network,
    post_json, put_json,
};

pub async fn list() -> Result<MapList, ApiFailure> {
    get_json("/api/maps").await
}

pub async fn get(id: &str) -> Result<SavedMap, ApiFailure> {
    get_json(&format!("/api/maps/{}", encode_component(id))).await
}

/// The landing map (`Err` with status 404 when none is set).
pub async fn default_map() -> Result<SavedMap, ApiFailure> {
    get_json("/api/maps/default").await
}

pub async fn create(body: &MapBody, csrf: Option<&str>) -> Result<SavedMap, ApiFailure> {
    post_json("/api/maps", body, csrf).await
}

/// Replaces map `id` (read at `version`).
pub async fn update(
    id: &str,
    version: i64,
    body: &MapBody,
    csrf: Option<&str>,
) -> Result<SavedMap, ApiFailure> {
    let url = format!("/api/maps/{}", encode_component(id));
    put_json(&url, &etag(version), body, csrf).await
}

pub async fn delete(id: &str, version: i64, csrf: Option<&str>) -> Result<(), ApiFailure> {
    let url = format!("/api/maps/{}", encode_component(id));
    delete_versioned(&url, &etag(version), csrf).await
}

pub async fn create_folder(name: &str, csrf: Option<&str>) -> Result<MapFolder, ApiFailure> {
    let body = FolderBody {
        name: name.to_owned(),
    };
    post_json("/api/maps/folders", &body, csrf).await
}

/// Deletes a folder; its maps go to no folder.
pub async fn delete_folder(id: i64, version: i64, csrf: Option<&str>) -> Result<(), ApiFailure> {
    delete_versioned(
        &format!("/api/maps/folders/{id}?move_to=none"),
        &etag(version),
        csrf,
    )
    .await
}

pub async fn admin_list() -> Result<AdminMapList, ApiFailure> {
    get_json("/api/admin/maps").await
}

pub async fn admin_move(
    id: &str,
    version: i64,
    folder: Option<i64>,
    csrf: Option<&str>,
) -> Result<SavedMap, ApiFailure> {
    let url = format!("/api/admin/maps/{}/folder", encode_component(id));
    put_json(
        &url,
        &etag(version),
        &serde_json::json!({ "folder": folder }),
        csrf,
    )
    .await
}

pub async fn admin_delete(id: &str, version: i64, csrf: Option<&str>) -> Result<(), ApiFailure> {
    let url = format!("/api/admin/maps/{}", encode_component(id));
    delete_versioned(&url, &etag(version), csrf).await
}

pub async fn set_default(map: Option<&str>, csrf: Option<&str>) -> Result<(), ApiFailure> {
    let request = guarded(Request::put("/api/admin/default-map"), csrf)
        .json(&serde_json::json!({ "map": map }))
        .map_err(network)?;
    answer(request).await.map(drop)
}

/// The map's link: `<origin>/?map=<id>`.
pub fn link(origin: &str, id: &str) -> String {
    format!("{origin}/?map={}", encode_component(id))
}

/// The `map` parameter of a query string (`?map=<id>&…`), if any.
pub fn map_param(search: &str) -> Option<String> {
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("map="))
        .filter(|id| {
            !id.is_empty()
                && id.len() <= 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned)
}

/// A saved state as a permalink (what the viewer restores).
pub fn to_permalink(state: &MapState) -> Permalink {
    let time = state.time.as_ref().and_then(|t| match t {
        MapTime::Instant { at } => Selection::parse(at),
        MapTime::Period { start, end } => Selection::parse(&format!("{start}/{end}")),
    });
    let compare = state
        .compare
        .as_ref()
        .and_then(|c| match Selection::parse(&c.time)? {
            Selection::At(time) => Some(CompareLink {
                layer: c.layer.clone(),
                time,
                divider: c.divider,
            }),
            Selection::Between(..) => None,
        });
    Permalink {
        view: Some(ViewLink {
            zoom: state.view.zoom,
            lat: state.view.lat,
            lon: state.view.lon,
        }),
        layers: Some(
            state
                .layers
                .iter()
                .map(|l| LayerLink {
                    id: l.id.clone(),
                    visible: l.visible,
                    opacity: l.opacity,
                    time: l.time.clone(),
                })
                .collect(),
        ),
        basemap: Some(state.basemap.and_then(|b| usize::try_from(b).ok())),
        time,
        compare,
    }
}

/// The viewer's current permalink as a state to save (`fallback`: the view when the map has
/// not reported one yet).
pub fn from_permalink(link: &Permalink, fallback: MapView) -> MapState {
    let view = link.view.map_or(fallback, |v| MapView {
        zoom: v.zoom.clamp(0.0, 30.0),
        lat: v.lat.clamp(-90.0, 90.0),
        lon: v.lon.clamp(-180.0, 180.0),
    });
    let time = link.time.map(|s| match s {
        Selection::At(_) => MapTime::Instant { at: s.format() },
        Selection::Between(a, b) => MapTime::Period {
            start: Selection::At(a).format(),
            end: Selection::At(b).format(),
        },
    });
    MapState {
        view,
        layers: link
            .layers
            .iter()
            .flatten()
            .map(|l| MapLayer {
                id: l.id.clone(),
                visible: l.visible,
                opacity: l.opacity.clamp(0.0, 1.0),
                style: None,
                time: l.time.clone(),
            })
            .collect(),
        basemap: link
            .basemap
            .unwrap_or(Some(0))
            .and_then(|b| u32::try_from(b).ok()),
        time,
        compare: link.compare.as_ref().map(|c| MapCompare {
            layer: c.layer.clone(),
            time: Selection::At(c.time).format(),
            divider: c.divider,
        }),
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp, reason = "values read back exactly")]
mod tests {
    use super::*;

    #[test]
    fn a_permalink_survives_a_trip_through_a_saved_state() {
        let link = Permalink::decode(
            "#map=9/48.3/-4.3&layers=b@40~2024-06-02T06:00:00Z,!a&base=none\
             &time=2024-06-01T06:00:00Z/2024-06-03T00:00:00Z&compare=b~2024-06-01T00:00:00Z~30",
        );
        let fallback = MapView {
            zoom: 1.0,
            lat: 0.0,
            lon: 0.0,
        };
        let state = from_permalink(&link, fallback);
        assert_eq!(state.view.zoom, 9.0);
        assert_eq!(state.layers[0].opacity, 0.4);
        assert!(!state.layers[1].visible);
        assert_eq!(state.basemap, None);
        assert!(matches!(state.time, Some(MapTime::Period { .. })));
        assert_eq!(to_permalink(&state), link);
    }

    #[test]
    fn the_map_parameter_is_read_from_the_query_and_checked() {
        assert_eq!(map_param("?map=abc_DEF-1"), Some("abc_DEF-1".to_owned()));
        assert_eq!(map_param("?x=1&map=z9"), Some("z9".to_owned()));
        assert_eq!(map_param("?map=a%20b"), None);
        assert_eq!(map_param(""), None);
        assert_eq!(
            link("https://k.example", "abc"),
            "https://k.example/?map=abc"
        );
    }
}
