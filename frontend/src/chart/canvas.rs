//! Canvas2D as the chart engine's drawing target (device pixels, identity transform), with
//! text widths measured once per font size and text.

use std::collections::HashMap;

use kartenn_engine::chart::draw::{Align, Baseline, ChartCanvas, TextStyle};
use web_sys::CanvasRenderingContext2d;

/// The font family of the chart's labels (the viewer's own).
const FONT_FAMILY: &str = "system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif";

pub struct Painter<'a> {
    pub ctx: &'a CanvasRenderingContext2d,
    pub width: f64,
    pub height: f64,
    /// Widths measured so far, by font size (device px, rounded) and text.
    pub widths: &'a mut HashMap<(u32, String), f64>,
    font: Option<u32>,
}

impl<'a> Painter<'a> {
    pub fn new(
        ctx: &'a CanvasRenderingContext2d,
        width: f64,
        height: f64,
        widths: &'a mut HashMap<(u32, String), f64>,
    ) -> Self {
        let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        ctx.set_line_join("round");
        ctx.set_line_cap("round");
        Self {
            ctx,
            width,
            height,
            widths,
            font: None,
        }
    }

    fn set_font(&mut self, size: f64) -> u32 {
        let px = size.round().max(1.0) as u32;
        if self.font != Some(px) {
            self.ctx.set_font(&format!("{px}px {FONT_FAMILY}"));
            self.font = Some(px);
        }
        px
    }
}

impl ChartCanvas for Painter<'_> {
    fn clear(&mut self, color: &str) {
        self.ctx.set_fill_style_str(color);
        self.ctx.fill_rect(0.0, 0.0, self.width, self.height);
    }
    fn begin_path(&mut self) {
        self.ctx.begin_path();
    }
    fn move_to(&mut self, x: f64, y: f64) {
        self.ctx.move_to(x, y);
    }
    fn line_to(&mut self, x: f64, y: f64) {
        self.ctx.line_to(x, y);
    }
    fn stroke(&mut self, color: &str, width: f64) {
        self.ctx.set_stroke_style_str(color);
        self.ctx.set_line_width(width);
        self.ctx.stroke();
    }
    fn fill_circle(&mut self, x: f64, y: f64, radius: f64, color: &str) {
        self.ctx.begin_path();
        let _ = self.ctx.arc(x, y, radius, 0.0, std::f64::consts::TAU);
        self.ctx.set_fill_style_str(color);
        self.ctx.fill();
    }
    fn text(&mut self, text: &str, x: f64, y: f64, style: &TextStyle<'_>) {
        self.set_font(style.size);
        self.ctx.set_fill_style_str(style.color);
        self.ctx.set_text_align(match style.align {
            Align::Left => "left",
            Align::Center => "center",
            Align::Right => "right",
        });
        self.ctx.set_text_baseline(match style.baseline {
            Baseline::Top => "top",
            Baseline::Middle => "middle",
            Baseline::Bottom => "bottom",
        });
        let _ = self.ctx.fill_text(text, x, y);
    }
    fn text_width(&mut self, text: &str, size: f64) -> f64 {
        let px = self.set_font(size);
        let key = (px, text.to_owned());
        if let Some(width) = self.widths.get(&key) {
            return *width;
        }
        let width = self
            .ctx
            .measure_text(text)
            .map_or(f64::from(px) * 0.6 * text.chars().count() as f64, |m| {
                m.width()
            });
        if self.widths.len() > 4096 {
            self.widths.clear();
        }
        self.widths.insert(key, width);
        width
    }
    fn clip(&mut self, x: f64, y: f64, width: f64, height: f64) {
        self.ctx.save();
        self.ctx.begin_path();
        self.ctx.rect(x, y, width, height);
        self.ctx.clip();
    }
    fn unclip(&mut self) {
        self.ctx.restore();
        // `restore` brought back the font of before the clip.
        self.font = None;
    }
}
