//! Layer styles resolved for drawing: CSS colour strings computed once per layer rather than
//! per feature, rules on attributes (first match wins, optionally within a zoom range, or
//! hiding the feature), and label settings.

use kartenn_common::{CompareOp, GeometryKind, LabelStyle, LayerStyle, RuleValue, StyleRule};

use crate::mvt::{Feature, Layer, Value};

/// How one group of features is painted.
#[derive(Debug, Clone, PartialEq)]
pub struct Paint {
    pub fill: Option<String>,
    pub stroke: Option<String>,
    /// CSS pixels.
    pub stroke_width: f64,
    /// CSS pixels.
    pub point_radius: f64,
}

#[derive(Debug, Clone, PartialEq)]
struct Rule {
    field: String,
    op: CompareOp,
    value: RuleValue,
    /// `None`: matching features are hidden.
    paint: Option<Paint>,
    minzoom: f64,
    maxzoom: f64,
}

/// A layer style ready for the painter.
#[derive(Debug, Clone, PartialEq)]
pub struct Style {
    pub base: Paint,
    rules: Vec<Rule>,
    pub label: Option<LabelStyle>,
}

/// Which paint a feature gets: the base, a rule's, or none (hidden).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Variant {
    Base,
    Rule(usize),
    Hidden,
}

impl Style {
    /// Resolves a catalogue style for a layer of `geometry`; a layer with nothing to draw gets
    /// a visible default rather than vanishing.
    pub fn resolve(style: &LayerStyle, geometry: GeometryKind) -> Self {
        let mut base = Paint {
            fill: style.fill.map(kartenn_common::Color::to_css),
            stroke: style.stroke.map(kartenn_common::Color::to_css),
            stroke_width: style.stroke_width,
            point_radius: style.point_radius,
        };
        let invisible = match geometry {
            GeometryKind::Line => base.stroke.is_none() || base.stroke_width <= 0.0,
            GeometryKind::Polygon => base.fill.is_none() && base.stroke.is_none(),
            GeometryKind::Point => {
                base.point_radius <= 0.0 || (base.fill.is_none() && base.stroke.is_none())
            }
        };
        if invisible {
            base.stroke = Some("rgba(51,51,51,1)".to_owned());
            base.stroke_width = base.stroke_width.max(1.0);
            base.point_radius = base.point_radius.max(3.0);
        }
        let rules = style.rules.iter().map(|r| resolve_rule(r, &base)).collect();
        Self {
            base,
            rules,
            label: style.label.clone(),
        }
    }

    pub fn paint(&self, variant: Variant) -> Option<&Paint> {
        match variant {
            Variant::Base => Some(&self.base),
            Variant::Rule(i) => self.rules.get(i).and_then(|r| r.paint.as_ref()),
            Variant::Hidden => None,
        }
    }

    pub fn has_rules(&self) -> bool {
        !self.rules.is_empty()
    }

    /// The paint variant of `feature` at map zoom `zoom`: the first matching rule, else the base.
    pub fn variant(&self, layer: &Layer, feature: &Feature, zoom: f64) -> Variant {
        for (i, rule) in self.rules.iter().enumerate() {
            if zoom < rule.minzoom || zoom >= rule.maxzoom {
                continue;
            }
            let value = layer
                .properties(feature)
                .find(|(k, _)| *k == rule.field)
                .map(|(_, v)| v);
            if value.is_some_and(|v| compare(v, rule.op, &rule.value)) {
                return if rule.paint.is_some() {
                    Variant::Rule(i)
                } else {
                    Variant::Hidden
                };
            }
        }
        Variant::Base
    }
}

fn resolve_rule(rule: &StyleRule, base: &Paint) -> Rule {
    let paint = (!rule.hidden).then(|| Paint {
        fill: rule
            .fill
            .map(kartenn_common::Color::to_css)
            .or_else(|| base.fill.clone()),
        stroke: rule
            .stroke
            .map(kartenn_common::Color::to_css)
            .or_else(|| base.stroke.clone()),
        stroke_width: rule.stroke_width.unwrap_or(base.stroke_width),
        point_radius: rule.point_radius.unwrap_or(base.point_radius),
    });
    Rule {
        field: rule.field.clone(),
        op: rule.op,
        value: rule.value.clone(),
        paint,
        minzoom: rule.minzoom.unwrap_or(f64::NEG_INFINITY),
        maxzoom: rule.maxzoom.unwrap_or(f64::INFINITY),
    }
}

/// A number for numeric tile values.
pub fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Float(v) => Some(f64::from(*v)),
        Value::Double(v) => Some(*v),
        Value::Int(v) | Value::Sint(v) => Some(*v as f64),
        Value::Uint(v) => Some(*v as f64),
        Value::String(_) | Value::Bool(_) => None,
    }
}

