//! The chart of chronicles (time series at a station), browser-free: a UTC time scale with
//! ticks from seconds to centuries, value scales with nice ticks (one per unit, at most two),
//! series drawn with their gaps, hover, zoom and pan of the time range, and the decision to ask
//! the server again for the range in view. The viewer's `chart` module supplies the Canvas2D
//! implementation of [`draw::ChartCanvas`], the DOM events and the requests.

pub mod calendar;
pub mod draw;
pub mod fetch;
pub mod layout;
pub mod series;
pub mod stations;
pub mod time_axis;
pub mod value_axis;
pub mod window;
