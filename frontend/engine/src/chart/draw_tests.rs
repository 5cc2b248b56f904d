//! Tests of the chart drawing, on a canvas that records what it is asked to do.

use super::*;
use crate::chart::layout::{SeriesRef, color};
use crate::chart::time_axis::MonthNames;
use crate::chart::window::TimeWindow;

const EN: MonthNames = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const H: f64 = 3_600_000.0;

#[derive(Debug, Clone, PartialEq)]
enum Op {
    Clear,
    Begin,
    Move(f64, f64),
    Line(f64, f64),
    Stroke(String, f64),
    Dot(f64, f64, f64, String),
    Text(String, f64, f64, f64),
    Clip,
    Unclip,
}

#[derive(Default)]
struct Recorder(Vec<Op>);

impl ChartCanvas for Recorder {
    fn clear(&mut self, _: &str) {
        self.0.push(Op::Clear);
    }
    fn begin_path(&mut self) {
        self.0.push(Op::Begin);
    }
    fn move_to(&mut self, x: f64, y: f64) {
        self.0.push(Op::Move(x, y));
    }
    fn line_to(&mut self, x: f64, y: f64) {
        self.0.push(Op::Line(x, y));
    }
    fn stroke(&mut self, color: &str, width: f64) {
        self.0.push(Op::Stroke(color.to_owned(), width));
    }
    fn fill_circle(&mut self, x: f64, y: f64, radius: f64, color: &str) {
        self.0.push(Op::Dot(x, y, radius, color.to_owned()));
    }
    fn text(&mut self, text: &str, x: f64, y: f64, style: &TextStyle<'_>) {
        self.0.push(Op::Text(text.to_owned(), x, y, style.size));
    }
    fn text_width(&mut self, text: &str, size: f64) -> f64 {
        text.chars().count() as f64 * size * 0.6
    }
    fn clip(&mut self, _: f64, _: f64, _: f64, _: f64) {
        self.0.push(Op::Clip);
    }
    fn unclip(&mut self) {
        self.0.push(Op::Unclip);
    }
}

impl Recorder {
    /// The operations between the clip and the unclip (the series and the hover marker).
    fn plotted(&self) -> &[Op] {
        let start = self
            .0
            .iter()
            .position(|o| *o == Op::Clip)
            .map_or(0, |i| i + 1);
        let end = self
            .0
            .iter()
            .position(|o| *o == Op::Unclip)
            .unwrap_or(self.0.len());
        &self.0[start..end]
    }
}

fn hourly(values: &[Option<f64>]) -> Vec<(f64, Option<f64>)> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| (i as f64 * H, *v))
        .collect()
}

