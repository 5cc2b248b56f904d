//! Mapbox Vector Tile 2.1 decoder: a small protobuf reader that never panics on bad input,
//! producing layers whose features keep their geometry in tile units and their attributes as
//! indices into the layer's key and value tables.

use std::fmt;

/// A decoded tile.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tile {
    pub layers: Vec<Layer>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    pub name: String,
    pub extent: u32,
    pub keys: Vec<String>,
    pub values: Vec<Value>,
    pub features: Vec<Feature>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeomKind {
    Unknown,
    Point,
    LineString,
    Polygon,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub id: Option<u64>,
    pub kind: GeomKind,
    /// Key index, value index, key index, value index...
    pub tags: Vec<u32>,
    /// Points (one position each), lines, or polygon rings (exterior rings have positive area
    /// in tile space, holes negative; rings are not repeated-closed).
    pub geometry: Vec<Vec<[i32; 2]>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    String(String),
    Float(f32),
    Double(f64),
    Int(i64),
    Uint(u64),
    Sint(i64),
    Bool(bool),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(s) => f.write_str(s),
            Value::Float(v) => write!(f, "{v}"),
            Value::Double(v) => write!(f, "{v}"),
            Value::Int(v) | Value::Sint(v) => write!(f, "{v}"),
            Value::Uint(v) => write!(f, "{v}"),
            Value::Bool(v) => write!(f, "{v}"),
        }
    }
}

impl Layer {
    /// A feature's attributes as `(key, value)` pairs; dangling indices are skipped.
    pub fn properties<'a>(
        &'a self,
        feature: &'a Feature,
    ) -> impl Iterator<Item = (&'a str, &'a Value)> {
        feature.tags.chunks_exact(2).filter_map(|kv| {
            let key = self.keys.get(kv[0] as usize)?;
            let value = self.values.get(kv[1] as usize)?;
            Some((key.as_str(), value))
        })
    }

    /// Approximate heap size, for cache budgets.
    pub fn byte_size(&self) -> usize {
        let geometry: usize = self
            .features
            .iter()
            .map(|f| {
                f.geometry.iter().map(|p| p.len() * 8 + 24).sum::<usize>() + f.tags.len() * 4 + 64
            })
            .sum();
        let strings: usize = self.keys.iter().map(|k| k.len() + 24).sum::<usize>()
            + self
                .values
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.len() + 32,
                    _ => 32,
                })
                .sum::<usize>();
        geometry + strings + self.name.len()
    }
}

impl Tile {
    pub fn layer(&self, name: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.name == name)
    }

    pub fn byte_size(&self) -> usize {
        self.layers.iter().map(Layer::byte_size).sum()
    }
}

/// Why a tile could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub &'static str);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid vector tile: {}", self.0)
    }
}

impl std::error::Error for DecodeError {}

type Result<T> = std::result::Result<T, DecodeError>;

/// Decodes a (decompressed) MVT.
pub fn decode(bytes: &[u8]) -> Result<Tile> {
    let mut reader = Reader::new(bytes);
    let mut tile = Tile::default();
    while let Some((field, wire)) = reader.key()? {
        if field == 3 && wire == LEN {
            tile.layers.push(decode_layer(reader.bytes()?)?);
        } else {
            reader.skip(wire)?;
        }
    }
    Ok(tile)
}

fn decode_layer(bytes: &[u8]) -> Result<Layer> {
    let mut reader = Reader::new(bytes);
    let mut layer = Layer {
        name: String::new(),
        extent: 4096,
        keys: Vec::new(),
        values: Vec::new(),
        features: Vec::new(),
    };
    while let Some((field, wire)) = reader.key()? {
        match (field, wire) {
            (1, LEN) => layer.name = reader.string()?,
            (2, LEN) => layer.features.push(decode_feature(reader.bytes()?)?),
            (3, LEN) => layer.keys.push(reader.string()?),
            (4, LEN) => layer.values.push(decode_value(reader.bytes()?)?),
            (5, VARINT) => {
                layer.extent =
                    u32::try_from(reader.varint()?).map_err(|_| DecodeError("extent"))?;
            }
            _ => reader.skip(wire)?,
        }
    }
    if layer.extent == 0 {
        return Err(DecodeError("layer extent is zero"));
    }
    Ok(layer)
}

