//! Yew components, one per file.

pub mod identify_popup;
pub mod layer_list;
pub mod map_view;