fn scene<'a>(series: &'a [SeriesRef<'a>], span_h: f64, ratio: f64) -> Scene<'a> {
    Scene {
        width: 600.0,
        height: 240.0,
        pixel_ratio: ratio,
        window: TimeWindow::new([0.0, span_h * H]),
        series,
        months: &EN,
        hover_x: None,
    }
}

#[test]
fn a_series_with_a_gap_is_drawn_as_two_lines_and_a_lone_value_as_a_dot() {
    let points = hourly(&[
        Some(1.0),
        Some(2.0),
        Some(3.0),
        None,
        Some(4.0),
        Some(5.0),
        None,
        Some(2.0),
        None,
    ]);
    let series = [SeriesRef {
        label: "temp",
        unit: Some("°F"),
        color: color(0),
        points: &points,
    }];
    let mut canvas = Recorder::default();
    let drawn = draw(&scene(&series, 8.0, 1.0), &mut canvas);
    assert_eq!(drawn.counts, [6]);
    let plotted = canvas.plotted();
    let moves = plotted.iter().filter(|o| matches!(o, Op::Move(..))).count();
    let lines = plotted.iter().filter(|o| matches!(o, Op::Line(..))).count();
    assert_eq!((moves, lines), (2, 3), "{plotted:?}");
    let dots: Vec<&Op> = plotted
        .iter()
        .filter(|o| matches!(o, Op::Dot(..)))
        .collect();
    assert_eq!(dots.len(), 1);
    // The lone value, at 7 h of 8, on the plot's scale.
    let plot = drawn.layout.plot;
    let Op::Dot(x, ..) = dots[0] else {
        unreachable!()
    };
    assert!((x - (plot.left + plot.width() * 7.0 / 8.0)).abs() < 1e-9);
}

#[test]
fn on_a_hidpi_screen_everything_is_drawn_in_device_pixels_and_grid_lines_are_crisp() {
    let points = hourly(&[Some(10.0), Some(20.0), Some(30.0)]);
    let series = [SeriesRef {
        label: "temp",
        unit: Some("°F"),
        color: color(0),
        points: &points,
    }];
    let (mut one, mut two) = (Recorder::default(), Recorder::default());
    let a = draw(&scene(&series, 2.0, 1.0), &mut one);
    let b = draw(&scene(&series, 2.0, 2.0), &mut two);
    assert_eq!(
        a.layout, b.layout,
        "the layout is in CSS px, the same at both ratios"
    );
    let series_stroke = |r: &Recorder| {
        r.plotted().iter().find_map(|o| match o {
            Op::Stroke(c, w) if c == color(0) => Some(*w),
            _ => None,
        })
    };
    assert_eq!(series_stroke(&one), Some(1.5));
    assert_eq!(series_stroke(&two), Some(3.0));
    // Text at 11 CSS px is 22 device px.
    assert!(
        two.0
            .iter()
            .any(|o| matches!(o, Op::Text(_, _, _, s) if *s == 22.0))
    );
    // One-device-pixel grid lines sit on half pixels at ratio 1, two-pixel ones on whole pixels.
    let first_move = |r: &Recorder| {
        r.0.iter().find_map(|o| match o {
            Op::Move(_, y) => Some(*y),
            _ => None,
        })
    };
    assert_eq!(first_move(&one).map(f64::fract), Some(0.5));
    assert_eq!(first_move(&two).map(f64::fract), Some(0.0));
}

#[test]
fn a_series_of_a_third_unit_is_not_drawn_and_counts_no_points() {
    let points = hourly(&[Some(1.0), Some(2.0)]);
    let series = [
        SeriesRef {
            label: "temp",
            unit: Some("°F"),
            color: color(0),
            points: &points,
        },
        SeriesRef {
            label: "humid",
            unit: Some("%"),
            color: color(1),
            points: &points,
        },
        SeriesRef {
            label: "wind",
            unit: Some("mph"),
            color: color(2),
            points: &points,
        },
    ];
    let mut canvas = Recorder::default();
    let drawn = draw(&scene(&series, 1.0, 1.0), &mut canvas);
    assert_eq!(drawn.counts, [2, 2, 0]);
    assert_eq!(drawn.layout.axes.len(), 2);
    assert!(
        !canvas
            .0
            .iter()
            .any(|o| matches!(o, Op::Stroke(c, _) if c == color(2)))
    );
}

#[test]
fn only_the_points_in_view_are_counted_as_drawn() {
    let points = hourly(&[Some(1.0); 48]);
    let series = [SeriesRef {
        label: "temp",
        unit: None,
        color: color(0),
        points: &points,
    }];
    let mut s = scene(&series, 47.0, 1.0);
    s.window.show([10.0 * H, 20.0 * H]);
    let drawn = draw(&s, &mut Recorder::default());
    assert_eq!(drawn.counts, [11]);
    // No unit: the axis is titled with the series' label.
    assert_eq!(drawn.layout.axes[0].title, "temp");
}

#[test]
fn hovering_finds_each_series_value_nearest_the_cursor_and_marks_it() {
    let temp = hourly(&[Some(10.0), Some(20.0), Some(30.0), Some(40.0), Some(50.0)]);
    let humid = hourly(&[Some(80.0), None, None, None, Some(60.0)]);
    let series = [
        SeriesRef {
            label: "temp",
            unit: Some("°F"),
            color: color(0),
            points: &temp,
        },
        SeriesRef {
            label: "humid",
            unit: Some("%"),
            color: color(1),
            points: &humid,
        },
    ];
    let mut s = scene(&series, 4.0, 1.0);
    let plot = draw(&s, &mut Recorder::default()).layout.plot;
    // A little after 2 h: temperature's 2-h value; humidity has a gap there (its values are
    // 2 h away, beyond the tolerance).
    s.hover_x = Some(plot.left + plot.width() * 2.1 / 4.0);
    let mut canvas = Recorder::default();
    let drawn = draw(&s, &mut canvas);
    let hover = drawn.hover.expect("hovered");
    assert_eq!(hover.t, 2.0 * H);
    assert_eq!(hover.entries.len(), 1);
    assert_eq!((hover.entries[0].series, hover.entries[0].value), (0, 30.0));
    assert!(
        canvas
            .plotted()
            .iter()
            .any(|o| matches!(o, Op::Dot(_, _, r, _) if *r == 3.5))
    );
    // Near the end both have a value.
    s.hover_x = Some(plot.right - 1.0);
    let hover = draw(&s, &mut Recorder::default()).hover.expect("hovered");
    assert_eq!(hover.t, 4.0 * H);
    assert_eq!(hover.entries.len(), 2);
    // Outside the plot: nothing.
    s.hover_x = Some(plot.left - 5.0);
    assert_eq!(draw(&s, &mut Recorder::default()).hover, None);
}

#[test]
fn time_labels_stay_inside_the_canvas() {
    let points = hourly(&[Some(1.0); 25]);
    let series = [SeriesRef {
        label: "temp",
        unit: Some("°F"),
        color: color(0),
        points: &points,
    }];
    let mut canvas = Recorder::default();
    let s = scene(&series, 24.0, 1.0);
    draw(&s, &mut canvas);
    for op in &canvas.0 {
        if let Op::Text(text, x, _, size) = op {
            let half = text.chars().count() as f64 * size * 0.6 / 2.0;
            assert!(*x >= half - 1e-9 || text == "°F", "{text} at {x}");
            assert!(*x <= s.width - half + 1e-9 || text == "°F", "{text} at {x}");
        }
    }
}
