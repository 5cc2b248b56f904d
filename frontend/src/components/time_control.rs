//! The map's time control, a bar along the bottom of the map shown while a visible layer is
//! time-enabled: a slider over the union of those layers' times (two in range mode: start and
//! end), step back / play–pause / step forward, the play speed, range mode, and compare mode
//! (a second slider for date B, the layer compared, and the swipe divider over the map).
//!
//! Playing never floods the server: the next step is taken only once the map publishes that
//! it has drawn the current time (`data-time` equal to it, `data-ready="true"`), and at most at
//! the chosen speed; a step replaces the layers' tile caches, so requests for a time left
//! behind are aborted.

use std::collections::HashMap;
use std::rc::Rc;

use gloo::timers::callback::Interval;
use kartenn_common::Catalog;
use kartenn_engine::time::applied::{Applied, CompareChoice, TimeChoice};
use kartenn_engine::time::label;
use kartenn_engine::time::timeline::{Player, SPEEDS, Selection, Timeline};
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::i18n::{Lang, Msg, t};
use crate::map::{MapCompare, MapTime, now_ms};

/// How often a playing control checks whether the next step is due.
const TICK_MS: u32 = 50;
/// A divider moved by the keyboard moves this share of the map's width.
const DIVIDER_STEP: f64 = 0.05;

/// The span (Unix ms) of each chronicle layer whose stations are loaded, by layer id.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChronicleSpans(pub HashMap<String, (f64, f64)>);

impl Reducible for ChronicleSpans {
    type Action = (String, (f64, f64));

    fn reduce(self: Rc<Self>, (id, span): Self::Action) -> Rc<Self> {
        if self.0.get(&id) == Some(&span) {
            return self;
        }
        let mut next = (*self).clone();
        next.0.insert(id, span);
        Rc::new(next)
    }
}

/// What the map is told of the applied time.
pub fn map_time(
    applied: &Applied,
    catalog: &Catalog,
    on_span: &Callback<(String, (f64, f64))>,
) -> Rc<MapTime> {
    let compare = applied.compare.as_ref().and_then(|c| {
        Some(MapCompare {
            layer: catalog.layers.iter().find(|l| l.id == c.layer)?.clone(),
            time: c.value.clone(),
            divider: c.divider,
        })
    });
    Rc::new(MapTime {
        label: applied.selection.map(Selection::format).unwrap_or_default(),
        window: applied.window.map(|(a, b)| (a as f64, b as f64)),
        compare,
        on_span: on_span.clone(),
    })
}

#[derive(Properties, PartialEq)]
pub struct TimeControlProps {
    pub applied: Rc<Applied>,
    pub choice: Rc<TimeChoice>,
    pub on_change: Callback<TimeChoice>,
    pub lang: Lang,
}

/// A time as the slider shows it: `2024-06-01 06:00 UTC`.
fn readable(t: i64) -> String {
    label(&Selection::At(t).format())
}

/// Whether the map has drawn `time` (its published `data-time`, with everything loaded).
fn map_shows(time: &str) -> bool {
    let map = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".map").ok().flatten());
    map.is_some_and(|m| {
        m.get_attribute("data-time").as_deref() == Some(time)
            && m.get_attribute("data-ready").as_deref() == Some("true")
    })
}

/// A 16-px button icon (icon fonts may lack the media symbols).
fn icon(path: &'static str) -> Html {
    html! {
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d={path} fill="currentColor" /></svg>
    }
}

/// The timeline position a slider's input event chose.
fn slider_value(e: &InputEvent, timeline: &Timeline) -> Option<i64> {
    let input = e.target_dyn_into::<HtmlInputElement>()?;
    timeline.get(input.value().parse::<usize>().ok()?)
}

/// One slider over the timeline.
fn slider(
    id: &'static str,
    timeline: &Timeline,
    at: i64,
    aria: String,
    oninput: Callback<InputEvent>,
) -> Html {
    let index = timeline.index_at(at);
    html! {
        <input type="range" {id} class="time-slider" min="0" max={timeline.len().saturating_sub(1).to_string()}
               step="1" value={index.to_string()} aria-label={aria.clone()} title={aria}
               aria-valuetext={readable(at)} {oninput} />
    }
}

