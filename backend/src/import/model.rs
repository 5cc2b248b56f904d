//! The importer's in-memory model: features with a `geo_types` geometry and typed attributes,
//! the schema inferred over all of them, and geometry validation.

use geo_types::{Coord, Geometry, LineString, Polygon};

/// An attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

/// The type of a column, widened over every value it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bool,
    Int,
    Float,
    Text,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub geometry: Option<Geometry<f64>>,
    /// One value per schema column (`Value::Null` when absent).
    pub values: Vec<Value>,
}

/// Column names in order, and their kinds (`None`: only nulls seen).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schema {
    pub names: Vec<String>,
    pub kinds: Vec<Option<Kind>>,
}

impl Schema {
    /// The index of `name`, added if new.
    pub fn column(&mut self, name: &str) -> usize {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return i;
        }
        self.names.push(name.to_owned());
        self.kinds.push(None);
        self.names.len() - 1
    }

    /// Widens column `i` to hold `value`: ints and floats become floats, anything else mixed
    /// becomes text.
    pub fn observe(&mut self, i: usize, value: &Value) {
        let seen = match value {
            Value::Null => return,
            Value::Bool(_) => Kind::Bool,
            Value::Int(_) => Kind::Int,
            Value::Float(_) => Kind::Float,
            Value::Text(_) => Kind::Text,
        };
        let slot = &mut self.kinds[i];
        *slot = Some(match (*slot, seen) {
            (None, k) => k,
            (Some(a), b) if a == b => a,
            (Some(Kind::Int | Kind::Float), Kind::Int | Kind::Float) => Kind::Float,
            _ => Kind::Text,
        });
    }
}

/// A dataset read from one input.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dataset {
    pub name: String,
    pub schema: Schema,
    pub features: Vec<Feature>,
    /// The CRS the input declares (`EPSG:nnnn` or WKT), if any.
    pub crs: Option<String>,
}

impl Dataset {
    /// Adds a feature from `(name, value)` pairs, growing the schema as needed.
    pub fn push(
        &mut self,
        geometry: Option<Geometry<f64>>,
        properties: impl IntoIterator<Item = (String, Value)>,
    ) {
        let mut values = vec![Value::Null; self.schema.names.len()];
        for (name, value) in properties {
            let i = self.schema.column(&name);
            self.schema.observe(i, &value);
            if i >= values.len() {
                values.resize(i + 1, Value::Null);
            }
            values[i] = value;
        }
        self.features.push(Feature { geometry, values });
    }
}

/// Checks a geometry: finite coordinates, lines of two points or more, closed rings of four
/// points or more. Rings given open are closed.
pub fn validate(geometry: Geometry<f64>) -> Result<Geometry<f64>, String> {
    fn coord(c: &Coord<f64>) -> Result<(), String> {
        if c.x.is_finite() && c.y.is_finite() {
            Ok(())
        } else {
            Err(format!("coordinate ({}, {}) is not a number", c.x, c.y))
        }
    }
    fn line(l: &LineString<f64>) -> Result<(), String> {
        l.0.iter().try_for_each(coord)?;
        if l.0.len() < 2 {
            return Err(format!("a line has {} point(s); two are needed", l.0.len()));
        }
        Ok(())
    }
    fn ring(mut r: LineString<f64>) -> Result<LineString<f64>, String> {
        r.0.iter().try_for_each(coord)?;
        r.close();
        if r.0.len() < 4 {
            return Err(format!(
                "a ring has {} point(s); four are needed (closed)",
                r.0.len()
            ));
        }
        Ok(r)
    }
    fn polygon(p: Polygon<f64>) -> Result<Polygon<f64>, String> {
        let (exterior, interiors) = p.into_inner();
        let exterior = ring(exterior)?;
        let interiors = interiors
            .into_iter()
            .map(ring)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Polygon::new(exterior, interiors))
    }
    Ok(match geometry {
        Geometry::Point(p) => {
            coord(&p.0)?;
            Geometry::Point(p)
        }
        Geometry::MultiPoint(mp) => {
            mp.0.iter().try_for_each(|p| coord(&p.0))?;
            Geometry::MultiPoint(mp)
        }
        Geometry::LineString(l) => {
            line(&l)?;
            Geometry::LineString(l)
        }
        Geometry::MultiLineString(ml) => {
            ml.0.iter().try_for_each(line)?;
            Geometry::MultiLineString(ml)
        }
        Geometry::Polygon(p) => Geometry::Polygon(polygon(p)?),
        Geometry::MultiPolygon(mp) => Geometry::MultiPolygon(geo_types::MultiPolygon(
            mp.0.into_iter().map(polygon).collect::<Result<_, _>>()?,
        )),
        Geometry::Rect(r) => Geometry::Polygon(polygon(r.to_polygon())?),
        Geometry::Triangle(t) => Geometry::Polygon(polygon(t.to_polygon())?),
        Geometry::Line(l) => {
            let l = LineString::from(vec![l.start, l.end]);
            line(&l)?;
            Geometry::LineString(l)
        }
        Geometry::GeometryCollection(_) => {
            return Err("geometry collections are not supported; split them first".to_owned());
        }
    })
}