fn decode_value(bytes: &[u8]) -> Result<Value> {
    let mut reader = Reader::new(bytes);
    let mut value = None;
    while let Some((field, wire)) = reader.key()? {
        value = Some(match (field, wire) {
            (1, LEN) => Value::String(reader.string()?),
            (2, FIXED32) => Value::Float(f32::from_le_bytes(reader.fixed::<4>()?)),
            (3, FIXED64) => Value::Double(f64::from_le_bytes(reader.fixed::<8>()?)),
            (4, VARINT) => Value::Int(reader.varint()? as i64),
            (5, VARINT) => Value::Uint(reader.varint()?),
            (6, VARINT) => Value::Sint(unzigzag64(reader.varint()?)),
            (7, VARINT) => Value::Bool(reader.varint()? != 0),
            _ => {
                reader.skip(wire)?;
                continue;
            }
        });
    }
    value.ok_or(DecodeError("empty value"))
}

fn decode_feature(bytes: &[u8]) -> Result<Feature> {
    let mut reader = Reader::new(bytes);
    let mut feature = Feature {
        id: None,
        kind: GeomKind::Unknown,
        tags: Vec::new(),
        geometry: Vec::new(),
    };
    let mut commands = Vec::new();
    while let Some((field, wire)) = reader.key()? {
        match (field, wire) {
            (1, VARINT) => feature.id = Some(reader.varint()?),
            (2, LEN) => feature.tags = packed_u32(reader.bytes()?)?,
            (3, VARINT) => {
                feature.kind = match reader.varint()? {
                    1 => GeomKind::Point,
                    2 => GeomKind::LineString,
                    3 => GeomKind::Polygon,
                    _ => GeomKind::Unknown,
                }
            }
            (4, LEN) => commands = packed_u32(reader.bytes()?)?,
            _ => reader.skip(wire)?,
        }
    }
    feature.geometry = decode_geometry(&commands, feature.kind)?;
    Ok(feature)
}

fn decode_geometry(commands: &[u32], kind: GeomKind) -> Result<Vec<Vec<[i32; 2]>>> {
    let mut paths: Vec<Vec<[i32; 2]>> = Vec::new();
    let mut cursor = [0i32, 0i32];
    let mut i = 0;
    while i < commands.len() {
        let (id, count) = (commands[i] & 7, (commands[i] >> 3) as usize);
        i += 1;
        match id {
            1 | 2 => {
                let params = commands
                    .get(i..i + 2 * count)
                    .ok_or(DecodeError("geometry command runs past its parameters"))?;
                i += 2 * count;
                for pair in params.chunks_exact(2) {
                    cursor = [
                        cursor[0].wrapping_add(unzigzag32(pair[0])),
                        cursor[1].wrapping_add(unzigzag32(pair[1])),
                    ];
                    if id == 1 {
                        paths.push(vec![cursor]);
                    } else {
                        paths
                            .last_mut()
                            .ok_or(DecodeError("LineTo before MoveTo"))?
                            .push(cursor);
                    }
                }
            }
            7 => {
                if kind != GeomKind::Polygon || paths.is_empty() {
                    return Err(DecodeError("ClosePath outside a polygon ring"));
                }
            }
            _ => return Err(DecodeError("unknown geometry command")),
        }
    }
    Ok(paths)
}

