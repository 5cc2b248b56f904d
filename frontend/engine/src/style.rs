//! Layer styles resolved for drawing: CSS colour strings computed once per layer rather than
//! per feature, and widths in CSS pixels.

use kartenn_common::{GeometryKind, LayerStyle};

/// A style ready for the painter.
#[derive(Debug, Clone, PartialEq)]
pub struct Style {
    pub fill: Option<String>,
    pub stroke: Option<String>,
    /// CSS pixels.
    pub stroke_width: f64,
    /// CSS pixels.
    pub point_radius: f64,
}

impl Style {
    /// Resolves a catalogue style for a layer of `geometry`; a layer with nothing to draw gets
    /// a visible default rather than vanishing.
    pub fn resolve(style: &LayerStyle, geometry: GeometryKind) -> Self {
        let mut resolved = Self {
            fill: style.fill.map(kartenn_common::Color::to_css),
            stroke: style.stroke.map(kartenn_common::Color::to_css),
            stroke_width: style.stroke_width,
            point_radius: style.point_radius,
        };
        let invisible = match geometry {
            GeometryKind::Line => resolved.stroke.is_none() || resolved.stroke_width <= 0.0,
            GeometryKind::Polygon => resolved.fill.is_none() && resolved.stroke.is_none(),
            GeometryKind::Point => {
                resolved.point_radius <= 0.0
                    || (resolved.fill.is_none() && resolved.stroke.is_none())
            }
        };
        if invisible {
            resolved.stroke = Some("rgba(51,51,51,1)".to_owned());
            resolved.stroke_width = resolved.stroke_width.max(1.0);
            resolved.point_radius = resolved.point_radius.max(3.0);
        }
        resolved
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kartenn_common::Color;

    #[test]
    fn colours_become_css_once() {
        let style = LayerStyle {
            fill: Some(Color::rgba(255, 0, 0, 255)),
            ..LayerStyle::default()
        };
        let s = Style::resolve(&style, GeometryKind::Polygon);
        assert_eq!(s.fill.as_deref(), Some("rgba(255,0,0,1)"));
        assert_eq!(s.stroke, None);
    }

    #[test]
    fn a_line_layer_without_stroke_still_draws() {
        let s = Style::resolve(&LayerStyle::default(), GeometryKind::Line);
        assert!(s.stroke.is_some() && s.stroke_width >= 1.0);
    }
}
