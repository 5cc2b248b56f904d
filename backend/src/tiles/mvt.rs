//! A small, allocation-conscious Mapbox Vector Tile 2.1 encoder: protobuf written by hand, keys
//! and values interned through hash maps (constant time per attribute, where the `mvt` crate
//! scans linearly), geometry commands produced by [`super::geometry`].

use std::collections::HashMap;

/// MVT geometry type of a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeomType {
    Point = 1,
    LineString = 2,
    Polygon = 3,
}

/// An attribute value as MVT stores it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    String(&'a str),
    Float(f32),
    Double(f64),
    Uint(u64),
    Sint(i64),
    Bool(bool),
}

impl Value<'_> {
    /// Integers go to `uint_value` when non-negative, `sint_value` otherwise (zig-zag).
    pub fn int(v: i64) -> Self {
        u64::try_from(v).map_or(Value::Sint(v), Value::Uint)
    }
}

#[derive(Hash, PartialEq, Eq)]
enum ScalarKey {
    Float(u32),
    Double(u64),
    Uint(u64),
    Sint(i64),
    Bool(bool),
}

/// One layer of a tile under construction.
pub struct LayerBuilder {
    name: String,
    extent: u32,
    keys: Vec<u8>,
    key_index: HashMap<Box<str>, u32>,
    values: Vec<u8>,
    value_count: u32,
    string_index: HashMap<Box<str>, u32>,
    scalar_index: HashMap<ScalarKey, u32>,
    features: Vec<u8>,
    feature_count: usize,
    tags: Vec<u32>,
}

impl LayerBuilder {
    pub fn new(name: &str, extent: u32) -> Self {
        Self {
            name: name.to_owned(),
            extent,
            keys: Vec::new(),
            key_index: HashMap::new(),
            values: Vec::new(),
            value_count: 0,
            string_index: HashMap::new(),
            scalar_index: HashMap::new(),
            features: Vec::new(),
            feature_count: 0,
            tags: Vec::new(),
        }
    }

    pub fn feature_count(&self) -> usize {
        self.feature_count
    }

    /// Index of `key` in the layer's key table, adding it on first use.
    pub fn key(&mut self, key: &str) -> u32 {
        if let Some(&i) = self.key_index.get(key) {
            return i;
        }
        let i = self.key_index.len() as u32;
        write_bytes_field(&mut self.keys, 3, key.as_bytes());
        self.key_index.insert(key.into(), i);
        i
    }

    /// Index of `value` in the layer's value table, adding it on first use.
    pub fn value(&mut self, value: Value<'_>) -> u32 {
        let found = match value {
            Value::String(s) => self.string_index.get(s).copied(),
            _ => self.scalar_index.get(&scalar_key(value)).copied(),
        };
        if let Some(i) = found {
            return i;
        }
        let i = self.value_count;
        self.value_count += 1;
        let mut msg = Vec::with_capacity(16);
        match value {
            Value::String(s) => {
                write_bytes_field(&mut msg, 1, s.as_bytes());
                self.string_index.insert(s.into(), i);
            }
            other => {
                match other {
                    Value::Float(f) => {
                        write_key(&mut msg, 2, WIRE_FIXED32);
                        msg.extend_from_slice(&f.to_le_bytes());
                    }
                    Value::Double(d) => {
                        write_key(&mut msg, 3, WIRE_FIXED64);
                        msg.extend_from_slice(&d.to_le_bytes());
                    }
                    Value::Uint(u) => write_varint_field(&mut msg, 5, u),
                    Value::Sint(s) => write_varint_field(&mut msg, 6, zigzag64(s)),
                    Value::Bool(b) => write_varint_field(&mut msg, 7, u64::from(b)),
                    Value::String(_) => {}
                }
                self.scalar_index.insert(scalar_key(other), i);
            }
        }
        write_bytes_field(&mut self.values, 4, &msg);
        i
    }

    /// Adds an attribute to the feature about to be added with [`Self::push_feature`].
    pub fn tag(&mut self, key: &str, value: Value<'_>) {
        let k = self.key(key);
        let v = self.value(value);
        self.tags.push(k);
        self.tags.push(v);
    }

    /// Drops the attributes given since the last feature (for a feature that turned out empty).
    pub fn discard_tags(&mut self) {
        self.tags.clear();
    }

    /// Appends a feature with the tags given since the last one and the encoded `geometry`.
    pub fn push_feature(&mut self, id: Option<u64>, kind: GeomType, geometry: &[u32]) {
        let mut msg = Vec::with_capacity(geometry.len() * 2 + self.tags.len() + 16);
        if let Some(id) = id {
            write_varint_field(&mut msg, 1, id);
        }
        if !self.tags.is_empty() {
            write_packed(&mut msg, 2, &self.tags);
        }
        write_varint_field(&mut msg, 3, kind as u64);
        write_packed(&mut msg, 4, geometry);
        write_bytes_field(&mut self.features, 2, &msg);
        self.feature_count += 1;
        self.tags.clear();
    }

