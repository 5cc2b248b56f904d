//! The time selector of a time-enabled layer: a list of its instants when there are at most
//! [`MAX_LISTED`] of them, otherwise a date-and-time input (read in UTC) bounded by the
//! dimension's extent. It shows the layer's own time, else the map's time for it (the time
//! control's), else the layer's default instant; with a time of its own, a button makes the
//! layer follow the map's time again.

use kartenn_common::TimeDimension;
use kartenn_engine::time::{
    MAX_LISTED, bounds, default_time, expand, format_instant, from_input_value, label,
    to_input_value,
};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::i18n::{Lang, Msg, t};

#[derive(Properties, PartialEq)]
pub struct TimeSelectProps {
    /// The layer's id and title.
    pub id: String,
    pub title: String,
    pub dimension: TimeDimension,
    /// The chosen instant; `None`: the default.
    pub value: Option<String>,
    /// The map's time for this layer (the time control's).
    #[prop_or_default]
    pub follow: Option<String>,
    pub on_change: Callback<Option<String>>,
    pub lang: Lang,
}

#[function_component(TimeSelect)]
pub fn time_select(props: &TimeSelectProps) -> Html {
    let values = use_memo(props.dimension.clone(), |d| expand(d, MAX_LISTED));
    let current = use_memo(
        (
            props.dimension.clone(),
            props.value.clone(),
            props.follow.clone(),
        ),
        |(d, value, follow)| {
            value
                .clone()
                .or_else(|| follow.clone())
                .or_else(|| default_time(d))
                .unwrap_or_default()
        },
    );
    let aria = format!("{} — {}", t(props.lang, Msg::Time), props.title);
    let follow = (props.value.is_some() && props.follow.is_some()).then(|| {
        let on_change = props.on_change.clone();
        let onclick = Callback::from(move |_: MouseEvent| on_change.emit(None));
        let label = t(props.lang, Msg::FollowMapTime);
        html! {
            <button type="button" class="time-follow" data-follow-for={props.id.clone()}
                    title={label} aria-label={format!("{label} — {}", props.title)} {onclick}>{ "↺" }</button>
        }
    });
    let selector = time_selector(props, values.as_ref().as_ref(), &current, aria);
    html! { <>{ selector }{ for follow }</> }
}

/// The list of instants, or the date-and-time input.
fn time_selector(
    props: &TimeSelectProps,
    values: Option<&Vec<String>>,
    current: &str,
    aria: String,
) -> Html {
    if let Some(list) = values {
        let onchange = {
            let on_change = props.on_change.clone();
            Callback::from(move |e: Event| {
                if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                    on_change.emit(Some(select.value()));
                }
            })
        };
        // The map's time may be a range (`start/end`): shown as such, not offered.
        let range = current.split_once('/').map(|(a, b)| {
            html! { <option value={current.to_owned()} selected=true disabled=true>{ format!("{} → {}", label(a), label(b)) }</option> }
        });
        html! {
            <select class="time" data-time-for={props.id.clone()} aria-label={aria.clone()} title={aria} {onchange}>
                { for range }
                { for list.iter().map(|v| html! {
                    <option value={v.clone()} selected={v == current}>{ label(v) }</option>
                }) }
            </select>
        }
    } else {
        let onchange = {
            let on_change = props.on_change.clone();
            Callback::from(move |e: Event| {
                if let Some(input) = e.target_dyn_into::<HtmlInputElement>()
                    && let Some(at) = from_input_value(&input.value())
                {
                    on_change.emit(Some(at));
                }
            })
        };
        let input_value = |at| to_input_value(&format_instant(at)).unwrap_or_default();
        let (min, max) = bounds(&props.dimension)
            .map(|(first, last)| (input_value(first), input_value(last)))
            .unwrap_or_default();
        html! {
            <input type="datetime-local" class="time" data-time-for={props.id.clone()}
                   value={to_input_value(current).unwrap_or_default()} {min} {max} step="1"
                   aria-label={aria.clone()} title={aria} {onchange} />
        }
    }
}
