//! The label pass: once the map settles, labels of the visible tiles are collected (one per
//! feature, from the tile holding most of it), measured, placed without overlaps by the engine,
//! and drawn with a halo on top of the map.

use std::collections::HashMap;

use kartenn_engine::frame::Frame;
use kartenn_engine::labels::{Candidate, label_sources, place};

use super::MapState;

pub fn draw_labels(map: &mut MapState, frame: &Frame) {
    let zoom = map.view.zoom();
    let mut best: HashMap<(usize, u64), (f64, Candidate)> = HashMap::new();
    let mut anonymous = Vec::new();
    let ctx = map.ctx.clone();
    for draw in frame.draws.iter().filter(|d| !d.stand_in) {
        let Some(layer) = map.layers.get_mut(draw.layer) else {
            continue;
        };
        let Some(label) = layer.style.label.clone().filter(|l| zoom >= l.minzoom) else {
            continue;
        };
        let Some(tile) = layer.vector_tile(&draw.key) else {
            continue;
        };
        let extent = f64::from(tile.data.extent);
        let size_px = label.size.round().max(1.0) as u32;
        for source in label_sources(&tile.data, &label) {
            let at = [
                draw.dest[0] + source.anchor[0] / extent * draw.dest[2],
                draw.dest[1] + source.anchor[1] / extent * draw.dest[3],
            ];
            let width = *map
                .text_widths
                .entry((size_px, source.text.clone()))
                .or_insert_with(|| {
                    ctx.set_font(&font(size_px));
                    ctx.measure_text(&source.text)
                        .map_or(source.text.len() as f64 * 7.0, |m| m.width())
                });
            let candidate = Candidate {
                text: source.text,
                at,
                size: [width, label.size * 1.2],
                priority: source.priority,
                group: draw.layer,
            };
            match source.id {
                Some(id) => {
                    let entry = best
                        .entry((draw.layer, id))
                        .or_insert((f64::NEG_INFINITY, candidate.clone()));
                    if source.weight > entry.0 {
                        *entry = (source.weight, candidate);
                    }
                }
                None => anonymous.push(candidate),
            }
        }
    }
    let candidates: Vec<Candidate> = best
        .into_values()
        .map(|(_, c)| c)
        .chain(anonymous)
        .collect();
    if candidates.is_empty() {
        return;
    }
    let [width, height] = map.view.size();
    let placed = place(candidates, width, height);
    let _ = ctx.set_transform(map.pixel_ratio, 0.0, 0.0, map.pixel_ratio, 0.0, 0.0);
    ctx.set_text_align("center");
    ctx.set_text_baseline("middle");
    ctx.set_line_join("round");
    ctx.set_line_width(3.0);
    ctx.set_stroke_style_str("rgba(255,255,255,0.9)");
    for label in &placed {
        let Some(style) = map
            .layers
            .get(label.group)
            .and_then(|l| l.style.label.as_ref())
        else {
            continue;
        };
        ctx.set_font(&font(style.size.round().max(1.0) as u32));
        ctx.set_fill_style_str(&style.color.to_css());
        let _ = ctx.stroke_text(&label.text, label.at[0], label.at[1]);
        let _ = ctx.fill_text(&label.text, label.at[0], label.at[1]);
    }
    let _ = map
        .container
        .set_attribute("data-labels", &placed.len().to_string());
}

fn font(size_px: u32) -> String {
    format!("600 {size_px}px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif")
}
