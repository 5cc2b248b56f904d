//! Saved maps and their folders (`/api/maps/…`, `/api/admin/maps/…`): the viewer's map state
//! as stored (view, layers bottom first, basemap, time, compare), a saved map with its owner,
//! folder and visibility, and the request bodies. The server checks a state field by field
//! before storing it; the viewer applies it through its permalink code.

use serde::{Deserialize, Serialize};

/// Who may open a saved map: anyone with its link (`public`, also listed to everybody), or
/// its owner (and administrators) only (`private`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Public,
    #[default]
    Private,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Private => "private",
        }
    }

    /// `public` or `private`; anything else `None`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "public" => Some(Self::Public),
            "private" => Some(Self::Private),
            _ => None,
        }
    }
}

/// Where the map looks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct MapView {
    /// 0 to 30.
    pub zoom: f64,
    /// −90 to 90.
    pub lat: f64,
    /// −180 to 180.
    pub lon: f64,
}

/// One layer in the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct MapLayer {
    /// The catalogue's layer id.
    pub id: String,
    pub visible: bool,
    /// 0 to 1.
    pub opacity: f64,
    /// A WMS style name (OGC layers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<String>,
    /// A time chosen for this layer alone (ISO 8601 instant, or `start/end`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

/// The map's time: one instant, or a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum MapTime {
    /// `{"at": "2024-06-01T06:00:00Z"}`.
    Instant { at: String },
    /// `{"start": "…", "end": "…"}` (ISO 8601).
    Period { start: String, end: String },
}

/// Compare mode: `layer` at the map's time on the left of the divider, at `time` on the right.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct MapCompare {
    pub layer: String,
    /// ISO 8601 instant.
    pub time: String,
    /// 0 (left edge) to 1.
    pub divider: f64,
}

/// The viewer's map state, as a saved map keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct MapState {
    pub view: MapView,
    /// Bottom first (at most 500).
    pub layers: Vec<MapLayer>,
    /// The basemap's index in the configuration; `null`: none.
    #[serde(default)]
    pub basemap: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<MapTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare: Option<MapCompare>,
}

/// A saved map without its state (lists).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct MapSummary {
    /// A random URL-safe slug (128 bits): the map's link is `/?map=<id>`.
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub visibility: Visibility,
    /// The owner's user name.
    pub owner: String,
    /// The owner's folder holding it; `null`: none.
    #[serde(default)]
    pub folder: Option<i64>,
    /// That folder's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder_name: Option<String>,
    /// Bumped by each change; `ETag: "<version>"`.
    pub version: i64,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub updated_at: String,
    /// The landing map of the viewer.
    #[serde(default)]
    pub is_default: bool,
}

/// A saved map (`GET /api/maps/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SavedMap {
    #[serde(flatten)]
    pub summary: MapSummary,
    pub state: MapState,
}

/// A user's folder of maps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct MapFolder {
    pub id: i64,
    pub name: String,
    /// The owner's user name.
    pub owner: String,
    /// How many maps it holds.
    pub maps: i64,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// `GET /api/maps`: the caller's folders and maps, then the public maps of others.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct MapList {
    pub folders: Vec<MapFolder>,
    pub mine: Vec<MapSummary>,
    pub public: Vec<MapSummary>,
    /// The landing map's id, when one is set and the caller may open it.
    #[serde(default)]
    pub default: Option<String>,
}

/// `GET /api/admin/maps`: every map of everyone and every folder.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct AdminMapList {
    pub maps: Vec<MapSummary>,
    pub folders: Vec<MapFolder>,
    /// The landing map's id.
    #[serde(default)]
    pub default: Option<String>,
}

/// Body of `POST /api/maps` and `PUT /api/maps/{id}` (a whole map).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct MapBody {
    /// 1 to 200 characters.
    pub title: String,
    /// At most 2000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub visibility: Visibility,
    /// One of the owner's folders; `null`: none.
    #[serde(default)]
    pub folder: Option<i64>,
    pub state: MapState,
}

/// Body of `POST /api/maps/folders` and `PUT /api/maps/folders/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct FolderBody {
    /// 1 to 200 characters.
    pub name: String,
}

/// Body of `PUT /api/admin/maps/{id}/folder`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct MoveBody {
    /// One of the map owner's folders; `null`: none.
    pub folder: Option<i64>,
}

/// Body of `PUT /api/admin/default-map`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct DefaultMapBody {
    /// A public map's id; `null`: no landing map.
    pub map: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_map_reads_back_what_the_server_writes_with_the_summary_flattened() {
        let json = r#"{"id":"abc","title":"T","visibility":"public","owner":"alice",
            "folder":null,"version":1,"created_at":"x","updated_at":"y","is_default":false,
            "state":{"view":{"zoom":9,"lat":48.3,"lon":-4.3},
              "layers":[{"id":"a","visible":false,"opacity":0.4,"time":"2024-06-01"}],
              "basemap":null,"time":{"start":"2024-01-01","end":"2024-02-01"}}}"#;
        let map: SavedMap = serde_json::from_str(json).unwrap();
        assert_eq!(map.summary.visibility, Visibility::Public);
        assert_eq!(map.state.basemap, None);
        assert_eq!(
            map.state.time,
            Some(MapTime::Period {
                start: "2024-01-01".into(),
                end: "2024-02-01".into()
            })
        );
        let back: SavedMap = serde_json::from_value(serde_json::to_value(&map).unwrap()).unwrap();
        assert_eq!(back, map);
    }
}