/// `value op expected`; values of another type than the rule's never match (except `!=`).
pub fn compare(value: &Value, op: CompareOp, expected: &RuleValue) -> bool {
    let ordering = match (expected, value) {
        (RuleValue::Number(e), v) => number(v).and_then(|n| n.partial_cmp(e)),
        (RuleValue::Text(e), Value::String(s)) => Some(s.as_str().cmp(e.as_str())),
        (RuleValue::Bool(e), Value::Bool(b)) => Some(b.cmp(e)),
        _ => None,
    };
    match (ordering, op) {
        (None, CompareOp::Ne) => true,
        (None, _) => false,
        (Some(o), CompareOp::Eq) => o.is_eq(),
        (Some(o), CompareOp::Ne) => o.is_ne(),
        (Some(o), CompareOp::Lt) => o.is_lt(),
        (Some(o), CompareOp::Le) => o.is_le(),
        (Some(o), CompareOp::Gt) => o.is_gt(),
        (Some(o), CompareOp::Ge) => o.is_ge(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mvt::GeomKind;
    use kartenn_common::Color;

    #[test]
    fn colours_become_css_once() {
        let style = LayerStyle {
            fill: Some(Color::rgba(255, 0, 0, 255)),
            ..LayerStyle::default()
        };
        let s = Style::resolve(&style, GeometryKind::Polygon);
        assert_eq!(s.base.fill.as_deref(), Some("rgba(255,0,0,1)"));
        assert_eq!(s.base.stroke, None);
    }

    #[test]
    fn a_line_layer_without_stroke_still_draws() {
        let s = Style::resolve(&LayerStyle::default(), GeometryKind::Line);
        assert!(s.base.stroke.is_some() && s.base.stroke_width >= 1.0);
    }

    fn layer() -> Layer {
        let feature = |tags: Vec<u32>| Feature {
            id: None,
            kind: GeomKind::Point,
            tags,
            geometry: vec![vec![[1, 1]]],
        };
        Layer {
            name: "l".into(),
            extent: 4096,
            keys: vec!["population".into(), "type".into()],
            values: vec![
                Value::Uint(140_000),
                Value::Uint(900),
                Value::String("COM".into()),
                Value::String("COMD".into()),
            ],
            features: vec![
                feature(vec![0, 0, 1, 2]),
                feature(vec![0, 1, 1, 3]),
                feature(vec![]),
            ],
        }
    }

    fn rule(field: &str, op: CompareOp, value: RuleValue) -> StyleRule {
        StyleRule {
            field: field.into(),
            op,
            value,
            fill: Some(Color::rgb(1, 2, 3)),
            stroke: None,
            stroke_width: None,
            point_radius: None,
            hidden: false,
            minzoom: None,
            maxzoom: None,
        }
    }

    #[test]
    fn the_first_matching_rule_wins_and_others_keep_the_base() {
        let style = LayerStyle {
            rules: vec![
                rule("population", CompareOp::Ge, RuleValue::Number(30_000.0)),
                StyleRule {
                    hidden: true,
                    ..rule("type", CompareOp::Eq, RuleValue::Text("COMD".into()))
                },
            ],
            ..LayerStyle::default()
        };
        let s = Style::resolve(&style, GeometryKind::Point);
        let l = layer();
        assert_eq!(s.variant(&l, &l.features[0], 10.0), Variant::Rule(0));
        assert_eq!(s.variant(&l, &l.features[1], 10.0), Variant::Hidden);
        assert_eq!(s.variant(&l, &l.features[2], 10.0), Variant::Base);
        assert_eq!(
            s.paint(Variant::Rule(0)).and_then(|p| p.fill.as_deref()),
            Some("rgba(1,2,3,1)")
        );
        assert_eq!(s.paint(Variant::Hidden), None);
    }

    #[test]
    fn rules_apply_only_within_their_zoom_range() {
        let style = LayerStyle {
            rules: vec![StyleRule {
                minzoom: Some(9.0),
                maxzoom: Some(12.0),
                ..rule("population", CompareOp::Gt, RuleValue::Number(0.0))
            }],
            ..LayerStyle::default()
        };
        let s = Style::resolve(&style, GeometryKind::Point);
        let l = layer();
        assert_eq!(s.variant(&l, &l.features[0], 8.0), Variant::Base);
        assert_eq!(s.variant(&l, &l.features[0], 9.0), Variant::Rule(0));
        assert_eq!(s.variant(&l, &l.features[0], 12.0), Variant::Base);
    }

    #[test]
    fn comparisons_follow_types() {
        assert!(compare(
            &Value::Sint(-3),
            CompareOp::Lt,
            &RuleValue::Number(0.0)
        ));
        assert!(compare(
            &Value::String("b".into()),
            CompareOp::Gt,
            &RuleValue::Text("a".into())
        ));
        assert!(compare(
            &Value::Bool(true),
            CompareOp::Eq,
            &RuleValue::Bool(true)
        ));
        assert!(!compare(
            &Value::String("10".into()),
            CompareOp::Eq,
            &RuleValue::Number(10.0)
        ));
        assert!(compare(
            &Value::String("10".into()),
            CompareOp::Ne,
            &RuleValue::Number(10.0)
        ));
    }
}