#[function_component(TimeControl)]
pub fn time_control(props: &TimeControlProps) -> Html {
    let lang = props.lang;
    let player = use_mut_ref(Player::default);
    let playing = use_state(|| false);
    let ticker = use_mut_ref(|| None::<Interval>);
    // The latest props, for the ticker (created once per play).
    let latest = use_mut_ref(|| (props.applied.clone(), props.choice.clone()));
    *latest.borrow_mut() = (props.applied.clone(), props.choice.clone());
    {
        let (player, ticker, latest) = (player.clone(), ticker.clone(), latest.clone());
        let (on_change, handle) = (props.on_change.clone(), playing.clone());
        use_effect_with(*playing, move |playing| {
            if *playing {
                player.borrow_mut().play(now_ms());
                let tick = move || {
                    let (applied, choice) = latest.borrow().clone();
                    let Some(current) = applied.selection else {
                        // No time-enabled layer left: stop.
                        handle.set(false);
                        return;
                    };
                    let now = now_ms();
                    if !player.borrow().due(now, map_shows(&current.format())) {
                        return;
                    }
                    if let Some(next) = applied.timeline.step(current, 1, true) {
                        player.borrow_mut().stepped(now);
                        on_change.emit(TimeChoice {
                            selection: Some(next),
                            ..(*choice).clone()
                        });
                    }
                };
                *ticker.borrow_mut() = Some(Interval::new(TICK_MS, tick));
            } else {
                player.borrow_mut().pause();
                ticker.borrow_mut().take();
            }
        });
    }
    {
        let ticker = ticker.clone();
        use_effect_with((), move |()| move || drop(ticker.borrow_mut().take()));
    }

    let applied = &props.applied;
    let timeline = &applied.timeline;
    let Some(selection) = applied.selection.filter(|_| !timeline.is_empty()) else {
        return html! {};
    };
    let choose = {
        let (on_change, choice) = (props.on_change.clone(), props.choice.clone());
        move |selection: Selection| {
            on_change.emit(TimeChoice {
                selection: Some(selection),
                ..(*choice).clone()
            });
        }
    };
    let step = |delta: i64| {
        let (choose, applied) = (choose.clone(), props.applied.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(next) = applied.timeline.step(selection, delta, false) {
                choose(next);
            }
        })
    };
    let on_play = {
        let playing = playing.clone();
        Callback::from(move |_: MouseEvent| playing.set(!*playing))
    };
    let on_speed = {
        let player = player.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>()
                && let Ok(speed) = select.value().parse::<f64>()
            {
                player.borrow_mut().speed = speed;
            }
        })
    };
    let on_range = {
        let (choose, applied) = (choose.clone(), props.applied.clone());
        Callback::from(move |_: Event| {
            let next = match selection {
                Selection::At(t) => applied.timeline.widen(t),
                Selection::Between(a, _) => Some(Selection::At(a)),
            };
            if let Some(next) = next {
                choose(next);
            }
        })
    };
    let sliders = match selection {
        Selection::At(at) => {
            let (choose, applied) = (choose.clone(), props.applied.clone());
            let oninput = Callback::from(move |e: InputEvent| {
                if let Some(t) = slider_value(&e, &applied.timeline) {
                    choose(Selection::At(t));
                }
            });
            html! {
                <>
                    { slider("time-slider", timeline, at, t(lang, Msg::MapTime).to_owned(), oninput) }
                    <output class="time-label" for="time-slider" aria-live="off">{ readable(at) }</output>
                </>
            }
        }
        Selection::Between(a, b) => {
            let end = |from_start: bool| {
                let (choose, applied) = (choose.clone(), props.applied.clone());
                Callback::from(move |e: InputEvent| {
                    if let Some(t) = slider_value(&e, &applied.timeline) {
                        // Handles never cross: the other one is pushed along.
                        choose(if from_start {
                            Selection::Between(t, b.max(t))
                        } else {
                            Selection::Between(a.min(t), t)
                        });
                    }
                })
            };
            html! {
                <>
                    { slider("time-start", timeline, a, t(lang, Msg::RangeStart).to_owned(), end(true)) }
                    { slider("time-end", timeline, b, t(lang, Msg::RangeEnd).to_owned(), end(false)) }
                    <output class="time-label" for="time-start time-end" aria-live="off">
                        { format!("{} → {}", readable(a), readable(b)) }
                    </output>
                </>
            }
        }
    };
    let compare = compare_row(props, selection);
    let swipe = applied
        .compare
        .as_ref()
        .map(|c| swipe(props, c.divider, selection, c.time));
    let play_label = t(lang, if *playing { Msg::Pause } else { Msg::Play });
    let speed_now = player.borrow().speed;
    html! {
        <>
            <section id="time-control" class="time-control" aria-label={t(lang, Msg::MapTime)}
                     data-time={selection.format()}>
                <div class="time-row">
                    <button type="button" id="time-back" title={t(lang, Msg::StepBack)} aria-label={t(lang, Msg::StepBack)}
                            onclick={step(-1)}>{ icon("M3 3h2v10H3zM13 3v10L6 8z") }</button>
                    <button type="button" id="time-play" title={play_label} aria-label={play_label}
                            aria-pressed={playing.to_string()} onclick={on_play}>{ icon(if *playing { "M4 2h3v12H4zM9 2h3v12H9z" } else { "M4 2v12l10-6z" }) }</button>
                    <button type="button" id="time-forward" title={t(lang, Msg::StepForward)} aria-label={t(lang, Msg::StepForward)}
                            onclick={step(1)}>{ icon("M11 3h2v10h-2zM3 3v10l7-5z") }</button>
                    <div class="time-sliders">{ sliders }</div>
                    <select id="time-speed" title={t(lang, Msg::Speed)} aria-label={t(lang, Msg::Speed)} onchange={on_speed}>
                        { for SPEEDS.iter().map(|s| html! {
                            <option value={s.to_string()} selected={(*s - speed_now).abs() < 1e-9}>{ format!("{s}×") }</option>
                        }) }
                    </select>
                    <label class="time-toggle">
                        <input type="checkbox" id="time-range" checked={selection.is_range()} onchange={on_range} />
                        { t(lang, Msg::RangeMode) }
                    </label>
                </div>
                { compare }
            </section>
            { for swipe }
        </>
    }
}