    /// The encoded `Layer` message (without its field key).
    fn finish(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            self.name.len() + self.features.len() + self.keys.len() + self.values.len() + 16,
        );
        write_varint_field(&mut out, 15, 2);
        write_bytes_field(&mut out, 1, self.name.as_bytes());
        out.extend_from_slice(&self.features);
        out.extend_from_slice(&self.keys);
        out.extend_from_slice(&self.values);
        write_varint_field(&mut out, 5, u64::from(self.extent));
        out
    }
}

/// Encodes a tile from its layers; layers without features are left out. `None` if nothing is left.
pub fn encode_tile(layers: impl IntoIterator<Item = LayerBuilder>) -> Option<Vec<u8>> {
    let mut tile = Vec::new();
    for layer in layers {
        if layer.feature_count > 0 {
            write_bytes_field(&mut tile, 3, &layer.finish());
        }
    }
    (!tile.is_empty()).then_some(tile)
}

fn scalar_key(value: Value<'_>) -> ScalarKey {
    match value {
        Value::Float(f) => ScalarKey::Float(f.to_bits()),
        Value::Double(d) => ScalarKey::Double(d.to_bits()),
        Value::Uint(u) => ScalarKey::Uint(u),
        Value::Sint(s) => ScalarKey::Sint(s),
        Value::Bool(b) => ScalarKey::Bool(b),
        // Strings have their own index; this arm is never used for them.
        Value::String(_) => ScalarKey::Bool(false),
    }
}

const WIRE_VARINT: u8 = 0;
const WIRE_FIXED64: u8 = 1;
const WIRE_LEN: u8 = 2;
const WIRE_FIXED32: u8 = 5;

#[inline]
pub fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[inline]
fn write_key(out: &mut Vec<u8>, field: u32, wire: u8) {
    write_varint(out, u64::from(field << 3 | u32::from(wire)));
}

fn write_varint_field(out: &mut Vec<u8>, field: u32, v: u64) {
    write_key(out, field, WIRE_VARINT);
    write_varint(out, v);
}

fn write_bytes_field(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    write_key(out, field, WIRE_LEN);
    write_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn write_packed(out: &mut Vec<u8>, field: u32, values: &[u32]) {
    let len: usize = values.iter().map(|&v| varint_len(u64::from(v))).sum();
    write_key(out, field, WIRE_LEN);
    write_varint(out, len as u64);
    for &v in values {
        write_varint(out, u64::from(v));
    }
}

fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

#[inline]
pub fn zigzag32(v: i32) -> u32 {
    ((v << 1) ^ (v >> 31)) as u32
}

fn zigzag64(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_match_the_protobuf_encoding() {
        let enc = |v| {
            let mut out = Vec::new();
            write_varint(&mut out, v);
            out
        };
        assert_eq!(enc(0), [0]);
        assert_eq!(enc(1), [1]);
        assert_eq!(enc(300), [0xac, 0x02]);
        assert_eq!(enc(u64::MAX).len(), 10);
        for v in [
            0,
            1,
            127,
            128,
            16_383,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            assert_eq!(enc(v).len(), varint_len(v), "{v}");
        }
    }

    #[test]
    fn zigzag_maps_small_magnitudes_to_small_numbers() {
        assert_eq!(zigzag32(0), 0);
        assert_eq!(zigzag32(-1), 1);
        assert_eq!(zigzag32(1), 2);
        assert_eq!(zigzag32(-2), 3);
        assert_eq!(zigzag64(i64::MIN), u64::MAX);
    }

    #[test]
    fn repeated_keys_and_values_are_stored_once() {
        let mut layer = LayerBuilder::new("l", 4096);
        for _ in 0..3 {
            layer.tag("nom", Value::String("Brest"));
            layer.tag("population", Value::int(139_000));
            layer.push_feature(None, GeomType::Point, &[9, 2, 2]);
        }
        layer.tag("nom", Value::String("Quimper"));
        layer.tag("delta", Value::int(-3));
        layer.push_feature(Some(7), GeomType::Point, &[9, 4, 4]);
        assert_eq!(layer.key_index.len(), 3);
        assert_eq!(layer.value_count, 4);
        assert_eq!(layer.feature_count(), 4);
    }

    #[test]
    fn a_tile_without_features_encodes_to_nothing() {
        assert!(encode_tile([LayerBuilder::new("empty", 4096)]).is_none());
    }
}
