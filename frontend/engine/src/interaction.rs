//! Interactions as state machines over abstract input (no DOM here): one pointer drags (and
//! flings, kinetic), two pointers pinch-zoom and pan, shift-drag draws a zoom box, short taps
//! are clicks and double clicks; wheel deltas are normalised across mice and trackpads; keys
//! pan and zoom.

use std::collections::VecDeque;

/// A pointer's state in viewport CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointerInput {
    pub id: i32,
    pub x: f64,
    pub y: f64,
    /// Event time in milliseconds.
    pub time_ms: f64,
    /// Shift held (starts a zoom box).
    pub shift: bool,
}

/// A pointer event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pointer {
    Down(PointerInput),
    Move(PointerInput),
    Up(PointerInput),
    Cancel { id: i32 },
}

/// What the user means, for the map to apply.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Gesture {
    /// Move the content by this many CSS px.
    Pan { dx: f64, dy: f64 },
    /// Two fingers: move the content by `dx, dy`, then zoom by `zoom_delta` levels around
    /// `anchor`.
    Pinch {
        anchor: [f64; 2],
        zoom_delta: f64,
        dx: f64,
        dy: f64,
    },
    /// The zoom box being drawn.
    Box { from: [f64; 2], to: [f64; 2] },
    /// The zoom box released: fit the view to it.
    BoxEnd { from: [f64; 2], to: [f64; 2] },
    /// A tap or click (identify).
    Click { x: f64, y: f64 },
    /// A second click close in time and place (zoom in).
    DoubleClick { x: f64, y: f64 },
    /// A drag released while moving: continue with this velocity (px/ms), decaying.
    Fling { vx: f64, vy: f64 },
}

/// Farther than this (CSS px) and a press is a drag, not a click.
const CLICK_TOLERANCE: f64 = 5.0;
/// A click is shorter than this.
const CLICK_MAX_MS: f64 = 600.0;
/// Two clicks closer than this in time and place make a double click.
const DOUBLE_CLICK_MS: f64 = 350.0;
const DOUBLE_CLICK_PX: f64 = 10.0;
/// Velocity is measured over the last part of a drag.
const FLING_WINDOW_MS: f64 = 100.0;
/// Slower than this (px/ms) and a release just stops.
pub const MIN_FLING_VELOCITY: f64 = 0.05;

#[derive(Debug, Clone, PartialEq)]
enum Mode {
    Idle,
    Drag { moved: f64, started_ms: f64 },
    Pinch { distance: f64, middle: [f64; 2] },
    Box { from: [f64; 2], to: [f64; 2] },
}

/// Turns pointer events into gestures.
#[derive(Debug, Clone)]
pub struct Gestures {
    pointers: Vec<(i32, [f64; 2])>,
    mode: Mode,
    samples: VecDeque<(f64, [f64; 2])>,
    last_click: Option<(f64, [f64; 2])>,
}

impl Default for Gestures {
    fn default() -> Self {
        Self {
            pointers: Vec::new(),
            mode: Mode::Idle,
            samples: VecDeque::new(),
            last_click: None,
        }
    }
}

