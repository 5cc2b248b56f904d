//! Kartenn's map engine core, modelled on OpenLayers (view / source / layer / renderer /
//! interaction) and kept free of any browser API so that it is tested natively with
//! `cargo test`. The frontend crate supplies the Canvas2D renderer and the DOM events.

// Tests compare exact values on purpose (bit-identical edges, exact fixtures).
#![cfg_attr(test, allow(clippy::float_cmp))]

pub mod access;
pub mod admin;
pub mod animation;
pub mod catalog;
pub mod chart;
pub mod frame;
pub mod geo;
pub mod geojson;
pub mod hit;
pub mod identify;
pub mod interaction;
pub mod labels;
pub mod mvt;
pub mod overlays;
pub mod paint;
pub mod permalink;
pub mod scale;
pub mod source;
pub mod style;
pub mod table;
pub mod tile_cache;
pub mod tilegrid;
pub mod time;
pub mod view;

pub use geo::{Coord, Extent, LonLat};
pub use tilegrid::TileKey;
pub use view::View;
