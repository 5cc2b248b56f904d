//! Where things go on the chart: one value axis per unit (left for the first unit met, right
//! for the second; a third unit gets no axis and is not drawn), each scaled to the values of
//! its series in view; margins wide enough for the axes' labels; the plot rectangle; colours.

use super::series::{Point, value_extent};
use super::time_axis::{MonthNames, TimeStep, choose_step};
use super::value_axis::ValueScale;
use super::window::TimeWindow;

/// Axis labels' font size, CSS px.
pub const FONT_PX: f64 = 11.0;
/// Room above the plot (axis titles), below it (time labels), CSS px.
const TOP_PX: f64 = 20.0;
const BOTTOM_PX: f64 = 22.0;
/// Gap between a value axis' labels and the plot, and around them.
const LABEL_GAP_PX: f64 = 6.0;
/// Margin on a side without an axis.
const BARE_SIDE_PX: f64 = 14.0;

/// Series colours, in the order series are shown (colour-blind-friendly, after Tableau 10).
pub const PALETTE: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
];

/// The colour of the `index`-th series shown.
pub fn color(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
}

/// One series as the chart sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesRef<'a> {
    pub label: &'a str,
    pub unit: Option<&'a str>,
    pub color: &'a str,
    pub points: &'a [Point],
}

/// Everything a drawing depends on.
#[derive(Debug, Clone, Copy)]
pub struct Scene<'a> {
    /// CSS px.
    pub width: f64,
    pub height: f64,
    /// Device pixels per CSS px.
    pub pixel_ratio: f64,
    pub window: TimeWindow,
    pub series: &'a [SeriesRef<'a>],
    pub months: &'a MonthNames,
    /// The cursor's x over the chart (CSS px), if it is there.
    pub hover_x: Option<f64>,
}

/// A rectangle in CSS px.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl Rect {
    pub fn width(&self) -> f64 {
        (self.right - self.left).max(1.0)
    }

    pub fn height(&self) -> f64 {
        (self.bottom - self.top).max(1.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
}

/// A value axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Its unit, or the label of its series when they have none.
    pub title: String,
    pub side: Side,
    pub scale: ValueScale,
    /// Indices of its series.
    pub series: Vec<usize>,
}

/// Where everything goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub plot: Rect,
    pub axes: Vec<Axis>,
    /// Each series' axis; `None`: a third unit, not drawn.
    pub series_axis: Vec<Option<usize>>,
    pub time_step: TimeStep,
}

/// Each series' axis (0 left, 1 right) by its unit: series without a unit share one axis too.
pub fn assign_axes(units: &[Option<&str>]) -> Vec<Option<usize>> {
    let mut seen: Vec<Option<&str>> = Vec::new();
    units
        .iter()
        .map(|unit| match seen.iter().position(|u| u == unit) {
            Some(i) => Some(i),
            None if seen.len() < 2 => {
                seen.push(*unit);
                Some(seen.len() - 1)
            }
            None => None,
        })
        .collect()
}

/// Whether a series of `unit` can join series of `shown` units (at most two units).
pub fn fits_axes(shown: &[Option<&str>], unit: Option<&str>) -> bool {
    let mut units: Vec<Option<&str>> = shown.to_vec();
    units.push(unit);
    assign_axes(&units).last().copied().flatten().is_some()
}

/// Lays the scene out; `text_width` measures a label at [`FONT_PX`] in CSS px.
pub fn layout(scene: &Scene<'_>, mut text_width: impl FnMut(&str) -> f64) -> Layout {
    let units: Vec<Option<&str>> = scene.series.iter().map(|s| s.unit).collect();
    let series_axis = assign_axes(&units);
    let (top, bottom) = (TOP_PX, (scene.height - BOTTOM_PX).max(TOP_PX + 1.0));
    let visible = scene.window.visible();
    let axes: Vec<Axis> = (0..2)
        .filter_map(|axis| {
            let members: Vec<usize> = (0..scene.series.len())
                .filter(|&i| series_axis[i] == Some(axis))
                .collect();
            let first = scene.series.get(*members.first()?)?;
            let (lo, hi) = members
                .iter()
                .filter_map(|&i| value_extent(scene.series[i].points, visible))
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (a, b)| {
                    (lo.min(a), hi.max(b))
                });
            Some(Axis {
                title: first.unit.unwrap_or(first.label).to_owned(),
                side: if axis == 0 { Side::Left } else { Side::Right },
                scale: ValueScale::fit(lo, hi, bottom - top),
                series: members,
            })
        })
        .collect();
    let margin = |side: Side, text_width: &mut dyn FnMut(&str) -> f64| {
        axes.iter()
            .find(|a| a.side == side)
            .map_or(BARE_SIDE_PX, |axis| {
                let widest = axis
                    .scale
                    .ticks()
                    .iter()
                    .map(|v| text_width(&axis.scale.label(*v)))
                    .fold(0.0, f64::max);
                (widest + 2.0 * LABEL_GAP_PX).ceil()
            })
    };
    let left = margin(Side::Left, &mut text_width);
    let right = scene.width - margin(Side::Right, &mut text_width);
    let plot = Rect {
        left,
        top,
        right: right.max(left + 1.0),
        bottom,
    };
    let time_step = choose_step(scene.window.span(), plot.width());
    Layout {
        plot,
        axes,
        series_axis,
        time_step,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: MonthNames = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];

    #[test]
    fn each_unit_gets_its_own_axis_and_a_third_unit_none() {
        let units = [Some("°F"), Some("%"), Some("°F"), Some("hPa"), None];
        assert_eq!(assign_axes(&units), [Some(0), Some(1), Some(0), None, None]);
        assert!(fits_axes(&[Some("°F")], Some("%")));
        assert!(fits_axes(&[Some("°F"), Some("%")], Some("%")));
        assert!(!fits_axes(&[Some("°F"), Some("%")], Some("mph")));
    }

    #[test]
    fn axes_scale_to_their_own_series_and_margins_fit_their_labels() {
        let temp = [(0.0, Some(20.0)), (3_600_000.0, Some(80.0))];
        let pressure = [(0.0, Some(1001.0)), (3_600_000.0, Some(1030.0))];
        let series = [
            SeriesRef {
                label: "temp",
                unit: Some("°F"),
                color: color(0),
                points: &temp,
            },
            SeriesRef {
                label: "pressure",
                unit: Some("hPa"),
                color: color(1),
                points: &pressure,
            },
        ];
        let scene = Scene {
            width: 800.0,
            height: 240.0,
            pixel_ratio: 1.0,
            window: TimeWindow::new([0.0, 3_600_000.0]),
            series: &series,
            months: &EN,
            hover_x: None,
        };
        // Six pixels per character.
        let layout = layout(&scene, |text| 6.0 * text.chars().count() as f64);
        assert_eq!(layout.axes.len(), 2);
        let (left, right) = (&layout.axes[0], &layout.axes[1]);
        assert_eq!((left.title.as_str(), left.side), ("°F", Side::Left));
        assert!(left.scale.min <= 20.0 && left.scale.max >= 80.0 && left.scale.max <= 100.0);
        assert!(
            right.scale.min >= 1000.0 && right.scale.max <= 1040.0,
            "{right:?}"
        );
        // "1030" is four characters: 24 px and the gaps.
        assert_eq!(800.0 - layout.plot.right, 36.0);
        assert_eq!(layout.plot.left, 24.0);
        assert_eq!(layout.time_step, TimeStep::Minutes(5));
    }
}
