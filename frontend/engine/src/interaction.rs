//! Interactions as state machines over abstract input (no DOM here): drag to pan, and wheel
//! deltas normalised across mice and trackpads into zoom steps.

/// A pointer event in viewport CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pointer {
    Down { id: i32, x: f64, y: f64 },
    Move { id: i32, x: f64, y: f64 },
    Up { id: i32 },
    Cancel { id: i32 },
}

/// Drag-to-pan: follows the first pointer pressed until it is released.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct DragPan {
    active: Option<(i32, [f64; 2])>,
    moved: f64,
}

impl DragPan {
    /// Feeds an event; returns the pan to apply (content moves by `[dx, dy]` CSS px).
    pub fn handle(&mut self, event: Pointer) -> Option<[f64; 2]> {
        match event {
            Pointer::Down { id, x, y } if self.active.is_none() => {
                self.active = Some((id, [x, y]));
                self.moved = 0.0;
                None
            }
            Pointer::Move { id, x, y } => {
                let (active_id, last) = self.active.as_mut()?;
                if *active_id != id {
                    return None;
                }
                let delta = [x - last[0], y - last[1]];
                *last = [x, y];
                self.moved += delta[0].hypot(delta[1]);
                (delta != [0.0, 0.0]).then_some(delta)
            }
            Pointer::Up { id } | Pointer::Cancel { id } => {
                if self.active.is_some_and(|(a, _)| a == id) {
                    self.active = None;
                }
                None
            }
            Pointer::Down { .. } => None,
        }
    }

    pub fn is_dragging(&self) -> bool {
        self.active.is_some()
    }

    /// Distance travelled by the current or last drag, in CSS px (tells a click from a drag).
    pub fn distance(&self) -> f64 {
        self.moved
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drag_pans_by_each_movement_and_stops_on_release() {
        let mut drag = DragPan::default();
        assert_eq!(
            drag.handle(Pointer::Down {
                id: 1,
                x: 10.0,
                y: 10.0
            }),
            None
        );
        assert_eq!(
            drag.handle(Pointer::Move {
                id: 1,
                x: 15.0,
                y: 8.0
            }),
            Some([5.0, -2.0])
        );
        assert_eq!(
            drag.handle(Pointer::Move {
                id: 1,
                x: 20.0,
                y: 8.0
            }),
            Some([5.0, 0.0])
        );
        assert!(drag.is_dragging());
        drag.handle(Pointer::Up { id: 1 });
        assert!(!drag.is_dragging());
        assert_eq!(
            drag.handle(Pointer::Move {
                id: 1,
                x: 90.0,
                y: 90.0
            }),
            None
        );
        assert!((drag.distance() - (29f64.sqrt() + 5.0)).abs() < 1e-9);
    }

    #[test]
    fn a_second_pointer_does_not_steal_the_drag() {
        let mut drag = DragPan::default();
        drag.handle(Pointer::Down {
            id: 1,
            x: 0.0,
            y: 0.0,
        });
        drag.handle(Pointer::Down {
            id: 2,
            x: 50.0,
            y: 50.0,
        });
        assert_eq!(
            drag.handle(Pointer::Move {
                id: 2,
                x: 60.0,
                y: 60.0
            }),
            None
        );
        drag.handle(Pointer::Cancel { id: 2 });
        assert!(drag.is_dragging());
        assert_eq!(
            drag.handle(Pointer::Move {
                id: 1,
                x: 1.0,
                y: 0.0
            }),
            Some([1.0, 0.0])
        );
    }

    #[test]
    fn wheel_deltas_are_normalised_across_units() {
        let mouse_notch = wheel_zoom_delta(100.0, WheelUnit::Pixel);
        let firefox_notch = wheel_zoom_delta(3.0, WheelUnit::Line);
        assert!(mouse_notch < 0.0, "scrolling down zooms out");
        assert!((mouse_notch - firefox_notch).abs() < 0.1);
        assert!(
            wheel_zoom_delta(-4.0, WheelUnit::Pixel) > 0.0
                && wheel_zoom_delta(-4.0, WheelUnit::Pixel) < 0.02
        );
        assert_eq!(wheel_zoom_delta(1.0, WheelUnit::Page), -1.0);
    }
}