fn distance(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

fn middle(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [f64::midpoint(a[0], b[0]), f64::midpoint(a[1], b[1])]
}

impl Gestures {
    /// True while a pointer is down (the map should not start kinetic motion).
    pub fn is_active(&self) -> bool {
        !self.pointers.is_empty()
    }

    fn position(&self, id: i32) -> Option<[f64; 2]> {
        self.pointers
            .iter()
            .find(|(p, _)| *p == id)
            .map(|(_, pos)| *pos)
    }

    fn pinch_state(&self) -> Option<(f64, [f64; 2])> {
        match self.pointers.as_slice() {
            [(_, a), (_, b), ..] => Some((distance(*a, *b), middle(*a, *b))),
            _ => None,
        }
    }

    pub fn handle(&mut self, event: Pointer) -> Vec<Gesture> {
        match event {
            Pointer::Down(p) => self.down(p),
            Pointer::Move(p) => self.moved(p),
            Pointer::Up(p) => self.up(p.id, Some(p)),
            Pointer::Cancel { id } => self.up(id, None),
        }
    }

    fn down(&mut self, p: PointerInput) -> Vec<Gesture> {
        if self.position(p.id).is_some() || self.pointers.len() >= 2 {
            return Vec::new();
        }
        self.pointers.push((p.id, [p.x, p.y]));
        self.mode = match (self.pointers.len(), p.shift) {
            (1, true) => Mode::Box {
                from: [p.x, p.y],
                to: [p.x, p.y],
            },
            (1, false) => Mode::Drag {
                moved: 0.0,
                started_ms: p.time_ms,
            },
            _ => match self.pinch_state() {
                Some((distance, middle)) => Mode::Pinch { distance, middle },
                None => Mode::Idle,
            },
        };
        self.samples.clear();
        self.samples.push_back((p.time_ms, [p.x, p.y]));
        Vec::new()
    }

    fn moved(&mut self, p: PointerInput) -> Vec<Gesture> {
        let Some(previous) = self.position(p.id) else {
            return Vec::new();
        };
        let now = [p.x, p.y];
        if let Some(slot) = self.pointers.iter_mut().find(|(id, _)| *id == p.id) {
            slot.1 = now;
        }
        let pinch = self.pinch_state();
        match &mut self.mode {
            Mode::Drag { moved, .. } => {
                let (dx, dy) = (now[0] - previous[0], now[1] - previous[1]);
                *moved += dx.hypot(dy);
                self.samples.push_back((p.time_ms, now));
                while self.samples.len() > 2
                    && self
                        .samples
                        .front()
                        .is_some_and(|(t, _)| p.time_ms - t > FLING_WINDOW_MS)
                {
                    self.samples.pop_front();
                }
                if dx == 0.0 && dy == 0.0 {
                    Vec::new()
                } else {
                    vec![Gesture::Pan { dx, dy }]
                }
            }
            Mode::Pinch { distance, middle } => {
                let Some((new_distance, new_middle)) = pinch else {
                    return Vec::new();
                };
                let zoom_delta = if *distance > 0.0 && new_distance > 0.0 {
                    (new_distance / *distance).log2()
                } else {
                    0.0
                };
                let (dx, dy) = (new_middle[0] - middle[0], new_middle[1] - middle[1]);
                *distance = new_distance;
                *middle = new_middle;
                vec![Gesture::Pinch {
                    anchor: new_middle,
                    zoom_delta,
                    dx,
                    dy,
                }]
            }
            Mode::Box { from, to } => {
                *to = now;
                vec![Gesture::Box {
                    from: *from,
                    to: *to,
                }]
            }
            Mode::Idle => Vec::new(),
        }
    }

    fn up(&mut self, id: i32, p: Option<PointerInput>) -> Vec<Gesture> {
        if self.position(id).is_none() {
            return Vec::new();
        }
        self.pointers.retain(|(pid, _)| *pid != id);
        let mode = std::mem::replace(&mut self.mode, Mode::Idle);
        let mut out = Vec::new();
        match mode {
            Mode::Drag { moved, started_ms } => {
                if let Some(p) = p {
                    if moved < CLICK_TOLERANCE && p.time_ms - started_ms < CLICK_MAX_MS {
                        out.push(self.click(p));
                    } else if let Some(fling) = self.fling(p.time_ms) {
                        out.push(fling);
                    }
                }
            }
            Mode::Pinch { .. } => {
                // One finger left: it carries on dragging, never a click.
                if let Some((_, pos)) = self.pointers.first() {
                    self.mode = Mode::Drag {
                        moved: f64::INFINITY,
                        started_ms: p.map_or(0.0, |p| p.time_ms),
                    };
                    self.samples.clear();
                    self.samples.push_back((p.map_or(0.0, |p| p.time_ms), *pos));
                }
            }
            Mode::Box { from, to } => {
                if p.is_some() && distance(from, to) >= CLICK_TOLERANCE {
                    out.push(Gesture::BoxEnd { from, to });
                }
            }
            Mode::Idle => {}
        }
        out
    }

    fn click(&mut self, p: PointerInput) -> Gesture {
        let here = [p.x, p.y];
        let double = self.last_click.is_some_and(|(t, at)| {
            p.time_ms - t < DOUBLE_CLICK_MS && distance(at, here) < DOUBLE_CLICK_PX
        });
        if double {
            self.last_click = None;
            Gesture::DoubleClick { x: p.x, y: p.y }
        } else {
            self.last_click = Some((p.time_ms, here));
            Gesture::Click { x: p.x, y: p.y }
        }
    }

    fn fling(&self, now_ms: f64) -> Option<Gesture> {
        let (t0, a) = *self.samples.front()?;
        let (t1, b) = *self.samples.back()?;
        // A pause before release means no fling.
        if now_ms - t1 > FLING_WINDOW_MS || t1 - t0 <= 0.0 {
            return None;
        }
        let (vx, vy) = ((b[0] - a[0]) / (t1 - t0), (b[1] - a[1]) / (t1 - t0));
        (vx.hypot(vy) >= MIN_FLING_VELOCITY).then_some(Gesture::Fling { vx, vy })
    }
}

/// A fling in progress: the velocity decays exponentially, as in OpenLayers' kinetic pan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kinetic {
    vx: f64,
    vy: f64,
    start_ms: f64,
    last_ms: f64,
}

