//! Yew components, one per file.

pub mod layer_list;
pub mod map_view;
