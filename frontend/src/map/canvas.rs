//! Canvas2D rendering: each tile is painted once into its own canvas at the resolution it is
//! shown at, then frames only composite those rasters (OpenLayers' "hybrid" vector mode). When
//! interaction pauses, rasters far from the displayed size are painted again, sharp.

use kartenn_engine::frame::Frame;
use kartenn_engine::paint::{Canvas, PaintScale, paint_layer};
use kartenn_engine::style::Style;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use kartenn_engine::geo::HALF_WORLD;
use kartenn_engine::geojson::WORLD_EXTENT;

use super::layer::{Content, TileData, TileRaster};
use super::{MapState, now_ms};

/// Largest raster side, in device pixels (an over-zoomed tile is upscaled beyond this).
const MAX_RASTER_PX: f64 = 2048.0;
/// A raster within this ratio of the ideal size is sharp enough.
const SHARP_ENOUGH: f64 = 1.3;

/// Canvas2D as the engine's painter target.
struct Painter<'a>(&'a CanvasRenderingContext2d);

impl Canvas for Painter<'_> {
    fn begin_path(&mut self) {
        self.0.begin_path();
    }
    fn move_to(&mut self, x: f64, y: f64) {
        self.0.move_to(x, y);
    }
    fn line_to(&mut self, x: f64, y: f64) {
        self.0.line_to(x, y);
    }
    fn circle(&mut self, x: f64, y: f64, radius: f64) {
        self.0.move_to(x + radius, y);
        let _ = self.0.arc(x, y, radius, 0.0, std::f64::consts::TAU);
    }
    fn fill(&mut self, color: &str) {
        self.0.set_fill_style_str(color);
        self.0.fill();
    }
    fn stroke(&mut self, color: &str, width: f64) {
        self.0.set_stroke_style_str(color);
        self.0.set_line_width(width);
        self.0.stroke();
    }
}

/// Time a frame may spend re-painting rasters sharp after interaction pauses; the rest wait for
/// the next frames (their blurry rasters are shown meanwhile), so settling never drops a frame.
const SHARPEN_BUDGET_MS: f64 = 6.0;

/// Draws `frame` on the map canvas. Returns true when some rasters are still to be re-painted
/// sharp (another frame is needed).
pub fn draw_frame(map: &mut MapState, frame: &Frame) -> bool {
    let ratio = map.pixel_ratio;
    let ctx = map.ctx.clone();
    let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    ctx.set_global_alpha(1.0);
    ctx.set_fill_style_str(&map.background);
    ctx.fill_rect(
        0.0,
        0.0,
        f64::from(map.canvas.width()),
        f64::from(map.canvas.height()),
    );
    let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
    ctx.set_image_smoothing_enabled(true);
    let settled = map.settled;
    let started = now_ms();
    let mut deferred = false;
    // Draws come bottom layer first; GeoJSON layers (no tiles) are painted in their turn.
    let mut documents_done = 0;

    for draw in &frame.draws {
        while documents_done < draw.layer {
            draw_document(map, documents_done);
            documents_done += 1;
        }
        let Some(layer) = map.layers.get_mut(draw.layer) else {
            continue;
        };
        let [sx, sy, sw, sh] = draw.src;
        let [dx, dy, dw, dh] = draw.dest;
        let style = &layer.style;
        // Compare mode: the compared layer left of the divider, its other date right of it.
        let _clip = super::temporal::clip(&ctx, &map.temporal, &layer.id, map.view.size());
        match layer.cache.get_mut(&draw.key) {
            Some(TileData::Vector(tile)) => {
                // CSS width of the whole tile as drawn now, and the raster that would match it.
                let tile_css = dw / sw;
                let ideal = (tile_css * ratio).clamp(64.0, MAX_RASTER_PX);
                let current = f64::from(tile.raster_px);
                let blurry =
                    settled && (ideal / current > SHARP_ENOUGH || current / ideal > SHARP_ENOUGH);
                let over_budget = blurry && now_ms() - started > SHARPEN_BUDGET_MS;
                deferred |= current != 0.0 && over_budget;
                let stale = current == 0.0 || (blurry && !over_budget);
                // A 512-px tile of zoom z is shown at map zoom z + 1: style rules are read there.
                let zoom = f64::from(draw.key.z) + 1.0;
                if stale
                    && rasterize(tile, style, zoom, ideal.round() as u32, ideal / tile_css).is_err()
                {
                    continue;
                }
                let Some(raster) = &tile.canvas else {
                    continue;
                };
                let size = f64::from(tile.raster_px);
                ctx.set_global_alpha(draw.opacity);
                let _ = ctx
                    .draw_image_with_html_canvas_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
                        raster,
                        sx * size,
                        sy * size,
                        sw * size,
                        sh * size,
                        dx,
                        dy,
                        dw,
                        dh,
                    );
            }
            Some(TileData::Image(image)) => {
                let (w, h) = (f64::from(image.width()), f64::from(image.height()));
                ctx.set_global_alpha(draw.opacity);
                let _ = ctx.draw_image_with_image_bitmap_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
                    image,
                    sx * w,
                    sy * h,
                    sw * w,
                    sh * h,
                    dx,
                    dy,
                    dw,
                    dh,
                );
            }
            None => {}
        }
    }
    while documents_done < map.layers.len() {
        draw_document(map, documents_done);
        documents_done += 1;
    }
    ctx.set_global_alpha(1.0);
    deferred
}

