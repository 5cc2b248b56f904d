//! Frame building: from the view, the layers and what the tile caches hold, the ordered list
//! of tile draws for one animation frame. Missing tiles are stood in for by a loaded ancestor
//! (the matching sub-square) or loaded children, so the map never flashes blank while loading.
//! The frontend renderer only composites what the frame lists.

use crate::geo::Extent;
use crate::tile_cache::Status;
use crate::tilegrid::{TileKey, TileRange, tile_zoom};
use crate::view::View;

/// Vector tiles are drawn 512 CSS px wide at integer zooms.
pub const VECTOR_TILE_PX: f64 = 512.0;
/// Raster tiles are drawn 256 CSS px wide at integer zooms.
pub const RASTER_TILE_PX: f64 = 256.0;
/// How many zoom levels up a missing tile looks for a stand-in.
const MAX_ANCESTOR_LEVELS: u8 = 6;

/// A layer as the frame builder sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerSpec {
    pub visible: bool,
    pub opacity: f64,
    pub minzoom: u8,
    pub maxzoom: u8,
    /// Where the layer has data; no tile is asked for elsewhere.
    pub bounds: Option<Extent>,
    /// CSS px a tile is drawn at on integer zooms: 512 for vector tiles, 256 for rasters.
    pub tile_px: f64,
}

/// One tile (or part of one) to composite.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawTile {
    pub layer: usize,
    pub key: TileKey,
    /// Part of the tile to draw, as fractions `[x, y, w, h]` of its side.
    pub src: [f64; 4],
    /// Where to draw it, CSS px `[x, y, w, h]`, edges snapped to device pixels.
    pub dest: [f64; 4],
    pub opacity: f64,
    /// Drawn in place of a wanted tile still loading (an ancestor's part or a child).
    pub stand_in: bool,
}

/// Everything one animation frame needs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    /// In drawing order: layer by layer, bottom first.
    pub draws: Vec<DrawTile>,
    /// Tiles each layer wants at the current view, centre first; index = layer.
    pub wanted: Vec<Vec<TileKey>>,
    /// Wanted tiles not loaded yet.
    pub pending: usize,
}

impl Frame {
    /// True once every wanted tile is loaded, empty or failed.
    pub fn complete(&self) -> bool {
        self.pending == 0
    }
}

/// Tells the frame builder where each layer's tiles stand.
pub trait TileLookup {
    fn status(&self, layer: usize, key: &TileKey) -> Status;
}

