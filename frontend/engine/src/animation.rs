//! View animations: zoom around an anchor and pan, eased over a duration, driven by the
//! caller's clock (milliseconds) so they are tested without a browser.

use crate::geo::Coord;
use crate::view::View;

/// Default length of a zoom animation, in milliseconds (as OpenLayers).
pub const ZOOM_DURATION_MS: f64 = 250.0;

/// Ease-out: fast start, gentle landing.
pub fn ease_out(t: f64) -> f64 {
    let t = t.clamp(0.0, 1.0);
    1.0 - (1.0 - t).powi(3)
}

/// An animation of the view towards a zoom (around a fixed screen anchor) and/or a centre.
#[derive(Debug, Clone, PartialEq)]
pub struct Animation {
    start_ms: f64,
    duration_ms: f64,
    from_zoom: f64,
    to_zoom: f64,
    /// Screen point (CSS px) that stays over the same place while zooming.
    anchor: Option<[f64; 2]>,
    from_center: Coord,
    to_center: Option<Coord>,
}

impl Animation {
    /// Zoom to `to_zoom` keeping `anchor` (CSS px; `None`: the centre) in place.
    pub fn zoom(
        view: &View,
        to_zoom: f64,
        anchor: Option<[f64; 2]>,
        now_ms: f64,
        duration_ms: f64,
    ) -> Self {
        let c = view.constraints();
        Self {
            start_ms: now_ms,
            duration_ms,
            from_zoom: view.zoom(),
            to_zoom: to_zoom.clamp(c.min_zoom, c.max_zoom),
            anchor,
            from_center: view.center(),
            to_center: None,
        }
    }

    /// Pan the centre to `to`.
    pub fn pan(view: &View, to: Coord, now_ms: f64, duration_ms: f64) -> Self {
        Self {
            start_ms: now_ms,
            duration_ms,
            from_zoom: view.zoom(),
            to_zoom: view.zoom(),
            anchor: None,
            from_center: view.center(),
            to_center: Some(to),
        }
    }

    /// Fly to a centre and a zoom together (zoom box, "zoom to feature").
    pub fn fly(view: &View, to: Coord, to_zoom: f64, now_ms: f64, duration_ms: f64) -> Self {
        let c = view.constraints();
        Self {
            start_ms: now_ms,
            duration_ms,
            from_zoom: view.zoom(),
            to_zoom: to_zoom.clamp(c.min_zoom, c.max_zoom),
            anchor: None,
            from_center: view.center(),
            to_center: Some(to),
        }
    }

    /// The zoom the animation ends at.
    pub fn target_zoom(&self) -> f64 {
        self.to_zoom
    }

    /// Chains another zoom step onto a running zoom animation (repeated wheel notches or
    /// button presses accumulate instead of restarting from the current zoom).
    pub fn retarget_zoom(
        &mut self,
        view: &View,
        to_zoom: f64,
        anchor: Option<[f64; 2]>,
        now_ms: f64,
    ) {
        *self = Self::zoom(
            view,
            to_zoom,
            anchor.or(self.anchor),
            now_ms,
            self.duration_ms,
        );
    }

    /// Applies the animation at `now_ms`; returns false once finished (the view is then exactly
    /// at the target).
    pub fn step(&self, view: &mut View, now_ms: f64) -> bool {
        let t = if self.duration_ms <= 0.0 {
            1.0
        } else {
            (now_ms - self.start_ms) / self.duration_ms
        };
        let k = ease_out(t);
        if (self.to_zoom - self.from_zoom).abs() > f64::EPSILON || t >= 1.0 {
            let zoom = self.from_zoom + (self.to_zoom - self.from_zoom) * k;
            view.zoom_to(zoom, self.anchor);
        }
        if let Some(to) = self.to_center {
            let from = self.from_center;
            view.set_center(Coord::new(
                from.x + (to.x - from.x) * k,
                from.y + (to.y - from.y) * k,
            ));
        }
        t < 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::LonLat;
    use crate::view::Constraints;

    fn view() -> View {
        let mut v = View::new(
            LonLat::new(-3.0, 48.0).to_mercator(),
            8.0,
            Constraints::default(),
        );
        v.set_size(800.0, 600.0);
        v
    }

    #[test]
    fn a_zoom_animation_eases_to_its_target_and_keeps_the_anchor_still() {
        let mut v = view();
        let anchor = [100.0, 500.0];
        let under = v.pixel_to_coord(anchor);
        let anim = Animation::zoom(&v, 9.0, Some(anchor), 1000.0, 250.0);
        assert!(anim.step(&mut v, 1100.0));
        let mid = v.zoom();
        assert!(
            mid > 8.5 && mid < 9.0,
            "ease-out is past halfway at 40%: {mid}"
        );
        let still = v.pixel_to_coord(anchor);
        assert!((still.x - under.x).abs() < 1e-6 && (still.y - under.y).abs() < 1e-6);
        assert!(!anim.step(&mut v, 1250.0));
        assert_eq!(v.zoom(), 9.0);
    }

    #[test]
    fn zoom_targets_are_held_to_the_constraints() {
        let v = view();
        assert_eq!(
            Animation::zoom(&v, 99.0, None, 0.0, 250.0).target_zoom(),
            22.0
        );
    }

    #[test]
    fn retargeting_accumulates_steps() {
        let mut v = view();
        let mut anim = Animation::zoom(&v, 9.0, None, 0.0, 250.0);
        anim.step(&mut v, 100.0);
        anim.retarget_zoom(&v, anim.target_zoom() + 1.0, None, 100.0);
        assert_eq!(anim.target_zoom(), 10.0);
        assert!(!anim.step(&mut v, 400.0));
        assert_eq!(v.zoom(), 10.0);
    }

    #[test]
    fn a_flight_ends_on_its_centre_and_zoom() {
        let mut v = view();
        let to = LonLat::new(-4.5, 48.4).to_mercator();
        let anim = Animation::fly(&v, to, 11.0, 0.0, 300.0);
        assert!(anim.step(&mut v, 150.0));
        assert!(!anim.step(&mut v, 300.0));
        assert_eq!(v.zoom(), 11.0);
        assert!((v.center().x - to.x).abs() < 1e-6);
    }

    #[test]
    fn a_pan_animation_ends_on_its_target() {
        let mut v = view();
        let to = LonLat::new(-4.0, 48.4).to_mercator();
        let anim = Animation::pan(&v, to, 0.0, 200.0);
        assert!(anim.step(&mut v, 50.0));
        assert!(!anim.step(&mut v, 200.0));
        assert!((v.center().x - to.x).abs() < 1e-6 && (v.center().y - to.y).abs() < 1e-6);
    }
}