/// Paints a tile into its own square canvas `size` device pixels wide; `pixel_ratio` is the
/// raster's device pixels per CSS pixel of the displayed tile (for stroke widths).
fn rasterize(
    tile: &mut TileRaster,
    style: &Style,
    zoom: f64,
    size: u32,
    pixel_ratio: f64,
) -> Result<(), wasm_bindgen::JsValue> {
    let canvas = match tile.canvas.take() {
        Some(canvas) => canvas,
        None => web_sys::window()
            .and_then(|w| w.document())
            .ok_or("no document")?
            .create_element("canvas")?
            .dyn_into::<HtmlCanvasElement>()
            .map_err(|_| "not a canvas")?,
    };
    // Setting the size also clears the canvas.
    canvas.set_width(size);
    canvas.set_height(size);
    let ctx = super::canvas2d(&canvas)?;
    ctx.set_line_join("round");
    ctx.set_line_cap("round");
    let scale = PaintScale::for_tile(f64::from(size), tile.data.extent, pixel_ratio);
    paint_layer(&tile.data, style, zoom, scale, &mut Painter(&ctx));
    tile.canvas = Some(canvas);
    tile.raster_px = size;
    Ok(())
}

/// The shift-drag zoom box, if one is being drawn.
pub fn draw_zoom_box(map: &MapState) {
    let Some((from, to)) = map.zoom_box else {
        return;
    };
    let ctx = &map.ctx;
    let _ = ctx.set_transform(map.pixel_ratio, 0.0, 0.0, map.pixel_ratio, 0.0, 0.0);
    let (left, top) = (from[0].min(to[0]), from[1].min(to[1]));
    let (width, height) = ((from[0] - to[0]).abs(), (from[1] - to[1]).abs());
    ctx.set_fill_style_str("rgba(31,78,121,0.12)");
    ctx.fill_rect(left, top, width, height);
    ctx.set_stroke_style_str("rgba(31,78,121,0.9)");
    ctx.set_line_width(1.5);
    ctx.stroke_rect(left, top, width, height);
}

/// Paints layer `index` if it is a loaded, visible GeoJSON layer: its features straight onto the
/// map canvas in world units, every frame (no tiles: they are small, WFS answers and files).
fn draw_document(map: &MapState, index: usize) {
    let Some(layer) = map.layers.get(index).filter(|l| l.spec.visible) else {
        return;
    };
    let Content::GeoJson {
        data: Some(doc), ..
    } = &layer.content
    else {
        return;
    };
    let ratio = map.pixel_ratio;
    let units = f64::from(WORLD_EXTENT);
    // Device pixels per world unit, and the world unit at the screen's top-left corner.
    let scale = ratio * 2.0 * HALF_WORLD / map.view.resolution() / units;
    let corner = map.view.pixel_to_coord([0.0, 0.0]);
    let origin = [
        (corner.x + HALF_WORLD) / (2.0 * HALF_WORLD) * units,
        (HALF_WORLD - corner.y) / (2.0 * HALF_WORLD) * units,
    ];
    let ctx = &map.ctx;
    let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    ctx.set_line_join("round");
    ctx.set_line_cap("round");
    ctx.set_global_alpha(layer.spec.opacity);
    let at = PaintScale {
        scale,
        origin,
        pixel_ratio: ratio,
    };
    // A chronicle's stations without data at the map's time are dimmed.
    if let Some(split) = super::temporal::stations(map, layer, &doc.data) {
        ctx.set_global_alpha(layer.spec.opacity * super::temporal::DIMMED);
        paint_layer(
            &split.off,
            &layer.style,
            map.view.zoom(),
            at,
            &mut Painter(ctx),
        );
        ctx.set_global_alpha(layer.spec.opacity);
        paint_layer(
            &split.on,
            &layer.style,
            map.view.zoom(),
            at,
            &mut Painter(ctx),
        );
    } else {
        paint_layer(
            &doc.data,
            &layer.style,
            map.view.zoom(),
            at,
            &mut Painter(ctx),
        );
    }
    let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
}