/// The compare toggle (when a visible WMS layer is time-enabled), and in compare mode the
/// layer compared and date B.
fn compare_row(props: &TimeControlProps, selection: Selection) -> Html {
    let lang = props.lang;
    let applied = &props.applied;
    let timeline = &applied.timeline;
    if applied.comparable.is_empty() {
        return html! {};
    }
    let emit = {
        let (on_change, choice) = (props.on_change.clone(), props.choice.clone());
        move |compare: Option<CompareChoice>| {
            on_change.emit(TimeChoice {
                compare,
                ..(*choice).clone()
            });
        }
    };
    let current = props.choice.compare.clone();
    let on_toggle = {
        let (emit, current, applied) = (emit.clone(), current.clone(), props.applied.clone());
        Callback::from(move |_: MouseEvent| {
            // Date B starts one step before date A (after it at the start).
            let at = Selection::At(selection.start());
            let b = applied
                .timeline
                .step(at, -1, false)
                .filter(|b| *b != at)
                .or_else(|| applied.timeline.step(at, 1, false));
            emit(match (&current, b) {
                (None, Some(b)) => Some(CompareChoice {
                    layer: None,
                    time: b.start(),
                    divider: 0.5,
                }),
                _ => None,
            });
        })
    };
    let toggle = html! {
        <button type="button" id="time-compare" class="time-compare" aria-pressed={applied.compare.is_some().to_string()}
                onclick={on_toggle}
                title={t(lang, Msg::CompareHelp)}>{ t(lang, Msg::Compare) }</button>
    };
    let (Some(chosen), Some(c)) = (current, applied.compare.as_ref()) else {
        return html! { <div class="time-row compare">{ toggle }</div> };
    };
    let on_layer = {
        let (emit, chosen) = (emit.clone(), chosen.clone());
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                emit(Some(CompareChoice {
                    layer: Some(select.value()),
                    ..chosen.clone()
                }));
            }
        })
    };
    let on_b = {
        let (emit, chosen, applied) = (emit, chosen, props.applied.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(time) = slider_value(&e, &applied.timeline) {
                emit(Some(CompareChoice {
                    time,
                    ..chosen.clone()
                }));
            }
        })
    };
    let layers = (applied.comparable.len() > 1).then(|| {
        html! {
            <select id="time-compare-layer" aria-label={t(lang, Msg::CompareLayer)} title={t(lang, Msg::CompareLayer)} onchange={on_layer}>
                { for applied.comparable.iter().map(|(id, title)| html! {
                    <option value={id.clone()} selected={*id == c.layer}>{ title.clone() }</option>
                }) }
            </select>
        }
    });
    html! {
        <div class="time-row compare">
            { toggle }
            { for layers }
            <span class="time-date-b">{ t(lang, Msg::DateB) }</span>
            { slider("time-compare-slider", timeline, c.time, t(lang, Msg::DateB).to_owned(), on_b) }
            <output class="time-label" for="time-compare-slider">{ readable(c.time) }</output>
        </div>
    }
}

