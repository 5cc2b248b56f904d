//! Per-layer tile cache: load state of every tile the map asked for, least-recently-used
//! eviction bounded in bytes, and the list of loads that are no longer wanted (to cancel).

use std::collections::{HashMap, HashSet};

use crate::tilegrid::TileKey;

/// Where a tile stands.
#[derive(Debug, Clone, PartialEq)]
pub enum TileState<T> {
    Loading,
    Ready(T),
    /// The server has no data there (HTTP 204).
    Empty,
    Failed,
}

/// What the frame builder needs to know about a tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ready,
    Empty,
    Loading,
    Failed,
    Absent,
}

#[derive(Debug)]
struct Entry<T> {
    state: TileState<T>,
    bytes: usize,
    last_used: u64,
}

#[derive(Debug)]
pub struct TileCache<T> {
    entries: HashMap<TileKey, Entry<T>>,
    clock: u64,
    used_bytes: usize,
    budget_bytes: usize,
}

impl<T> TileCache<T> {
    pub fn new(budget_bytes: usize) -> Self {
        Self {
            entries: HashMap::new(),
            clock: 0,
            used_bytes: 0,
            budget_bytes,
        }
    }

    pub fn status(&self, key: &TileKey) -> Status {
        match self.entries.get(key).map(|e| &e.state) {
            None => Status::Absent,
            Some(TileState::Loading) => Status::Loading,
            Some(TileState::Ready(_)) => Status::Ready,
            Some(TileState::Empty) => Status::Empty,
            Some(TileState::Failed) => Status::Failed,
        }
    }

    pub fn get(&self, key: &TileKey) -> Option<&T> {
        match self.entries.get(key).map(|e| &e.state) {
            Some(TileState::Ready(tile)) => Some(tile),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, key: &TileKey) -> Option<&mut T> {
        match self.entries.get_mut(key).map(|e| &mut e.state) {
            Some(TileState::Ready(tile)) => Some(tile),
            _ => None,
        }
    }

    /// Marks tiles as used now (they are on screen or wanted), protecting them from eviction.
    pub fn touch<'a>(&mut self, keys: impl IntoIterator<Item = &'a TileKey>) {
        self.clock += 1;
        for key in keys {
            if let Some(entry) = self.entries.get_mut(key) {
                entry.last_used = self.clock;
            }
        }
    }

    /// Records that a load started. Returns false if the tile is already known (no new load).
    pub fn start_loading(&mut self, key: TileKey) -> bool {
        if self.entries.contains_key(&key) {
            return false;
        }
        self.insert(key, TileState::Loading, 0);
        true
    }

    /// Stores the outcome of a load; ignored if the load was cancelled meanwhile.
    pub fn finish(&mut self, key: TileKey, state: TileState<T>, bytes: usize) {
        if matches!(
            self.entries.get(&key).map(|e| &e.state),
            Some(TileState::Loading)
        ) {
            self.insert(key, state, bytes);
        }
    }

    fn insert(&mut self, key: TileKey, state: TileState<T>, bytes: usize) {
        let entry = Entry {
            state,
            bytes,
            last_used: self.clock,
        };
        if let Some(old) = self.entries.insert(key, entry) {
            self.used_bytes -= old.bytes;
        }
        self.used_bytes += bytes;
    }

    /// Loads under way for tiles outside `wanted`: the caller aborts them; they are forgotten.
    pub fn cancel_unwanted(&mut self, wanted: &HashSet<TileKey>) -> Vec<TileKey> {
        let stale: Vec<TileKey> = self
            .entries
            .iter()
            .filter(|(k, e)| matches!(e.state, TileState::Loading) && !wanted.contains(k))
            .map(|(k, _)| *k)
            .collect();
        for key in &stale {
            self.entries.remove(key);
        }
        stale
    }