const VARINT: u8 = 0;
const FIXED64: u8 = 1;
const LEN: u8 = 2;
const FIXED32: u8 = 5;

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    fn key(&mut self) -> Result<Option<(u32, u8)>> {
        if self.pos >= self.bytes.len() {
            return Ok(None);
        }
        let key = self.varint()?;
        let field = u32::try_from(key >> 3).map_err(|_| DecodeError("field number"))?;
        Ok(Some((field, (key & 7) as u8)))
    }

    fn varint(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self
                .bytes
                .get(self.pos)
                .ok_or(DecodeError("truncated varint"))?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(DecodeError("varint too long"))
    }

    fn bytes(&mut self) -> Result<&'a [u8]> {
        let len = usize::try_from(self.varint()?).map_err(|_| DecodeError("length"))?;
        let end = self.pos.checked_add(len).ok_or(DecodeError("length"))?;
        let slice = self
            .bytes
            .get(self.pos..end)
            .ok_or(DecodeError("truncated field"))?;
        self.pos = end;
        Ok(slice)
    }

    fn string(&mut self) -> Result<String> {
        std::str::from_utf8(self.bytes()?)
            .map(str::to_owned)
            .map_err(|_| DecodeError("string is not UTF-8"))
    }

    fn fixed<const N: usize>(&mut self) -> Result<[u8; N]> {
        let slice = self
            .bytes
            .get(self.pos..self.pos + N)
            .ok_or(DecodeError("truncated fixed-size field"))?;
        self.pos += N;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    fn skip(&mut self, wire: u8) -> Result<()> {
        match wire {
            VARINT => self.varint().map(drop),
            FIXED64 => self.fixed::<8>().map(drop),
            LEN => self.bytes().map(drop),
            FIXED32 => self.fixed::<4>().map(drop),
            _ => Err(DecodeError("unknown wire type")),
        }
    }
}

fn packed_u32(bytes: &[u8]) -> Result<Vec<u32>> {
    let mut reader = Reader::new(bytes);
    let mut out = Vec::with_capacity(bytes.len());
    while reader.pos < bytes.len() {
        out.push(
            u32::try_from(reader.varint()?)
                .map_err(|_| DecodeError("packed value exceeds 32 bits"))?,
        );
    }
    Ok(out)
}

fn unzigzag32(v: u32) -> i32 {
    ((v >> 1) as i32) ^ -((v & 1) as i32)
}

fn unzigzag64(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A tiny hand-assembled tile: layer "l" with one polygon (the MVT spec example) tagged
    /// nom=Brest, and one point.
    pub(crate) fn sample_tile() -> Vec<u8> {
        fn field(out: &mut Vec<u8>, num: u8, bytes: &[u8]) {
            out.push(num << 3 | 2);
            out.push(bytes.len() as u8);
            out.extend_from_slice(bytes);
        }
        let mut polygon = vec![3 << 3, 3]; // type = polygon
        field(&mut polygon, 2, &[0, 0]); // tags
        field(&mut polygon, 4, &[9, 6, 12, 18, 10, 12, 24, 44, 15]);
        let mut point = vec![1 << 3, 42, 3 << 3, 1];
        field(&mut point, 4, &[9, 50, 34]);
        let mut value = Vec::new();
        field(&mut value, 1, b"Brest");
        let mut layer = vec![15 << 3, 2];
        field(&mut layer, 1, b"l");
        field(&mut layer, 2, &polygon);
        field(&mut layer, 2, &point);
        field(&mut layer, 3, b"nom");
        field(&mut layer, 4, &value);
        layer.extend_from_slice(&[5 << 3, 0x80, 0x20]); // extent 4096
        let mut tile = Vec::new();
        field(&mut tile, 3, &layer);
        tile
    }

    #[test]
    fn the_spec_example_polygon_and_a_point_decode() {
        let tile = decode(&sample_tile()).unwrap();
        let layer = tile.layer("l").unwrap();
        assert_eq!(layer.extent, 4096);
        assert_eq!(layer.features.len(), 2);
        let polygon = &layer.features[0];
        assert_eq!(polygon.kind, GeomKind::Polygon);
        assert_eq!(polygon.geometry, vec![vec![[3, 6], [8, 12], [20, 34]]]);
        let props: Vec<_> = layer.properties(polygon).collect();
        assert_eq!(props, vec![("nom", &Value::String("Brest".into()))]);
        let point = &layer.features[1];
        assert_eq!((point.id, point.kind), (Some(42), GeomKind::Point));
        assert_eq!(point.geometry, vec![vec![[25, 17]]]);
    }

    #[test]
    fn every_truncation_of_a_tile_is_an_error_or_a_smaller_tile_never_a_panic() {
        let bytes = sample_tile();
        for end in 0..bytes.len() {
            let _ = decode(&bytes[..end]);
        }
        for i in 0..bytes.len() {
            let mut corrupt = bytes.clone();
            corrupt[i] ^= 0xff;
            let _ = decode(&corrupt);
        }
    }

    #[test]
    fn an_empty_body_is_an_empty_tile() {
        assert_eq!(decode(&[]).unwrap(), Tile::default());
    }
}
