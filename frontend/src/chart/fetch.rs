//! Fetching the series' points for the range in view: after a change of view has been still
//! for the debounce time, each series whose points no longer serve the view (the engine's
//! `needs_fetch`) is asked again, at two points per pixel of the plot's width. A request
//! replaces (aborts) the series' previous one; an answer to an older request is dropped.

use gloo::timers::callback::Timeout;
use kartenn_common::{Downsampling, SeriesPoints};
use kartenn_engine::chart::fetch::{DEBOUNCE_MS, Loaded, Request, needs_fetch, request_for};
use web_sys::AbortController;

use super::{ChartState, Inflight};
use crate::api::ApiFailure;
use crate::map::now_ms;

impl ChartState {
    /// Wakes when the pending change of view is due.
    pub(super) fn schedule_fetch(&mut self) {
        let Some(wait) = self.debounce.wait(now_ms()) else {
            return;
        };
        let weak = self.weak_self.clone();
        let wait = wait.clamp(0.0, DEBOUNCE_MS).ceil() as u32;
        self.fetch_timer = Some(Timeout::new(wait + 1, move || {
            if let Some(state) = weak.upgrade() {
                let mut state = state.borrow_mut();
                state.fetch_timer = None;
                if state.debounce.take(now_ms()) {
                    state.fetch_due();
                    if let Some(window) = &state.window {
                        state.on_range.emit(window.visible());
                    }
                } else {
                    state.schedule_fetch();
                }
            }
        }));
    }

    /// Asks again for every series whose points do not serve the view.
    pub(super) fn fetch_due(&mut self) {
        let Some(window) = self.window else {
            return;
        };
        let visible = window.visible();
        let width = self.plot.width();
        for index in 0..self.series.len() {
            let series = &mut self.series[index];
            if !needs_fetch(series.loaded.as_ref(), visible, width) {
                // What it holds will do: a request for another view is not needed any more.
                series.abort();
                continue;
            }
            let wanted = request_for(visible, width, series.spec.step_ms);
            if series
                .inflight
                .as_ref()
                .is_some_and(|f| f.request == wanted)
            {
                continue;
            }
            self.start(index, wanted);
        }
        // The next drawing publishes the requests under way.
        self.request_render();
    }

    fn start(&mut self, index: usize, request: Request) {
        let Ok(controller) = AbortController::new() else {
            return;
        };
        let number = self.next_request;
        self.next_request += 1;
        let signal = controller.signal();
        let Some(series) = self.series.get_mut(index) else {
            return;
        };
        series.abort();
        series.inflight = Some(Inflight {
            controller,
            number,
            request,
        });
        let url = series.spec.url.clone();
        let weak = self.weak_self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let answer = crate::api::chronicles::points(
                &url,
                request.from,
                request.to,
                request.points,
                &signal,
            )
            .await;
            if signal.aborted() {
                return;
            }
            if let Some(state) = weak.upgrade() {
                state.borrow_mut().answered(&url, number, answer);
            }
        });
    }

    /// An answer arrived: kept if it answers the series' latest request.
    fn answered(&mut self, url: &str, number: u64, answer: Result<SeriesPoints, ApiFailure>) {
        let Some(series) = self
            .series
            .iter_mut()
            .find(|s| s.spec.url == url && s.inflight.as_ref().is_some_and(|f| f.number == number))
        else {
            return;
        };
        let Some(Inflight { request, .. }) = series.inflight.take() else {
            return;
        };
        match answer {
            Ok(answer) => {
                series.points = answer.points;
                series.loaded = Some(Loaded {
                    request,
                    complete: answer.downsampling == Downsampling::Raw,
                });
                series.failed = None;
                self.fetches += 1;
            }
            Err(failure) => series.failed = Some(failure.to_string()),
        }
        self.report_errors();
        self.request_render();
    }
}