    /// Evicts least-recently-used tiles until within budget; tiles used at the current clock
    /// tick (on screen) are kept even over budget. Returns the evicted keys.
    pub fn evict(&mut self) -> Vec<TileKey> {
        let mut evicted = Vec::new();
        if self.used_bytes <= self.budget_bytes {
            return evicted;
        }
        let mut candidates: Vec<(u64, TileKey)> = self
            .entries
            .iter()
            .filter(|(_, e)| e.last_used < self.clock && !matches!(e.state, TileState::Loading))
            .map(|(k, e)| (e.last_used, *k))
            .collect();
        candidates.sort_unstable();
        for (_, key) in candidates {
            if self.used_bytes <= self.budget_bytes {
                break;
            }
            if let Some(entry) = self.entries.remove(&key) {
                self.used_bytes -= entry.bytes;
                evicted.push(key);
            }
        }
        evicted
    }

    /// Forgets one tile (a failed one to retry, say).
    pub fn forget(&mut self, key: &TileKey) {
        if let Some(entry) = self.entries.remove(key) {
            self.used_bytes -= entry.bytes;
        }
    }

    /// Forgets failed tiles so that they are asked for again.
    pub fn forget_failed(&mut self) {
        self.entries
            .retain(|_, e| !matches!(e.state, TileState::Failed));
    }

    pub fn used_bytes(&self) -> usize {
        self.used_bytes
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(x: u32) -> TileKey {
        TileKey::new(5, x, 0)
    }

    #[test]
    fn a_tile_goes_from_absent_to_loading_to_ready() {
        let mut cache = TileCache::new(1000);
        assert_eq!(cache.status(&key(1)), Status::Absent);
        assert!(cache.start_loading(key(1)));
        assert!(
            !cache.start_loading(key(1)),
            "a second load of the same tile is not started"
        );
        assert_eq!(cache.status(&key(1)), Status::Loading);
        cache.finish(key(1), TileState::Ready("t"), 10);
        assert_eq!(cache.get(&key(1)), Some(&"t"));
        assert_eq!(cache.used_bytes(), 10);
    }

    #[test]
    fn least_recently_used_tiles_are_evicted_first_and_visible_ones_never() {
        let mut cache = TileCache::new(250);
        for x in 0..4 {
            cache.start_loading(key(x));
            cache.finish(key(x), TileState::Ready(x), 100);
            cache.touch(&[key(x)]);
        }
        cache.touch(&[key(0)]); // key 0 is on screen again: most recent.
        let evicted = cache.evict();
        assert_eq!(evicted, vec![key(1), key(2)]);
        assert_eq!(cache.used_bytes(), 200);
        assert_eq!(cache.status(&key(0)), Status::Ready);
    }

    #[test]
    fn loads_that_left_the_view_are_cancelled_and_their_late_answers_ignored() {
        let mut cache: TileCache<u8> = TileCache::new(1000);
        cache.start_loading(key(1));
        cache.start_loading(key(2));
        let wanted: HashSet<_> = [key(2)].into();
        assert_eq!(cache.cancel_unwanted(&wanted), vec![key(1)]);
        cache.finish(key(1), TileState::Ready(1), 10);
        assert_eq!(cache.status(&key(1)), Status::Absent);
        assert_eq!(cache.used_bytes(), 0);
    }

    #[test]
    fn a_forgotten_tile_is_loaded_again_and_its_bytes_released() {
        let mut cache = TileCache::new(1000);
        cache.start_loading(key(1));
        cache.finish(key(1), TileState::Ready(1), 40);
        cache.forget(&key(1));
        assert_eq!(cache.used_bytes(), 0);
        assert!(cache.start_loading(key(1)));
    }

    #[test]
    fn failed_tiles_are_retried_after_being_forgotten() {
        let mut cache: TileCache<u8> = TileCache::new(1000);
        cache.start_loading(key(1));
        cache.finish(key(1), TileState::Failed, 0);
        assert!(!cache.start_loading(key(1)));
        cache.forget_failed();
        assert!(cache.start_loading(key(1)));
    }
}