/// Per-millisecond exponential decay of a fling's velocity.
const DECAY: f64 = -0.005;

impl Kinetic {
    pub fn new(vx: f64, vy: f64, now_ms: f64) -> Self {
        Self {
            vx,
            vy,
            start_ms: now_ms,
            last_ms: now_ms,
        }
    }

    /// Distance covered after `t` ms, per unit of initial velocity.
    fn travelled(t: f64) -> f64 {
        ((DECAY * t).exp() - 1.0) / DECAY
    }

    /// The pan to apply since the last step, and whether the fling goes on.
    pub fn step(&mut self, now_ms: f64) -> ([f64; 2], bool) {
        let (a, b) = (self.last_ms - self.start_ms, now_ms - self.start_ms);
        let k = Self::travelled(b) - Self::travelled(a);
        self.last_ms = now_ms;
        let speed = self.vx.hypot(self.vy) * (DECAY * b).exp();
        ([self.vx * k, self.vy * k], speed >= MIN_FLING_VELOCITY)
    }
}

/// Unit of a wheel event's delta, as DOM `WheelEvent.deltaMode` gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WheelUnit {
    Pixel,
    Line,
    Page,
}

/// CSS pixels of scroll that make one zoom level.
const PIXELS_PER_ZOOM_LEVEL: f64 = 300.0;

/// Zoom change for one wheel event: line and page deltas are turned into pixels, then a
/// mouse notch (≈100 px) gives a third of a level and a trackpad's many small deltas add up
/// smoothly; one event never zooms more than one level.
pub fn wheel_zoom_delta(delta_y: f64, unit: WheelUnit) -> f64 {
    let pixels = match unit {
        WheelUnit::Pixel => delta_y,
        WheelUnit::Line => delta_y * 40.0,
        WheelUnit::Page => delta_y * 800.0,
    };
    (-pixels / PIXELS_PER_ZOOM_LEVEL).clamp(-1.0, 1.0)
}

/// What a key does to the map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KeyAction {
    /// Move the content by this many CSS px (animated).
    Pan { dx: f64, dy: f64 },
    /// Zoom by this many levels around the centre (animated).
    Zoom(f64),
}

/// Keyboard pan step, in CSS px (as OpenLayers).
pub const KEY_PAN_PX: f64 = 128.0;

