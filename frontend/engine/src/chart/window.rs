//! The visible time range of the chart and how gestures move it: wheel zoom around the cursor
//! (the instant under it stays under it), drag pan, keys, reset to the full extent. The range
//! never leaves the data's extent, never gets narrower than [`MIN_SPAN_MS`], and its ends are
//! whole milliseconds (the range asked of the server is the range shown).

use super::calendar::DAY;

/// The narrowest range the chart zooms to.
pub const MIN_SPAN_MS: f64 = 10_000.0;
/// What a chart of a single instant shows around it.
const SINGLE_INSTANT_SPAN_MS: f64 = DAY;
/// Zoom factor of one key press or button (in or out: its inverse).
pub const STEP_ZOOM: f64 = 0.5;
/// Share of the range one arrow key pans.
pub const KEY_PAN_SHARE: f64 = 0.1;

/// The data's extent and the part of it in view (Unix ms).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeWindow {
    extent: [f64; 2],
    visible: [f64; 2],
}

/// A valid extent: ordered, finite, whole milliseconds (rounded outwards), never narrower than
/// the minimum span (widened around its middle).
fn normalise(extent: [f64; 2]) -> [f64; 2] {
    let [a, b] = extent;
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    let (a, b) = (a.floor(), b.ceil());
    if !(a.is_finite() && b.is_finite()) {
        return [0.0, SINGLE_INSTANT_SPAN_MS];
    }
    let span = b - a;
    let wanted = if span <= 0.0 {
        SINGLE_INSTANT_SPAN_MS
    } else {
        span.max(MIN_SPAN_MS)
    };
    let mid = f64::midpoint(a, b);
    if wanted > span {
        [mid - wanted / 2.0, mid + wanted / 2.0]
    } else {
        [a, b]
    }
}

/// Whether two ranges are the same (whole milliseconds: exact comparison is meant).
fn same(a: [f64; 2], b: [f64; 2]) -> bool {
    a[0].to_bits() == b[0].to_bits() && a[1].to_bits() == b[1].to_bits()
}

impl TimeWindow {
    /// All of `extent` in view.
    pub fn new(extent: [f64; 2]) -> Self {
        let extent = normalise(extent);
        Self {
            extent,
            visible: extent,
        }
    }

    pub fn extent(&self) -> [f64; 2] {
        self.extent
    }

    pub fn visible(&self) -> [f64; 2] {
        self.visible
    }

    pub fn span(&self) -> f64 {
        self.visible[1] - self.visible[0]
    }

    /// Whether all of the extent is in view.
    pub fn is_full(&self) -> bool {
        same(self.visible, self.extent)
    }

    /// A new extent (series added or removed): the range in view is kept as far as it fits.
    pub fn set_extent(&mut self, extent: [f64; 2]) {
        let full = self.is_full();
        self.extent = normalise(extent);
        if full {
            self.visible = self.extent;
        } else {
            self.show(self.visible);
        }
    }

    /// Shows `range`, made to fit: not wider than the extent nor narrower than the minimum,
    /// moved inside the extent. True when the view changed.
    pub fn show(&mut self, range: [f64; 2]) -> bool {
        let [e0, e1] = self.extent;
        let full = e1 - e0;
        let [mut a, mut b] = range;
        if !(a.is_finite() && b.is_finite()) || b < a {
            return false;
        }
        let span = (b - a).clamp(MIN_SPAN_MS.min(full), full);
        let mid = f64::midpoint(a, b);
        a = mid - span / 2.0;
        b = mid + span / 2.0;
        if a < e0 {
            (a, b) = (e0, e0 + span);
        }
        if b > e1 {
            (a, b) = (e1 - span, e1);
        }
        let next = [a.max(e0).round(), b.min(e1).round()];
        let changed = !same(next, self.visible);
        self.visible = next;
        changed
    }

    /// Zooms by `factor` (below 1: in) keeping the instant `anchor` where it is.
    pub fn zoom_at(&mut self, anchor: f64, factor: f64) -> bool {
        if !(factor.is_finite() && factor > 0.0) {
            return false;
        }
        let [a, b] = self.visible;
        let anchor = anchor.clamp(a, b);
        let [e0, e1] = self.extent;
        let span = ((b - a) * factor).clamp(MIN_SPAN_MS.min(e1 - e0), e1 - e0);
        // Where the anchor sits in the range, as a share: kept.
        let share = if b > a { (anchor - a) / (b - a) } else { 0.5 };
        let from = anchor - share * span;
        self.show_exact(from, span)
    }

    /// Moves the range by `dt` ms (positive: later), stopping at the extent's ends.
    pub fn pan_by(&mut self, dt: f64) -> bool {
        let [a, _] = self.visible;
        let span = self.span();
        self.show_exact(a + dt, span)
    }

    /// Back to the full extent.
    pub fn reset(&mut self) -> bool {
        let changed = !self.is_full();
        self.visible = self.extent;
        changed
    }

    /// Shows `[from, from + span]` moved inside the extent, the span kept.
    fn show_exact(&mut self, from: f64, span: f64) -> bool {
        let [e0, e1] = self.extent;
        // Whole milliseconds: the range asked of the server is the range shown.
        let from = from.clamp(e0, (e1 - span).max(e0)).round();
        let next = [from, (from + span).min(e1).round()];
        let changed = !same(next, self.visible);
        self.visible = next;
        changed
    }

    /// The instant at `x` on a plot whose left edge is `left` and width `width` (CSS px).
    pub fn time_at(&self, x: f64, left: f64, width: f64) -> f64 {
        self.visible[0] + (x - left) / width.max(1.0) * self.span()
    }

