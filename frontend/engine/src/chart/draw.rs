//! Draws a chart through the small [`ChartCanvas`] trait (the browser implements it with
//! Canvas2D, tests with a recorder), in device pixels so lines are crisp on HiDPI screens:
//! grid and ticks of both scales, one path per series broken at gaps (lone values as dots),
//! and the hover marker. Returns what it drew: points per series and the hovered values.

use super::layout::{FONT_PX, Layout, Rect, Scene, Side, layout};
use super::series::{drawn_count, nearest, paths};
use super::time_axis::{tick_label, ticks};

const BACKGROUND: &str = "#ffffff";
const GRID: &str = "#e3e6ea";
const AXIS: &str = "#8a94a0";
const TEXT: &str = "#445566";
/// CSS px.
const LINE_WIDTH: f64 = 1.5;
const DOT_RADIUS: f64 = 2.0;
const HOVER_RADIUS: f64 = 3.5;
/// How far (CSS px) from the cursor hover looks for a series' point.
pub const HOVER_PX: f64 = 40.0;

/// Horizontal anchor of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// Vertical anchor of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Baseline {
    Top,
    Middle,
    Bottom,
}

/// How a text is drawn; sizes in device pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle<'a> {
    pub size: f64,
    pub color: &'a str,
    pub align: Align,
    pub baseline: Baseline,
}

/// The part of Canvas2D the chart uses; coordinates and sizes in device pixels.
pub trait ChartCanvas {
    /// Paints the whole canvas `color`.
    fn clear(&mut self, color: &str);
    fn begin_path(&mut self);
    fn move_to(&mut self, x: f64, y: f64);
    fn line_to(&mut self, x: f64, y: f64);
    fn stroke(&mut self, color: &str, width: f64);
    fn fill_circle(&mut self, x: f64, y: f64, radius: f64, color: &str);
    fn text(&mut self, text: &str, x: f64, y: f64, style: &TextStyle<'_>);
    /// Width of `text` at font size `size`.
    fn text_width(&mut self, text: &str, size: f64) -> f64;
    /// Restricts drawing to a rectangle until [`Self::unclip`].
    fn clip(&mut self, x: f64, y: f64, width: f64, height: f64);
    fn unclip(&mut self);
}

/// One series' value under the cursor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HoverEntry {
    pub series: usize,
    pub t: f64,
    pub value: f64,
    /// CSS px.
    pub x: f64,
    pub y: f64,
}

/// What the cursor points at: the instant of the nearest point, each series' value near it.
#[derive(Debug, Clone, PartialEq)]
pub struct Hover {
    pub t: f64,
    /// CSS px of `t`.
    pub x: f64,
    pub entries: Vec<HoverEntry>,
}

/// What a drawing showed.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    pub layout: Layout,
    /// Values drawn per series (gaps not counted; 0 for a series without an axis).
    pub counts: Vec<usize>,
    pub hover: Option<Hover>,
}

/// The series' values nearest the cursor at CSS x `cursor`, if it is over the plot.
pub fn hover_at(scene: &Scene<'_>, layout: &Layout, cursor: f64) -> Option<Hover> {
    let plot = &layout.plot;
    if !(plot.left..=plot.right).contains(&cursor) {
        return None;
    }
    let window = &scene.window;
    let t = window.time_at(cursor, plot.left, plot.width());
    let max_dt = HOVER_PX * window.span() / plot.width();
    let entries: Vec<HoverEntry> = scene
        .series
        .iter()
        .enumerate()
        .filter_map(|(i, series)| {
            let axis = layout
                .axes
                .get(layout.series_axis.get(i).copied().flatten()?)?;
            let index = nearest(series.points, t, max_dt)?;
            let (pt, value) = series.points[index];
            let value = value?;
            Some(HoverEntry {
                series: i,
                t: pt,
                value,
                x: window.x_of(pt, plot.left, plot.width()),
                y: axis.scale.y(value, plot.top, plot.bottom),
            })
        })
        .collect();
    let primary = entries
        .iter()
        .min_by(|a, b| (a.t - t).abs().total_cmp(&(b.t - t).abs()))?;
    Some(Hover {
        t: primary.t,
        x: primary.x,
        entries,
    })
}

/// A coordinate put on the device pixel grid so a line `width` device px wide is crisp.
fn crisp(v: f64, width: f64) -> f64 {
    if width.round() as i64 % 2 == 1 {
        v.floor() + 0.5
    } else {
        v.round()
    }
}

