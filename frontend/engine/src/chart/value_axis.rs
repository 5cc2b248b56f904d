//! The chart's value scales: a domain widened to nice numbers (1, 2, 5 × 10ⁿ steps) around the
//! values in view, its ticks, and labels with just the decimals the step needs.

/// CSS px between two value ticks, about.
const TICK_SPACING_PX: f64 = 40.0;

/// A value domain with nice bounds and step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueScale {
    pub min: f64,
    pub max: f64,
    pub step: f64,
}

/// The nice step (1, 2, 5 × 10ⁿ) at or above `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 + 1e-9 {
        1.0
    } else if fraction <= 2.0 + 1e-9 {
        2.0
    } else if fraction <= 5.0 + 1e-9 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

impl ValueScale {
    /// A scale showing `[lo, hi]` over `height_px` CSS px, bounds rounded out to the step. A
    /// single value gets room around it; nothing at all gives 0 to 1.
    pub fn fit(lo: f64, hi: f64, height_px: f64) -> Self {
        let (lo, hi) = match (lo.is_finite(), hi.is_finite()) {
            (true, true) if hi > lo => (lo, hi),
            (true, _) => {
                let pad = (lo.abs() * 0.1).max(1.0);
                (lo - pad, lo + pad)
            }
            _ => (0.0, 1.0),
        };
        let count = (height_px / TICK_SPACING_PX).floor().max(2.0);
        let step = nice_step((hi - lo) / count);
        Self {
            min: (lo / step).floor() * step,
            max: (hi / step).ceil() * step,
            step,
        }
    }

    /// The tick values, `min` to `max` by `step` (free of accumulated rounding).
    pub fn ticks(&self) -> Vec<f64> {
        let (first, last) = (
            (self.min / self.step).round() as i64,
            (self.max / self.step).round() as i64,
        );
        (first..=last.min(first + 100))
            .map(|k| k as f64 * self.step)
            .collect()
    }

    /// Decimals that tell ticks of this step apart.
    pub fn decimals(&self) -> usize {
        (-(self.step.log10() + 1e-9).floor()).clamp(0.0, 10.0) as usize
    }

    /// A tick's label.
    pub fn label(&self, value: f64) -> String {
        let text = format!("{value:.*}", self.decimals());
        if text.trim_start_matches(['-', '0', '.']).is_empty() {
            // Never "-0" or "-0.0".
            text.trim_start_matches('-').to_owned()
        } else {
            text
        }
    }

    /// The y (CSS px) of `value` on a plot from `top` to `bottom`.
    pub fn y(&self, value: f64, top: f64, bottom: f64) -> f64 {
        bottom - (value - self.min) / (self.max - self.min) * (bottom - top)
    }
}

/// A measured value for people: at most four decimals, trailing zeros dropped.
pub fn format_value(value: f64) -> String {
    let text = format!("{value:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(0.13), 0.2);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(7.0), 10.0);
        assert_eq!(nice_step(20.0), 20.0);
        assert_eq!(nice_step(0.0), 1.0);
    }

    #[test]
    fn temperatures_in_fahrenheit_get_ticks_every_twenty_degrees() {
        let scale = ValueScale::fit(10.94, 98.06, 200.0);
        assert_eq!((scale.min, scale.max, scale.step), (0.0, 100.0, 20.0));
        assert_eq!(scale.ticks(), [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(scale.label(40.0), "40");
    }

    #[test]
    fn small_steps_get_the_decimals_they_need_and_no_negative_zero() {
        let scale = ValueScale::fit(-0.03, 0.41, 200.0);
        assert_eq!(scale.step, 0.1);
        assert_eq!(scale.decimals(), 1);
        let labels: Vec<String> = scale.ticks().iter().map(|v| scale.label(*v)).collect();
        assert_eq!(labels, ["-0.1", "0.0", "0.1", "0.2", "0.3", "0.4", "0.5"]);
    }

    #[test]
    fn a_flat_series_gets_room_around_its_value_and_nothing_gets_zero_to_one() {
        let flat = ValueScale::fit(1013.0, 1013.0, 200.0);
        assert!(flat.min < 1013.0 && flat.max > 1013.0, "{flat:?}");
        let none = ValueScale::fit(f64::INFINITY, f64::NEG_INFINITY, 200.0);
        assert_eq!((none.min, none.max), (0.0, 1.0));
    }

    #[test]
    fn values_map_to_y_with_the_minimum_at_the_bottom() {
        let scale = ValueScale::fit(0.0, 100.0, 200.0);
        assert_eq!(scale.y(scale.min, 10.0, 210.0), 210.0);
        assert_eq!(scale.y(scale.max, 10.0, 210.0), 10.0);
    }

    #[test]
    fn measured_values_are_written_without_trailing_zeros() {
        assert_eq!(format_value(39.02), "39.02");
        assert_eq!(format_value(1013.0), "1013");
        assert_eq!(format_value(-0.000_01), "0");
        assert_eq!(format_value(0.123_456), "0.1235");
    }
}
