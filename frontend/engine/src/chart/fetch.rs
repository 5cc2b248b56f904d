//! When the chart asks the server again. A series holds the points of one request (a range and
//! at most N points, N = 2 × the plot's width in CSS px: a minimum and a maximum per pixel).
//! A new view is fetched when it leaves that range, or when a downsampled answer has become too
//! coarse for it (zoomed in: fewer than [`MIN_POINTS_PER_PX`] points per pixel); an answer
//! holding every sample of its range serves any zoom inside it. Changes are debounced: the
//! request goes once the view has been still for [`DEBOUNCE_MS`].

/// Quiet time after the last change of view before asking.
pub const DEBOUNCE_MS: f64 = 200.0;
/// Points asked per CSS px of plot width.
pub const POINTS_PER_PX: f64 = 2.0;
/// Below this density a downsampled answer is asked again for the range in view.
pub const MIN_POINTS_PER_PX: f64 = 1.5;
/// A view narrower than this many steps of a regular series is asked with a step of margin.
pub const FEW_SAMPLES: f64 = 16.0;
/// Points asked at most, however wide the plot.
pub const MAX_POINTS: u32 = 8_000;

/// A request for one series' points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Request {
    /// Unix ms, whole.
    pub from: f64,
    pub to: f64,
    /// At most this many points.
    pub points: u32,
}

/// What a series holds: the request answered, and whether the answer had every sample of the
/// range (no downsampling).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Loaded {
    pub request: Request,
    pub complete: bool,
}

/// The request for `visible` on a plot `plot_width` CSS px wide, for a series sampled every
/// `step_ms` (when regular). A view of a few samples only is widened by one step at each end,
/// so the line still reaches the plot's edges (the answer has every sample then, the ones in
/// view the same as for the view alone).
pub fn request_for(visible: [f64; 2], plot_width: f64, step_ms: Option<f64>) -> Request {
    let points = (plot_width * POINTS_PER_PX)
        .round()
        .clamp(2.0, f64::from(MAX_POINTS)) as u32;
    let margin = step_ms
        .filter(|step| step.is_finite() && *step > 0.0)
        .filter(|step| visible[1] - visible[0] < FEW_SAMPLES * step)
        .unwrap_or(0.0);
    Request {
        from: (visible[0] - margin).floor(),
        to: (visible[1] + margin).ceil(),
        points,
    }
}

/// Whether a series holding `loaded` must be fetched again to show `visible` over
/// `plot_width` CSS px.
pub fn needs_fetch(loaded: Option<&Loaded>, visible: [f64; 2], plot_width: f64) -> bool {
    let Some(loaded) = loaded else {
        return true;
    };
    let asked = loaded.request;
    let covered = asked.from <= visible[0].floor() && visible[1].ceil() <= asked.to;
    if !covered {
        return true;
    }
    if loaded.complete {
        return false;
    }
    let loaded_span = (asked.to - asked.from).max(1.0);
    let span = (visible[1] - visible[0]).max(1.0);
    let density = f64::from(asked.points) * (span / loaded_span) / plot_width.max(1.0);
    density < MIN_POINTS_PER_PX
}

/// Debounces changes of view on the caller's clock (ms).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Debounce {
    last_change: Option<f64>,
}

impl Debounce {
    /// The view changed at `now`.
    pub fn changed(&mut self, now: f64) {
        self.last_change = Some(now);
    }

    /// Ms left before the pending change is due (0: due now); `None`: nothing pending.
    pub fn wait(&self, now: f64) -> Option<f64> {
        self.last_change.map(|at| (at + DEBOUNCE_MS - now).max(0.0))
    }

    /// True (once) when a pending change has been still long enough.
    pub fn take(&mut self, now: f64) -> bool {
        if self.wait(now) == Some(0.0) {
            self.last_change = None;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: f64 = 86_400_000.0;
    const YEAR: [f64; 2] = [1_356_998_400_000.0, 1_388_530_800_000.0];

    fn loaded(range: [f64; 2], width: f64, complete: bool) -> Loaded {
        Loaded {
            request: request_for(range, width, None),
            complete,
        }
    }

    #[test]
    fn the_request_asks_two_points_per_pixel_for_whole_milliseconds() {
        let r = request_for([10.4, 99.6], 700.0, None);
        assert_eq!((r.from, r.to, r.points), (10.0, 100.0, 1400));
        assert_eq!(request_for([0.0, 1.0], 1e9, None).points, MAX_POINTS);
    }

    #[test]
    fn a_view_of_a_few_samples_is_asked_with_a_sample_of_margin_at_each_end() {
        let hour = 3_600_000.0;
        let r = request_for(
            [YEAR[0] + 0.25 * hour, YEAR[0] + 0.75 * hour],
            700.0,
            Some(hour),
        );
        assert_eq!(
            (r.from, r.to),
            (YEAR[0] - 0.75 * hour, YEAR[0] + 1.75 * hour)
        );
        // A wide view: exactly the range shown.
        let r = request_for(YEAR, 700.0, Some(hour));
        assert_eq!((r.from, r.to), (YEAR[0], YEAR[1]));
    }

    #[test]
    fn nothing_loaded_is_fetched() {
        assert!(needs_fetch(None, YEAR, 700.0));
    }

    #[test]
    fn the_same_view_is_not_fetched_again() {
        let held = loaded(YEAR, 700.0, false);
        assert!(!needs_fetch(Some(&held), YEAR, 700.0));
    }

    #[test]
    fn zooming_in_a_little_keeps_the_points_and_zooming_in_more_fetches() {
        let held = loaded(YEAR, 700.0, false);
        let span = YEAR[1] - YEAR[0];
        // A wheel notch (0.79): still 2.5 points per pixel.
        let notch = [YEAR[0], YEAR[0] + span * 0.79];
        assert!(!needs_fetch(Some(&held), notch, 700.0));
        // Half the range: one point per pixel, too coarse.
        let half = [YEAR[0], YEAR[0] + span * 0.5];
        assert!(needs_fetch(Some(&held), half, 700.0));
    }

    #[test]
    fn an_answer_with_every_sample_serves_any_zoom_inside_it() {
        let held = loaded(YEAR, 700.0, true);
        assert!(!needs_fetch(
            Some(&held),
            [YEAR[0] + DAY, YEAR[0] + 2.0 * DAY],
            700.0
        ));
    }

    #[test]
    fn a_view_leaving_the_range_held_is_fetched_even_if_complete() {
        let week = [YEAR[0] + 7.0 * DAY, YEAR[0] + 14.0 * DAY];
        let held = loaded(week, 700.0, true);
        assert!(needs_fetch(
            Some(&held),
            [week[0] + DAY, week[1] + DAY],
            700.0
        ));
        assert!(needs_fetch(Some(&held), YEAR, 700.0), "zoomed out");
    }

    #[test]
    fn a_much_wider_plot_fetches_again() {
        let held = loaded(YEAR, 300.0, false);
        assert!(needs_fetch(Some(&held), YEAR, 700.0));
    }

    #[test]
    fn changes_are_debounced_until_the_view_is_still() {
        let mut d = Debounce::default();
        assert_eq!(d.wait(0.0), None);
        assert!(!d.take(0.0));
        d.changed(1000.0);
        d.changed(1100.0);
        assert_eq!(d.wait(1150.0), Some(150.0));
        assert!(!d.take(1250.0));
        assert!(d.take(1300.0));
        assert!(!d.take(1400.0), "taken once");
    }
}