/// Draws `scene`.
pub fn draw(scene: &Scene<'_>, canvas: &mut impl ChartCanvas) -> Drawn {
    let r = scene.pixel_ratio.max(0.5);
    let font = FONT_PX * r;
    let layout = layout(scene, |text| canvas.text_width(text, font) / r);
    let plot = layout.plot;
    canvas.clear(BACKGROUND);
    draw_value_axes(&layout, r, canvas);
    draw_time_axis(scene, &plot, &layout, r, canvas);

    let window = &scene.window;
    let visible = window.visible();
    let mut counts = vec![0; scene.series.len()];
    canvas.clip(
        plot.left * r,
        plot.top * r,
        plot.width() * r,
        plot.height() * r,
    );
    for (i, series) in scene.series.iter().enumerate() {
        let Some(axis) = layout.series_axis[i].and_then(|a| layout.axes.get(a)) else {
            continue;
        };
        counts[i] = drawn_count(series.points, visible);
        let lines = paths(series.points, visible, |t, v| {
            [
                window.x_of(t, plot.left, plot.width()) * r,
                axis.scale.y(v, plot.top, plot.bottom) * r,
            ]
        });
        canvas.begin_path();
        for line in lines.iter().filter(|l| l.len() > 1) {
            canvas.move_to(line[0][0], line[0][1]);
            for p in &line[1..] {
                canvas.line_to(p[0], p[1]);
            }
        }
        canvas.stroke(series.color, LINE_WIDTH * r);
        for [x, y] in lines.iter().filter(|l| l.len() == 1).map(|l| l[0]) {
            canvas.fill_circle(x, y, DOT_RADIUS * r, series.color);
        }
    }
    let hover = scene.hover_x.and_then(|x| hover_at(scene, &layout, x));
    if let Some(hover) = &hover {
        let x = crisp(hover.x * r, r.round());
        canvas.begin_path();
        canvas.move_to(x, plot.top * r);
        canvas.line_to(x, plot.bottom * r);
        canvas.stroke(AXIS, r.round().max(1.0));
        for entry in &hover.entries {
            let color = scene.series[entry.series].color;
            canvas.fill_circle(entry.x * r, entry.y * r, HOVER_RADIUS * r, color);
        }
    }
    canvas.unclip();
    Drawn {
        layout,
        counts,
        hover,
    }
}

/// Grid lines of the first axis, every axis' labels and title.
fn draw_value_axes(layout: &Layout, r: f64, canvas: &mut impl ChartCanvas) {
    let plot = layout.plot;
    let (font, thin) = (FONT_PX * r, r.round().max(1.0));
    for (n, axis) in layout.axes.iter().enumerate() {
        let ticks = axis.scale.ticks();
        if n == 0 {
            canvas.begin_path();
            for v in &ticks {
                let y = crisp(axis.scale.y(*v, plot.top, plot.bottom) * r, thin);
                canvas.move_to(plot.left * r, y);
                canvas.line_to(plot.right * r, y);
            }
            canvas.stroke(GRID, thin);
        }
        let (x, align) = match axis.side {
            Side::Left => ((plot.left - 6.0) * r, Align::Right),
            Side::Right => ((plot.right + 6.0) * r, Align::Left),
        };
        for v in &ticks {
            let y = axis.scale.y(*v, plot.top, plot.bottom) * r;
            canvas.text(
                &axis.scale.label(*v),
                x,
                y,
                &style(font, align, Baseline::Middle),
            );
        }
        let (title_x, title_align) = match axis.side {
            Side::Left => (4.0 * r, Align::Left),
            Side::Right => ((plot.right + 4.0) * r, Align::Left),
        };
        canvas.text(
            &axis.title,
            title_x,
            4.0 * r,
            &style(font, title_align, Baseline::Top),
        );
    }
}

/// Vertical grid lines at the time ticks, their labels under the plot, the time axis' line.
fn draw_time_axis(
    scene: &Scene<'_>,
    plot: &Rect,
    layout: &Layout,
    r: f64,
    canvas: &mut impl ChartCanvas,
) {
    let (font, thin) = (FONT_PX * r, r.round().max(1.0));
    let [from, to] = scene.window.visible();
    let times = ticks(from, to, layout.time_step);
    let xs: Vec<f64> = times
        .iter()
        .map(|t| scene.window.x_of(*t, plot.left, plot.width()))
        .collect();
    canvas.begin_path();
    for x in &xs {
        let x = crisp(x * r, thin);
        canvas.move_to(x, plot.top * r);
        canvas.line_to(x, plot.bottom * r);
    }
    canvas.stroke(GRID, thin);
    canvas.begin_path();
    let y = crisp(plot.bottom * r, thin);
    canvas.move_to(plot.left * r, y);
    canvas.line_to(plot.right * r, y);
    canvas.stroke(AXIS, thin);
    for (t, x) in times.iter().zip(&xs) {
        let label = tick_label(*t, layout.time_step, scene.months);
        let half = canvas.text_width(&label, font) / 2.0;
        // Kept inside the canvas at both ends.
        let x = (x * r).clamp(half, (scene.width * r - half).max(half));
        canvas.text(
            &label,
            x,
            (plot.bottom + 5.0) * r,
            &style(font, Align::Center, Baseline::Top),
        );
    }
}

fn style(size: f64, align: Align, baseline: Baseline) -> TextStyle<'static> {
    TextStyle {
        size,
        color: TEXT,
        align,
        baseline,
    }
}

#[cfg(test)]
#[path = "draw_tests.rs"]
mod tests;