    /// The x (CSS px) of instant `t` on that plot.
    pub fn x_of(&self, t: f64, left: f64, width: f64) -> f64 {
        left + (t - self.visible[0]) / self.span() * width
    }
}

/// The zoom factor of a wheel turn of `levels` zoom levels (positive: in; see
/// `interaction::wheel_zoom_delta`): each level halves the range.
pub fn wheel_factor(levels: f64) -> f64 {
    (-levels).exp2()
}

/// What a key does to the chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ChartKey {
    /// Pan by this share of the range (positive: later).
    Pan(f64),
    /// Zoom around the middle by this factor.
    Zoom(f64),
    Reset,
}

/// The action of a key (`KeyboardEvent.key`) on the focused chart.
pub fn chart_key(key: &str) -> Option<ChartKey> {
    Some(match key {
        "ArrowLeft" => ChartKey::Pan(-KEY_PAN_SHARE),
        "ArrowRight" => ChartKey::Pan(KEY_PAN_SHARE),
        "+" | "=" => ChartKey::Zoom(STEP_ZOOM),
        "-" | "_" => ChartKey::Zoom(1.0 / STEP_ZOOM),
        "0" | "Home" => ChartKey::Reset,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const YEAR: [f64; 2] = [1_356_998_400_000.0, 1_388_530_800_000.0];

    #[test]
    fn zooming_in_around_the_cursor_keeps_the_instant_under_it() {
        let mut w = TimeWindow::new(YEAR);
        let anchor = YEAR[0] + (YEAR[1] - YEAR[0]) * 0.25;
        let x_before = w.x_of(anchor, 50.0, 800.0);
        assert!(w.zoom_at(anchor, 0.5));
        assert!((w.span() - (YEAR[1] - YEAR[0]) / 2.0).abs() < 1.0);
        assert!((w.x_of(anchor, 50.0, 800.0) - x_before).abs() < 1e-6);
    }

    #[test]
    fn zooming_out_never_goes_beyond_the_extent() {
        let mut w = TimeWindow::new(YEAR);
        w.zoom_at(YEAR[1] - DAY, 0.01);
        assert!(w.visible()[1] <= YEAR[1]);
        w.zoom_at(YEAR[1] - DAY, 1000.0);
        assert_eq!(w.visible(), YEAR);
        assert!(w.is_full());
        // Fully out: zooming out further changes nothing.
        assert!(!w.zoom_at(YEAR[0], 2.0));
    }

    #[test]
    fn zooming_in_stops_at_the_minimum_span() {
        let mut w = TimeWindow::new(YEAR);
        for _ in 0..100 {
            w.zoom_at(YEAR[0] + DAY, 0.5);
        }
        assert!((w.span() - MIN_SPAN_MS).abs() < 1e-3, "{}", w.span());
    }

    #[test]
    fn panning_moves_the_range_and_stops_at_the_ends_keeping_the_span() {
        let mut w = TimeWindow::new(YEAR);
        w.zoom_at(YEAR[0], 0.1);
        let span = w.span();
        assert!(w.pan_by(DAY));
        assert_eq!(w.visible()[0], YEAR[0] + DAY);
        assert!(w.pan_by(-10.0 * DAY));
        assert_eq!(w.visible()[0], YEAR[0]);
        assert!(!w.pan_by(-DAY), "already at the start");
        w.pan_by(1e15);
        assert_eq!(w.visible()[1], YEAR[1]);
        assert!((w.span() - span).abs() < 1e-3);
    }

    #[test]
    fn reset_shows_the_whole_extent_again() {
        let mut w = TimeWindow::new(YEAR);
        w.zoom_at(YEAR[0], 0.2);
        assert!(w.reset());
        assert_eq!(w.visible(), YEAR);
        assert!(!w.reset());
    }

    #[test]
    fn a_single_instant_is_shown_with_a_day_around_it() {
        let w = TimeWindow::new([YEAR[0], YEAR[0]]);
        assert_eq!(w.span(), DAY);
        assert_eq!(w.visible()[0], YEAR[0] - DAY / 2.0);
    }

    #[test]
    fn a_new_extent_keeps_a_zoomed_view_and_follows_a_full_one() {
        let mut w = TimeWindow::new(YEAR);
        w.set_extent([YEAR[0], YEAR[1] + DAY]);
        assert_eq!(w.visible(), [YEAR[0], YEAR[1] + DAY]);
        w.zoom_at(YEAR[0], 0.1);
        let kept = w.visible();
        w.set_extent([YEAR[0] - DAY, YEAR[1]]);
        assert_eq!(w.visible(), kept);
    }

    #[test]
    fn pixels_and_instants_convert_both_ways() {
        let w = TimeWindow::new(YEAR);
        let t = w.time_at(450.0, 50.0, 800.0);
        assert_eq!(t, f64::midpoint(YEAR[0], YEAR[1]));
        assert!((w.x_of(t, 50.0, 800.0) - 450.0).abs() < 1e-9);
    }

    #[test]
    fn a_wheel_level_halves_the_range_and_keys_map_to_actions() {
        assert_eq!(wheel_factor(1.0), 0.5);
        assert_eq!(wheel_factor(-1.0), 2.0);
        assert_eq!(chart_key("ArrowRight"), Some(ChartKey::Pan(KEY_PAN_SHARE)));
        assert_eq!(chart_key("-"), Some(ChartKey::Zoom(2.0)));
        assert_eq!(chart_key("Home"), Some(ChartKey::Reset));
        assert_eq!(chart_key("x"), None);
    }
}
