//! The 2D view: a centre in Web Mercator, a fractional zoom, a viewport size in CSS pixels, and
//! the constraints (zoom range, extent) every change is held to.

use crate::geo::{Coord, Extent, HALF_WORLD};

/// Size of a tile at zoom 0 in the classic XYZ scheme; zoom `z` has `256 * 2^z` pixels of world.
pub const TILE_SIZE: f64 = 256.0;
/// Metres per CSS pixel at zoom 0.
pub const RESOLUTION_Z0: f64 = 2.0 * HALF_WORLD / TILE_SIZE;

/// Limits a view is held to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Constraints {
    pub min_zoom: f64,
    pub max_zoom: f64,
    /// The centre stays inside this extent.
    pub extent: Extent,
}

impl Default for Constraints {
    fn default() -> Self {
        Self {
            min_zoom: 0.0,
            max_zoom: 22.0,
            extent: Extent::WORLD,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct View {
    center: Coord,
    zoom: f64,
    size: [f64; 2],
    constraints: Constraints,
}

impl View {
    pub fn new(center: Coord, zoom: f64, constraints: Constraints) -> Self {
        let mut view = Self {
            center,
            zoom,
            size: [0.0, 0.0],
            constraints,
        };
        view.constrain();
        view
    }

    pub fn center(&self) -> Coord {
        self.center
    }

    pub fn zoom(&self) -> f64 {
        self.zoom
    }

    /// Viewport width and height in CSS pixels.
    pub fn size(&self) -> [f64; 2] {
        self.size
    }

    pub fn constraints(&self) -> &Constraints {
        &self.constraints
    }

    /// Metres per CSS pixel.
    pub fn resolution(&self) -> f64 {
        RESOLUTION_Z0 / self.zoom.exp2()
    }

    pub fn set_size(&mut self, width: f64, height: f64) {
        self.size = [width.max(0.0), height.max(0.0)];
    }

    pub fn set_center(&mut self, center: Coord) {
        self.center = center;
        self.constrain();
    }

    /// The part of the world the viewport shows.
    pub fn extent(&self) -> Extent {
        let res = self.resolution();
        let [w, h] = self.size;
        Extent {
            min_x: self.center.x - w / 2.0 * res,
            min_y: self.center.y - h / 2.0 * res,
            max_x: self.center.x + w / 2.0 * res,
            max_y: self.center.y + h / 2.0 * res,
        }
    }

    /// The world position under a viewport pixel (CSS px from the top-left corner).
    pub fn pixel_to_coord(&self, [px, py]: [f64; 2]) -> Coord {
        let res = self.resolution();
        Coord::new(
            self.center.x + (px - self.size[0] / 2.0) * res,
            self.center.y - (py - self.size[1] / 2.0) * res,
        )
    }

    /// The viewport pixel (CSS px) showing a world position.
    pub fn coord_to_pixel(&self, c: Coord) -> [f64; 2] {
        let res = self.resolution();
        [
            (c.x - self.center.x) / res + self.size[0] / 2.0,
            (self.center.y - c.y) / res + self.size[1] / 2.0,
        ]
    }

    /// Moves the content by `(dx, dy)` CSS pixels, as a drag does.
    pub fn pan_by(&mut self, dx: f64, dy: f64) {
        let res = self.resolution();
        self.center = Coord::new(self.center.x - dx * res, self.center.y + dy * res);
        self.constrain();
    }

    /// Sets the zoom, keeping the world position under `anchor` (CSS px) where it is.
    pub fn zoom_to(&mut self, zoom: f64, anchor: Option<[f64; 2]>) {
        let anchor = anchor.unwrap_or([self.size[0] / 2.0, self.size[1] / 2.0]);
        let fixed = self.pixel_to_coord(anchor);
        self.zoom = zoom.clamp(self.constraints.min_zoom, self.constraints.max_zoom);
        let res = self.resolution();
        self.center = Coord::new(
            fixed.x - (anchor[0] - self.size[0] / 2.0) * res,
            fixed.y + (anchor[1] - self.size[1] / 2.0) * res,
        );
        self.constrain();
    }

    pub fn zoom_by(&mut self, delta: f64, anchor: Option<[f64; 2]>) {
        self.zoom_to(self.zoom + delta, anchor);
    }

    /// Centres on `extent` at the deepest zoom that shows all of it inside `padding` CSS px.
    pub fn fit(&mut self, extent: &Extent, padding: f64) {
        let [w, h] = self.size;
        let (w, h) = ((w - 2.0 * padding).max(1.0), (h - 2.0 * padding).max(1.0));
        let res = (extent.width() / w).max(extent.height() / h);
        let zoom = if res > 0.0 {
            (RESOLUTION_Z0 / res).log2()
        } else {
            self.constraints.max_zoom
        };
        self.center = extent.center();
        self.zoom_to(zoom, None);
    }

    fn constrain(&mut self) {
        let c = &self.constraints;
        self.zoom = self.zoom.clamp(c.min_zoom, c.max_zoom);
        self.center = Coord::new(
            self.center.x.clamp(c.extent.min_x, c.extent.max_x),
            self.center.y.clamp(c.extent.min_y, c.extent.max_y),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::LonLat;

    fn view() -> View {
        let mut v = View::new(
            LonLat::new(-3.0, 48.0).to_mercator(),
            8.0,
            Constraints::default(),
        );
        v.set_size(800.0, 600.0);
        v
    }

    fn close(a: Coord, b: Coord) -> bool {
        (a.x - b.x).abs() < 1e-6 && (a.y - b.y).abs() < 1e-6
    }

    #[test]
    fn pixels_and_coordinates_convert_both_ways() {
        let v = view();
        assert!(close(v.pixel_to_coord([400.0, 300.0]), v.center()));
        let c = v.pixel_to_coord([13.5, 577.25]);
        let [px, py] = v.coord_to_pixel(c);
        assert!((px - 13.5).abs() < 1e-6 && (py - 577.25).abs() < 1e-6);
    }

    #[test]
    fn one_zoom_level_halves_the_resolution() {
        let mut v = view();
        let before = v.resolution();
        v.zoom_by(1.0, None);
        assert!((v.resolution() * 2.0 - before).abs() < 1e-9);
    }

    #[test]
    fn zooming_keeps_the_anchor_still_at_fractional_zoom() {
        let mut v = view();
        let anchor = [123.0, 456.0];
        let under = v.pixel_to_coord(anchor);
        v.zoom_by(1.37, Some(anchor));
        assert!(close(v.pixel_to_coord(anchor), under));
        v.zoom_by(-2.9, Some(anchor));
        assert!(close(v.pixel_to_coord(anchor), under));
    }

    #[test]
    fn dragging_moves_the_content_with_the_pointer() {
        let mut v = view();
        let grabbed = v.pixel_to_coord([100.0, 100.0]);
        v.pan_by(50.0, -20.0);
        assert!(close(v.pixel_to_coord([150.0, 80.0]), grabbed));
    }

    #[test]
    fn zoom_is_held_to_its_range() {
        let mut v = view();
        v.zoom_to(40.0, None);
        assert_eq!(v.zoom(), 22.0);
        v.zoom_by(-100.0, Some([0.0, 0.0]));
        assert_eq!(v.zoom(), 0.0);
    }

    #[test]
    fn the_centre_cannot_leave_the_constraint_extent() {
        let mut v = view();
        v.pan_by(1e9, -1e9);
        let c = v.center();
        assert!(c.x <= HALF_WORLD && c.x >= -HALF_WORLD && c.y.abs() <= HALF_WORLD);
    }

    #[test]
    fn fit_shows_the_whole_extent() {
        let mut v = view();
        let brittany = Extent::from_lonlat_bounds([-5.2, 47.2, -1.0, 48.9]);
        v.fit(&brittany, 10.0);
        let shown = v.extent();
        assert!(shown.min_x <= brittany.min_x && shown.max_x >= brittany.max_x);
        assert!(shown.min_y <= brittany.min_y && shown.max_y >= brittany.max_y);
        // ...and not much more: one dimension is filled up to the padding.
        let fill = (brittany.width() / shown.width()).max(brittany.height() / shown.height());
        assert!(fill > 0.95, "{fill}");
    }
}
