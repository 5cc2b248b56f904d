//! Real peers started by integration tests on 127.0.0.1: MapServer as the stand-in for GeoServer,
//! and an OpenID Connect provider as the stand-in for Keycloak.
//!
//! [`oidc::OidcProvider`] runs npm's `oidc-provider` under Node.js, configured to
//! look like the Keycloak realm `indigeo`: Keycloak's endpoint paths, RS256 JWT access tokens
//! with Keycloak's claims (`realm_access`, `resource_access`, `groups`, ...), four test users,
//! a confidential client `kartenn` and a public one `kartenn-cli`, a password grant, a login form
//! with Keycloak's element ids and logout without confirmation. Its module documentation lists
//! the users and what differs from Keycloak.
//!
//! [`MapServer`] runs Debian's MapServer 8 (`mapserv`, as a CGI) behind Debian's lighttpd on a
//! free loopback port, with the mapfile `peers/mapserver/kartenn.map`: WMS 1.3.0 (and 1.1.1)
//! and WFS 2.0 over the demo data of Brittany, a layer group, a layer with a `time` dimension
//! and a layer the proxy tests treat as private. Its endpoint is [`MapServer::url`]
//! (`http://127.0.0.1:PORT/ows`): clients never pass `map=` (it is refused).
//!
//! | WMS name | WFS type | geometry | fields | notes |
//! |---|---|---|---|---|
//! | `communes` | `ms:communes` | (multi)polygon | `code`, `nom`, `population` (int), `departement_id` | 1 202 features, legend "Commune" |
//! | `littoral` | — | group | — | children `coastline`, `mairies` |
//! | `coastline` | `ms:coastline` | line | `bin`, `level` (int) | in group `littoral` |
//! | `mairies` | `ms:mairies` | point | `code`, `nom`, `population` (int) | in group `littoral` |
//! | `observations` | `ms:observations` | point | `id` (int), `station`, `observed` (date-time), `value` (real) | TIME `2024-06-01T00:00:00Z/2024-06-05T18:00:00Z/PT6H`, default `2024-06-01T00:00:00Z` |
//! | `private_sites` | `ms:private_sites` | point | `id` (int), `nom`, `niveau` | 3 features; "forbidden" for proxy tests |
//!
//! `observations` (`peers/mapserver/observations.geojson`) holds 40 points: at each of the 20
//! instants, one at the fixed station `brest` ([`MapServer::BREST`], -4.49 48.39) and one buoy
//! `bouee-NN` moving east along latitude 47.6 (longitude -4.5 + 0.15·NN).
//!
//! # What differs from GeoServer
//!
//! Observed on MapServer 8.0.0 (Debian), GDAL's GeoJSON driver, lighttpd 1.4.69. The GeoServer
//! side is GeoServer's usual behaviour with default settings; check against a real one before
//! relying on a detail of it.
//!
//! **Names.** WMS layer names have no workspace: `communes`, where GeoServer says
//! `kartenn:communes` (unprefixed only on a workspace's virtual endpoint). WFS type names are
//! `ms:communes` (namespace `http://mapserver.gis.umn.edu/mapserver`), GeoServer's
//! `workspace:name`; MapServer also accepts `TYPENAMES=communes`. The root WMS layer has a
//! Title and no Name (as GeoServer), only because the mapfile sets `wms_rootlayer_name ""`.
//!
//! **Layer group.** A MapServer `GROUP` is a nested `<Layer queryable="1">` with its own
//! `<Name>littoral</Name>`, title (`wms_group_title`), a `Style` with a LegendURL, no CRS or
//! bounding box of its own, and the children inside it: like a GeoServer group in "named tree"
//! mode, unlike "single" mode (one opaque layer without children). `LAYERS=littoral` draws both
//! children.
//!
//! **GeoJSON (GetFeatureInfo `INFO_FORMAT=application/json`, WFS `OUTPUTFORMAT=application/json`,
//! both also as `geojson`).** The collection is only
//! `{"type": "FeatureCollection", "name": "communes", "features": [...]}`: a `name` member
//! (the layer), no `totalFeatures`, `numberReturned` or `timeStamp`, and `numberMatched` only in
//! WFS answers that read every match (`"numberMatched": 40` without `COUNT` or with a `COUNT`
//! above the total; absent with `COUNT=3` and in GetFeatureInfo); a `crs`
//! member only when the output CRS is not EPSG:4326
//! (`"crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:EPSG::3857" } }`).
//! Features have no `id` member (GeoServer: `"id": "communes.1"`) and no `geometry_name`;
//! a field called `id` stays an ordinary property. Property types follow the data only because
//! the mapfile says `gml_types "auto"`: without it every value is a string (`"value": "14"`);
//! date-times are strings `"2024-06-01T00:00:00Z"` (GeoServer: `"2024-06-01T00:00:00Z"` too,
//! sometimes with `.000`). A one-part MultiPolygon comes out as `"Polygon"` (MapServer keeps
//! rings, not parts). Coordinates are longitude, latitude even in EPSG:4326 (as GeoServer's
//! GeoJSON), with up to 15 decimals. GetFeatureInfo geometries are in the request's CRS.
//! An empty result is `"features": [ ]`, HTTP 200.
//!
//! **GeoJSON is one layer per document.** GetFeatureInfo with `QUERY_LAYERS=communes,observations`
//! (or the group `littoral`) and `INFO_FORMAT=application/json` writes the first layer's
//! collection, then fails: the body (HTTP 200, `Content-Type: application/json`) is that JSON
//! followed by a second CGI header and a ServiceExceptionReport
//! `msOGRWriteFromQuery(): ... OGR OGR_DS_CreateLayer failed for layer 'observations' with driver 'GEOJSON'`.
//! GeoServer returns one collection with the features of all layers. Query one layer per
//! request with MapServer (or use `application/vnd.ogc.gml` / `text/plain`, which handle several).
//! WFS with `TYPENAMES=ms:private_sites,ms:observations` and JSON likewise sends one collection
//! (`observations`, the first in mapfile order) then, inside the same HTTP 200 body,
//! `Status: 400` and an `ows:ExceptionReport` (`exceptionCode="NoApplicableCode"`).
//!
//! **WFS `RESULTTYPE=hits`** works in GML (`numberMatched="40" numberReturned="0"`), but with
//! `OUTPUTFORMAT=application/json` mapserv dies (signal 11): lighttpd answers HTTP 200,
//! `Content-Type: application/json`, `Content-Length: 0`. Without `RESULTTYPE=hits`,
//! `numberMatched="unknown"` in GML. GeoServer answers hits with counts in any format.
//!
//! **Exceptions.** WMS: HTTP **200**, `Content-Type: text/xml; charset=UTF-8`,
//! `<ServiceExceptionReport version="1.3.0" xmlns="http://www.opengis.net/ogc">` with
//! `<ServiceException code="LayerNotDefined">msWMSLoadGetMapParams(): WMS server error. Invalid layer(s) given in the LAYERS parameter. ...`
//! (GeoServer: also 200 and an XML report, `code="LayerNotDefined"`, `text/xml` in 1.3.0).
//! The same for an unknown CRS (`code="InvalidSRS"`), an unknown legend layer, a missing
//! parameter. WFS 2.0: HTTP **400**, `<ows:ExceptionReport version="2.0.0">` with
//! `<ows:Exception exceptionCode="InvalidParameterValue" locator="typename">`. A request
//! without a query string, or with `map=`, gets an HTML page (`Content-Type: text/html`,
//! HTTP 200) "MapServer Message" instead of an OGC report.
//!
//! **TIME (WMS).** Capabilities:
//! `<Dimension name="time" units="ISO8601" default="2024-06-01T00:00:00Z" nearestValue="0">2024-06-01T00:00:00Z/2024-06-05T18:00:00Z/PT6H</Dimension>`
//! (GeoServer lists instants by default, `2024-06-01T00:00:00.000Z,...`, `default="current"`).
//! GetMap and GetFeatureInfo accept an instant, a list (`a,b`) and a range (`a/b`, inclusive);
//! a date alone (`2024-06-02`) matches only `2024-06-02T00:00:00Z`. An instant inside the extent
//! but off the 6 h grid (`2024-06-01T03:00:00Z`) matches nothing (no nearest-value search).
//! Without `TIME` the default instant applies. A TIME outside the extent or unparsable (`foo`)
//! is **silently replaced by the default**, because the layer has `wms_timedefault`; without
//! it MapServer answers `<ServiceException code="InvalidDimensionValue">msWMSApplyTime: WMS server error. Time value(s) foo given is invalid or outside the time extent defined (...)`
//! (HTTP 200), and draws every feature when `TIME` is absent.
//!
//! **TIME (WFS).** The `TIME` parameter is ignored by WFS (all 40 observations). Filter with
//! FES instead: `<fes:During><fes:ValueReference>observed</fes:ValueReference><gml:TimePeriod>`
//! with begin/end positions works (bounds included); `PropertyIsEqualTo` against the literal
//! `2024-06-02T06:00:00Z` matches nothing.
//!
//! **GetLegendGraphic.** Supported (PNG, JPEG), for layers and for the group, drawn with
//! MapServer's built-in font. In WMS 1.3.0 it requires `SLD_VERSION=1.1.0` (else
//! `Missing required parameter SLD_VERSION`); GeoServer does not, and also offers
//! `LEGEND_OPTIONS` and `application/json` legends, which MapServer ignores / lacks. The
//! capabilities' LegendURLs carry `sld_version=1.1.0`.
//!
//! **OnlineResource URLs.** Computed by MapServer per request: `http://127.0.0.1:PORT/ows?`
//! (with the trailing `?`). From the `Host` header it keeps the name but always appends the
//! server's own port (`Host: kartenn.example.org:8080` → `http://kartenn.example.org:PORT/ows?`);
//! `X-Forwarded-Host`/`-Proto`/`-Port` are honoured only together (`proxy.example.org`, `https`,
//! `443` → `https://proxy.example.org/ows?`), and a port inside `X-Forwarded-Host` gives a broken
//! `http://proxy.example.org:8443:PORT/ows?`. GeoServer uses its Proxy Base URL setting. A
//! proxy must rewrite these URLs either way.
//!
//! **Other.** `MaxWidth`/`MaxHeight` 4096. WMS 1.3.0 EPSG:4326 bounding boxes are latitude
//! first (as GeoServer). The data file `mairies.fgb` has 13 town halls with a positive
//! longitude (sign lost upstream, e.g. Carnac at 3.078 47.585); MapServer serves them as is.

pub mod mapserver;
pub mod oidc;

pub use mapserver::MapServer;

/// A loopback port free at the time of asking (another process may take it before the caller
/// binds it).
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}