/// The swipe divider over the map: dragged, or moved with the arrow keys.
fn swipe(props: &TimeControlProps, divider: f64, a: Selection, b: i64) -> Html {
    let lang = props.lang;
    let set = {
        let (on_change, choice) = (props.on_change.clone(), props.choice.clone());
        move |divider: f64| {
            if let Some(compare) = &choice.compare {
                on_change.emit(TimeChoice {
                    compare: Some(CompareChoice {
                        divider: divider.clamp(0.0, 1.0),
                        ..compare.clone()
                    }),
                    ..(*choice).clone()
                });
            }
        }
    };
    let from_pointer = |e: &PointerEvent| {
        let map = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(".map").ok().flatten())?;
        let rect = map.get_bounding_client_rect();
        (rect.width() > 0.0).then(|| (f64::from(e.client_x()) - rect.left()) / rect.width())
    };
    let on_down = Callback::from(|e: PointerEvent| {
        if let Some(target) = e.target_dyn_into::<Element>() {
            let _ = target.set_pointer_capture(e.pointer_id());
        }
        e.prevent_default();
    });
    let on_move = {
        let set = set.clone();
        Callback::from(move |e: PointerEvent| {
            let captured = e
                .target_dyn_into::<Element>()
                .is_some_and(|t| t.has_pointer_capture(e.pointer_id()));
            if captured && let Some(at) = from_pointer(&e) {
                set(at);
            }
        })
    };
    let on_key = Callback::from(move |e: KeyboardEvent| {
        let next = match e.key().as_str() {
            "ArrowLeft" | "ArrowDown" => divider - DIVIDER_STEP,
            "ArrowRight" | "ArrowUp" => divider + DIVIDER_STEP,
            "Home" => 0.0,
            "End" => 1.0,
            _ => return,
        };
        e.prevent_default();
        set(next);
    });
    let percent = (divider * 100.0).round();
    html! {
        <div class="swipe" style={format!("left: {}%", divider * 100.0)}>
            <span class="swipe-date a">{ format!("A · {}", readable(a.start())) }</span>
            <span class="swipe-date b">{ format!("B · {}", readable(b)) }</span>
            <div id="swipe-handle" class="swipe-handle" role="slider" tabindex="0"
                 aria-label={t(lang, Msg::Divider)} title={t(lang, Msg::Divider)}
                 aria-valuemin="0" aria-valuemax="100" aria-valuenow={percent.to_string()}
                 onpointerdown={on_down} onpointermove={on_move} onkeydown={on_key}>{ "⇔" }</div>
        </div>
    }
}