/// Builds the frame for `view` on a screen of `pixel_ratio` device pixels per CSS pixel.
pub fn build_frame(
    view: &View,
    pixel_ratio: f64,
    layers: &[LayerSpec],
    tiles: &impl TileLookup,
) -> Frame {
    let mut frame = Frame {
        wanted: vec![Vec::new(); layers.len()],
        ..Frame::default()
    };
    let shown = view.extent();
    let snap = |v: f64| (v * pixel_ratio).round() / pixel_ratio;
    let rect = |key: &TileKey| {
        let e = key.extent();
        let [x0, y0] = view.coord_to_pixel(crate::Coord::new(e.min_x, e.max_y));
        let [x1, y1] = view.coord_to_pixel(crate::Coord::new(e.max_x, e.min_y));
        let (x0, y0, x1, y1) = (snap(x0), snap(y0), snap(x1), snap(y1));
        [x0, y0, x1 - x0, y1 - y0]
    };
    let center_tile = |z: u8| {
        let c = view.center();
        let size = TileKey::size_at(z);
        [
            (c.x + crate::geo::HALF_WORLD) / size,
            (crate::geo::HALF_WORLD - c.y) / size,
        ]
    };

    for (index, layer) in layers.iter().enumerate() {
        if !layer.visible || layer.opacity <= 0.0 {
            continue;
        }
        let Some(z) = tile_zoom(view.zoom(), layer.tile_px, layer.minzoom, layer.maxzoom) else {
            continue;
        };
        let area = match &layer.bounds {
            Some(b) if !b.intersects(&shown) => continue,
            Some(b) => Extent {
                min_x: shown.min_x.max(b.min_x),
                min_y: shown.min_y.max(b.min_y),
                max_x: shown.max_x.min(b.max_x),
                max_y: shown.max_y.min(b.max_y),
            },
            None => shown,
        };
        let Some(range) = TileRange::covering(&area, z) else {
            continue;
        };
        let wanted = range.keys_from_center(center_tile(z));
        let draw = |key: TileKey, src: [f64; 4], dest: [f64; 4], stand_in: bool| DrawTile {
            layer: index,
            key,
            src,
            dest,
            opacity: layer.opacity,
            stand_in,
        };
        let mut stand_ins = Vec::new();
        let mut exact = Vec::new();
        for key in &wanted {
            match tiles.status(index, key) {
                Status::Ready => exact.push(draw(*key, [0.0, 0.0, 1.0, 1.0], rect(key), false)),
                Status::Empty | Status::Failed => {}
                Status::Loading | Status::Absent => {
                    frame.pending += 1;
                    let ancestor = (1..=MAX_ANCESTOR_LEVELS.min(key.z))
                        .filter_map(|up| key.ancestor(key.z - up))
                        .find(|a| matches!(tiles.status(index, a), Status::Ready | Status::Empty));
                    match ancestor {
                        Some(a) if tiles.status(index, &a) == Status::Ready => {
                            stand_ins.push(draw(a, key.rect_in(&a), rect(key), true));
                        }
                        Some(_) => {}
                        None => stand_ins.extend(
                            key.children()
                                .into_iter()
                                .filter(|c| tiles.status(index, c) == Status::Ready)
                                .map(|c| draw(c, [0.0, 0.0, 1.0, 1.0], rect(&c), true)),
                        ),
                    }
                }
            }
        }
        frame.draws.append(&mut stand_ins);
        frame.draws.append(&mut exact);
        frame.wanted[index] = wanted;
    }
    frame
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::LonLat;
    use crate::view::Constraints;
    use std::collections::HashMap;
    use std::fmt::Write;

    #[derive(Default)]
    struct Fake(HashMap<(usize, TileKey), Status>);

    impl TileLookup for Fake {
        fn status(&self, layer: usize, key: &TileKey) -> Status {
            self.0
                .get(&(layer, *key))
                .copied()
                .unwrap_or(Status::Absent)
        }
    }

    fn view(zoom: f64) -> View {
        let mut v = View::new(
            LonLat::new(-3.0, 48.2).to_mercator(),
            zoom,
            Constraints::default(),
        );
        v.set_size(600.0, 400.0);
        v
    }

    fn layer() -> LayerSpec {
        LayerSpec {
            visible: true,
            opacity: 1.0,
            minzoom: 0,
            maxzoom: 14,
            bounds: None,
            tile_px: VECTOR_TILE_PX,
        }
    }

    /// A readable snapshot of a frame.
    fn snapshot(frame: &Frame) -> String {
        let mut out = format!("pending {}\n", frame.pending);
        for d in &frame.draws {
            let _ = writeln!(
                out,
                "L{} {}/{}/{} src {:?} dest {:?}",
                d.layer, d.key.z, d.key.x, d.key.y, d.src, d.dest
            );
        }
        out
    }

    #[test]
    fn a_fully_loaded_view_draws_each_wanted_tile_once_and_is_complete() {
        let v = view(8.0);
        let first = build_frame(&v, 1.0, &[layer()], &Fake::default());
        assert_eq!(first.pending, first.wanted[0].len());
        let mut fake = Fake::default();
        for key in &first.wanted[0] {
            fake.0.insert((0, *key), Status::Ready);
        }
        let frame = build_frame(&v, 1.0, &[layer()], &fake);
        assert!(frame.complete());
        assert_eq!(frame.draws.len(), frame.wanted[0].len());
        // At integer zoom 8, z7 tiles are 512 px wide.
        assert!(
            frame
                .draws
                .iter()
                .all(|d| d.dest[2] == 512.0 && d.key.z == 7)
        );
        assert_eq!(
            snapshot(&frame),
            // Positions checked independently (Python, same formulas): tile 7/62/44 starts at
            // x = -177.87, y = 1.26 CSS px for this view.
            "pending 0\n\
             L0 7/62/44 src [0.0, 0.0, 1.0, 1.0] dest [-178.0, 1.0, 512.0, 512.0]\n\
             L0 7/63/44 src [0.0, 0.0, 1.0, 1.0] dest [334.0, 1.0, 512.0, 512.0]\n\
             L0 7/62/43 src [0.0, 0.0, 1.0, 1.0] dest [-178.0, -511.0, 512.0, 512.0]\n\
             L0 7/63/43 src [0.0, 0.0, 1.0, 1.0] dest [334.0, -511.0, 512.0, 512.0]\n"
        );
    }

    #[test]
    fn a_missing_tile_is_stood_in_for_by_the_matching_quarter_of_its_parent() {
        let v = view(9.0);
        let wanted = build_frame(&v, 1.0, &[layer()], &Fake::default()).wanted[0].clone();
        let missing = wanted[0];
        let parent = missing.ancestor(missing.z - 1).unwrap();
        let mut fake = Fake::default();
        fake.0.insert((0, parent), Status::Ready);
        for key in &wanted[1..] {
            fake.0.insert((0, *key), Status::Ready);
        }
        let frame = build_frame(&v, 1.0, &[layer()], &fake);
        assert_eq!(frame.pending, 1);
        let stand_in = &frame.draws[0];
        assert_eq!(stand_in.key, parent);
        assert_eq!(stand_in.src, missing.rect_in(&parent));
        assert_eq!(frame.draws.len(), wanted.len());
    }

    #[test]
    fn zooming_out_uses_loaded_children_while_the_parent_loads() {
        let v = view(8.0);
        let wanted = build_frame(&v, 1.0, &[layer()], &Fake::default()).wanted[0].clone();
        let mut fake = Fake::default();
        for child in wanted[0].children() {
            fake.0.insert((0, child), Status::Ready);
        }
        let frame = build_frame(&v, 1.0, &[layer()], &fake);
        let from_children: Vec<_> = frame
            .draws
            .iter()
            .filter(|d| d.key.z == wanted[0].z + 1)
            .collect();
        assert_eq!(from_children.len(), 4);
        assert!(from_children.iter().all(|d| d.dest[2] == 256.0));
    }

    #[test]
    fn raster_layers_use_256_pixel_tiles_one_zoom_deeper() {
        let v = view(8.0);
        let raster = LayerSpec {
            tile_px: RASTER_TILE_PX,
            ..layer()
        };
        let frame = build_frame(&v, 1.0, &[layer(), raster], &Fake::default());
        assert!(frame.wanted[0].iter().all(|k| k.z == 7));
        assert!(frame.wanted[1].iter().all(|k| k.z == 8));
    }

    #[test]
    fn hidden_layers_layers_below_their_minzoom_and_layers_out_of_view_want_nothing() {
        let v = view(8.0);
        let hidden = LayerSpec {
            visible: false,
            ..layer()
        };
        let too_shallow = LayerSpec {
            minzoom: 9,
            ..layer()
        };
        let elsewhere = LayerSpec {
            bounds: Some(Extent::from_lonlat_bounds([100.0, 10.0, 101.0, 11.0])),
            ..layer()
        };
        let frame = build_frame(&v, 1.0, &[hidden, too_shallow, elsewhere], &Fake::default());
        assert!(frame.wanted.iter().all(Vec::is_empty));
        assert!(frame.complete());
    }

    #[test]
    fn tile_edges_snap_to_device_pixels_so_neighbours_never_leave_a_seam() {
        let v = view(8.37);
        let frame = build_frame(&v, 1.5, &[layer()], &Fake::default());
        let mut fake = Fake::default();
        for key in &frame.wanted[0] {
            fake.0.insert((0, *key), Status::Ready);
        }
        let frame = build_frame(&v, 1.5, &[layer()], &fake);
        for a in &frame.draws {
            assert!(((a.dest[0] * 1.5) - (a.dest[0] * 1.5).round()).abs() < 1e-9);
            for b in &frame.draws {
                if b.key.x == a.key.x + 1 && b.key.y == a.key.y {
                    assert!((a.dest[0] + a.dest[2] - b.dest[0]).abs() < 1e-9);
                }
            }
        }
    }
}
