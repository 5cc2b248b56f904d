//! The scale bar: a round length (1, 2 or 5 × 10ⁿ metres) that fits a maximum width, measured
//! on the ground at the view's centre latitude (Web Mercator stretches with latitude).

use crate::view::View;

/// A scale bar to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleBar {
    /// Width in CSS px.
    pub width: f64,
    /// Ground length in metres.
    pub metres: f64,
    /// `"500 m"`, `"20 km"`.
    pub label: String,
}

/// The longest round scale bar not wider than `max_width` CSS px.
pub fn scale_bar(view: &View, max_width: f64) -> ScaleBar {
    let lat = view.center().to_lonlat().lat.to_radians();
    let ground_per_px = view.resolution() * lat.cos();
    let max_metres = ground_per_px * max_width;
    let power = 10f64.powf(max_metres.log10().floor());
    let metres = [5.0, 2.0, 1.0]
        .iter()
        .map(|m| m * power)
        .find(|m| *m <= max_metres)
        .unwrap_or(power);
    let label = if metres >= 1000.0 {
        format!("{} km", metres / 1000.0)
    } else if metres >= 1.0 {
        format!("{metres} m")
    } else {
        format!("{} cm", (metres * 100.0).round())
    };
    ScaleBar {
        width: metres / ground_per_px,
        metres,
        label,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::LonLat;
    use crate::view::Constraints;

    fn view(lat: f64, zoom: f64) -> View {
        let mut v = View::new(
            LonLat::new(-3.0, lat).to_mercator(),
            zoom,
            Constraints::default(),
        );
        v.set_size(800.0, 600.0);
        v
    }

    #[test]
    fn the_bar_is_a_round_length_within_the_width() {
        let bar = scale_bar(&view(48.0, 8.0), 100.0);
        assert!(bar.width <= 100.0 && bar.width > 40.0, "{bar:?}");
        let mantissa = bar.metres / 10f64.powf(bar.metres.log10().floor());
        assert!(
            [1.0, 2.0, 5.0].iter().any(|m| (m - mantissa).abs() < 1e-9),
            "{bar:?}"
        );
    }

    #[test]
    fn at_brittany_zoom_8_the_bar_reads_in_kilometres() {
        // 611.5 m/px at the equator, × cos 48° = 409 m/px: 100 px ≈ 41 km → 20 km.
        let bar = scale_bar(&view(48.0, 8.0), 100.0);
        assert_eq!(bar.label, "20 km");
        assert!((bar.width - 48.9).abs() < 0.5, "{}", bar.width);
    }

    #[test]
    fn deep_zooms_read_in_metres() {
        assert!(scale_bar(&view(48.0, 18.0), 100.0).label.ends_with(" m"));
    }
}
