//! Paints one decoded tile layer onto a canvas through the small [`Canvas`] trait: the browser
//! implements it with Canvas2D, tests with a recorder. Features of a layer are batched into one
//! path per operation (one fill, one stroke), which is what keeps Canvas2D fast.

use crate::mvt::{GeomKind, Layer};
use crate::style::{Paint, Style, Variant};

/// The part of Canvas2D the painter uses. Coordinates are device pixels of the target.
pub trait Canvas {
    fn begin_path(&mut self);
    fn move_to(&mut self, x: f64, y: f64);
    fn line_to(&mut self, x: f64, y: f64);
    /// A full circle.
    fn circle(&mut self, x: f64, y: f64, radius: f64);
    fn fill(&mut self, color: &str);
    fn stroke(&mut self, color: &str, width: f64);
}

/// How tile units map to the target's device pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaintScale {
    /// Device pixels per tile unit.
    pub scale: f64,
    /// The tile-unit position drawn at the target's (0, 0).
    pub origin: [f64; 2],
    /// Device pixels per CSS pixel (for stroke widths and symbol sizes).
    pub pixel_ratio: f64,
}

impl PaintScale {
    /// For a square target `size` device pixels wide showing a whole tile of `extent` units.
    pub fn for_tile(size: f64, extent: u32, pixel_ratio: f64) -> Self {
        Self {
            scale: size / f64::from(extent),
            origin: [0.0, 0.0],
            pixel_ratio,
        }
    }
}

/// Paints every feature of `layer` with `style` at map zoom `zoom`: features are grouped by the
/// paint their style rules give them, each group batched (hidden features are skipped).
pub fn paint_layer(
    layer: &Layer,
    style: &Style,
    zoom: f64,
    at: PaintScale,
    canvas: &mut impl Canvas,
) {
    if !style.has_rules() {
        paint_group(layer, &style.base, at, canvas, |_| true);
        return;
    }
    let variants: Vec<Variant> = layer
        .features
        .iter()
        .map(|f| style.variant(layer, f, zoom))
        .collect();
    let mut distinct = variants.clone();
    distinct.sort_unstable();
    distinct.dedup();
    for variant in distinct {
        if let Some(paint) = style.paint(variant) {
            paint_group(layer, paint, at, canvas, |i| variants[i] == variant);
        }
    }
}

/// Paints the features `keep` selects with one paint: one path per geometry kind.
fn paint_group(
    layer: &Layer,
    paint: &Paint,
    at: PaintScale,
    canvas: &mut impl Canvas,
    keep: impl Fn(usize) -> bool,
) {
    let s = at.scale;
    let [ox, oy] = at.origin;
    let px = |p: [i32; 2]| ((f64::from(p[0]) - ox) * s, (f64::from(p[1]) - oy) * s);
    let stroke_width = paint.stroke_width * at.pixel_ratio;

    for kind in [GeomKind::Polygon, GeomKind::LineString, GeomKind::Point] {
        let mut any = false;
        for (_, feature) in layer
            .features
            .iter()
            .enumerate()
            .filter(|(i, f)| f.kind == kind && keep(*i))
        {
            for path in &feature.geometry {
                let Some((&first, rest)) = path.split_first() else {
                    continue;
                };
                if !any {
                    canvas.begin_path();
                    any = true;
                }
                let (x, y) = px(first);
                if kind == GeomKind::Point {
                    canvas.circle(x, y, paint.point_radius * at.pixel_ratio);
                    continue;
                }
                canvas.move_to(x, y);
                for &p in rest {
                    let (x, y) = px(p);
                    canvas.line_to(x, y);
                }
                // Rings are closed with a segment back to their start, not `closePath`: Chromium's
                // closePath costs time proportional to the path so far, which made a tile of 22 k
                // communes (one path) take 6 s to build instead of 15 ms. Strokes use round
                // joins and caps, so the start vertex looks the same.
                if kind == GeomKind::Polygon && rest.last() != Some(&first) {
                    canvas.line_to(x, y);
                }
            }
        }
        if !any {
            continue;
        }
        if kind != GeomKind::LineString
            && let Some(fill) = &paint.fill
        {
            canvas.fill(fill);
        }
        if let Some(stroke) = &paint.stroke
            && stroke_width > 0.0
        {
            canvas.stroke(stroke, stroke_width);
        }
    }
}

/// A [`Canvas`] that records what it is asked to draw (for tests and frame snapshots).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Recorder {
    pub ops: Vec<String>,
}

impl Canvas for Recorder {
    fn begin_path(&mut self) {
        self.ops.push("begin".into());
    }
    fn move_to(&mut self, x: f64, y: f64) {
        self.ops.push(format!("M {x} {y}"));
    }
    fn line_to(&mut self, x: f64, y: f64) {
        self.ops.push(format!("L {x} {y}"));
    }
    fn circle(&mut self, x: f64, y: f64, radius: f64) {
        self.ops.push(format!("O {x} {y} r{radius}"));
    }
    fn fill(&mut self, color: &str) {
        self.ops.push(format!("fill {color}"));
    }
    fn stroke(&mut self, color: &str, width: f64) {
        self.ops.push(format!("stroke {color} {width}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mvt::{decode, tests::sample_tile};

    #[test]
    fn a_layer_paints_as_one_batched_path_per_geometry_kind() {
        let tile = decode(&sample_tile()).unwrap();
        let mut style = Style::resolve(
            &kartenn_common::LayerStyle::default(),
            kartenn_common::GeometryKind::Point,
        );
        style.base = Paint {
            fill: Some("F".into()),
            stroke: Some("S".into()),
            stroke_width: 1.5,
            point_radius: 2.0,
        };
        let mut rec = Recorder::default();
        // A 512-device-pixel tile at pixel ratio 2: 1/8 pixel per tile unit.
        paint_layer(
            tile.layer("l").unwrap(),
            &style,
            8.0,
            PaintScale::for_tile(512.0, 4096, 2.0),
            &mut rec,
        );
        assert_eq!(
            rec.ops,
            [
                "begin",
                "M 0.375 0.75",
                "L 1 1.5",
                "L 2.5 4.25",
                "L 0.375 0.75",
                "fill F",
                "stroke S 3",
                "begin",
                "O 3.125 2.125 r4",
                "fill F",
                "stroke S 3",
            ]
        );
    }
}