/// The action of a key (`KeyboardEvent.key`), if any.
pub fn key_action(key: &str) -> Option<KeyAction> {
    Some(match key {
        "ArrowLeft" => KeyAction::Pan {
            dx: KEY_PAN_PX,
            dy: 0.0,
        },
        "ArrowRight" => KeyAction::Pan {
            dx: -KEY_PAN_PX,
            dy: 0.0,
        },
        "ArrowUp" => KeyAction::Pan {
            dx: 0.0,
            dy: KEY_PAN_PX,
        },
        "ArrowDown" => KeyAction::Pan {
            dx: 0.0,
            dy: -KEY_PAN_PX,
        },
        "+" | "=" => KeyAction::Zoom(1.0),
        "-" | "_" => KeyAction::Zoom(-1.0),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(id: i32, x: f64, y: f64, t: f64) -> PointerInput {
        PointerInput {
            id,
            x,
            y,
            time_ms: t,
            shift: false,
        }
    }

    #[test]
    fn a_drag_pans_by_each_movement_and_a_slow_release_does_not_fling() {
        let mut g = Gestures::default();
        assert!(g.handle(Pointer::Down(at(1, 10.0, 10.0, 0.0))).is_empty());
        assert_eq!(
            g.handle(Pointer::Move(at(1, 15.0, 8.0, 10.0))),
            [Gesture::Pan { dx: 5.0, dy: -2.0 }]
        );
        assert_eq!(
            g.handle(Pointer::Move(at(1, 20.0, 8.0, 20.0))),
            [Gesture::Pan { dx: 5.0, dy: 0.0 }]
        );
        assert!(g.is_active());
        // Released 500 ms later without moving: no fling, no click.
        assert!(g.handle(Pointer::Up(at(1, 20.0, 8.0, 520.0))).is_empty());
        assert!(!g.is_active());
    }

    #[test]
    fn a_fast_release_flings_with_the_recent_velocity() {
        let mut g = Gestures::default();
        g.handle(Pointer::Down(at(1, 0.0, 0.0, 0.0)));
        for i in 1..=10 {
            g.handle(Pointer::Move(at(
                1,
                f64::from(i) * 10.0,
                0.0,
                f64::from(i) * 10.0,
            )));
        }
        let out = g.handle(Pointer::Up(at(1, 100.0, 0.0, 105.0)));
        let [Gesture::Fling { vx, vy }] = out.as_slice() else {
            panic!("{out:?}");
        };
        assert!((vx - 1.0).abs() < 1e-9 && *vy == 0.0);
    }

    #[test]
    fn a_short_still_press_is_a_click_and_two_make_a_double_click() {
        let mut g = Gestures::default();
        g.handle(Pointer::Down(at(1, 50.0, 50.0, 0.0)));
        g.handle(Pointer::Move(at(1, 51.0, 50.0, 20.0)));
        assert_eq!(
            g.handle(Pointer::Up(at(1, 51.0, 50.0, 80.0))),
            [Gesture::Click { x: 51.0, y: 50.0 }]
        );
        g.handle(Pointer::Down(at(2, 52.0, 51.0, 200.0)));
        assert_eq!(
            g.handle(Pointer::Up(at(2, 52.0, 51.0, 260.0))),
            [Gesture::DoubleClick { x: 52.0, y: 51.0 }]
        );
        // A third click starts over.
        g.handle(Pointer::Down(at(3, 52.0, 51.0, 300.0)));
        assert_eq!(
            g.handle(Pointer::Up(at(3, 52.0, 51.0, 320.0))),
            [Gesture::Click { x: 52.0, y: 51.0 }]
        );
    }

    #[test]
    fn two_fingers_spreading_apart_zoom_in_around_their_middle() {
        let mut g = Gestures::default();
        g.handle(Pointer::Down(at(1, 100.0, 100.0, 0.0)));
        g.handle(Pointer::Down(at(2, 200.0, 100.0, 5.0)));
        let out = g.handle(Pointer::Move(at(2, 300.0, 100.0, 20.0)));
        let [
            Gesture::Pinch {
                anchor,
                zoom_delta,
                dx,
                dy,
            },
        ] = out.as_slice()
        else {
            panic!("{out:?}");
        };
        assert!(
            (zoom_delta - 1.0).abs() < 1e-9,
            "twice the distance is one level: {zoom_delta}"
        );
        assert_eq!(*anchor, [200.0, 100.0]);
        assert_eq!((*dx, *dy), (50.0, 0.0));
        // One finger lifts: the other keeps dragging, and its release is no click.
        assert!(g.handle(Pointer::Up(at(2, 300.0, 100.0, 30.0))).is_empty());
        assert_eq!(
            g.handle(Pointer::Move(at(1, 110.0, 100.0, 40.0))),
            [Gesture::Pan { dx: 10.0, dy: 0.0 }]
        );
        let out = g.handle(Pointer::Up(at(1, 110.0, 100.0, 500.0)));
        assert!(
            out.iter().all(|g| !matches!(g, Gesture::Click { .. })),
            "{out:?}"
        );
    }

    #[test]
    fn shift_drag_draws_a_box_and_releasing_it_zooms_to_it() {
        let mut g = Gestures::default();
        g.handle(Pointer::Down(PointerInput {
            shift: true,
            ..at(1, 10.0, 10.0, 0.0)
        }));
        assert_eq!(
            g.handle(Pointer::Move(at(1, 60.0, 40.0, 10.0))),
            [Gesture::Box {
                from: [10.0, 10.0],
                to: [60.0, 40.0]
            }]
        );
        assert_eq!(
            g.handle(Pointer::Up(at(1, 60.0, 40.0, 20.0))),
            [Gesture::BoxEnd {
                from: [10.0, 10.0],
                to: [60.0, 40.0]
            }]
        );
    }

    #[test]
    fn a_cancelled_pointer_ends_the_gesture_without_a_click() {
        let mut g = Gestures::default();
        g.handle(Pointer::Down(at(1, 10.0, 10.0, 0.0)));
        assert!(g.handle(Pointer::Cancel { id: 1 }).is_empty());
        assert!(!g.is_active());
        assert!(g.handle(Pointer::Move(at(1, 90.0, 90.0, 10.0))).is_empty());
    }

    #[test]
    fn a_fling_slows_down_and_stops_after_a_finite_distance() {
        let mut k = Kinetic::new(1.0, 0.0, 0.0);
        let (mut total, mut t, mut going) = (0.0, 0.0, true);
        while going && t < 10_000.0 {
            t += 16.0;
            let ([dx, _], more) = k.step(t);
            total += dx;
            going = more;
        }
        assert!(!going, "the fling ends");
        // v0 / decay = 200 px at most; it stops when the speed falls under the threshold.
        assert!(total > 150.0 && total < 200.0, "{total}");
    }

    #[test]
    fn wheel_deltas_are_normalised_across_units() {
        let mouse_notch = wheel_zoom_delta(100.0, WheelUnit::Pixel);
        let firefox_notch = wheel_zoom_delta(3.0, WheelUnit::Line);
        assert!(mouse_notch < 0.0, "scrolling down zooms out");
        assert!((mouse_notch - firefox_notch).abs() < 0.1);
        let trackpad = wheel_zoom_delta(-4.0, WheelUnit::Pixel);
        assert!(trackpad > 0.0 && trackpad < 0.02);
        assert_eq!(wheel_zoom_delta(1.0, WheelUnit::Page), -1.0);
    }

    #[test]
    fn arrows_pan_and_plus_minus_zoom() {
        assert_eq!(
            key_action("ArrowLeft"),
            Some(KeyAction::Pan {
                dx: KEY_PAN_PX,
                dy: 0.0
            })
        );
        assert_eq!(
            key_action("ArrowDown"),
            Some(KeyAction::Pan {
                dx: 0.0,
                dy: -KEY_PAN_PX
            })
        );
        assert_eq!(key_action("+"), Some(KeyAction::Zoom(1.0)));
        assert_eq!(key_action("-"), Some(KeyAction::Zoom(-1.0)));
        assert_eq!(key_action("a"), None);
    }
}
