//! The time selector of a time-enabled layer: a list of its instants when there are at most
//! [`MAX_LISTED`] of them, otherwise a date-and-time input (read in UTC) bounded by the
//! dimension's extent. It shows the user's choice, or the layer's default instant.

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
    pub on_change: Callback<Option<String>>,
    pub lang: Lang,
}

#[function_component(TimeSelect)]
pub fn time_select(props: &TimeSelectProps) -> Html {
    let values = use_memo(props.dimension.clone(), |d| expand(d, MAX_LISTED));
    let current = use_memo(
        (props.dimension.clone(), props.value.clone()),
        |(d, value)| {
            value
                .clone()
                .or_else(|| default_time(d))
                .unwrap_or_default()
        },
    );
    let aria = format!("{} — {}", t(props.lang, Msg::Time), props.title);
    if let Some(list) = &*values {
        let onchange = {
            let on_change = props.on_change.clone();
            Callback::from(move |e: Event| {
                if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                    on_change.emit(Some(select.value()));
                }
            })
        };
        html! {
            <select class="time" data-time-for={props.id.clone()} aria-label={aria.clone()} title={aria} {onchange}>
                { for list.iter().map(|v| html! {
                    <option value={v.clone()} selected={*v == *current}>{ label(v) }</option>
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
                   value={to_input_value(&current).unwrap_or_default()} {min} {max} step="1"
                   aria-label={aria.clone()} title={aria} {onchange} />
        }
    }
}
