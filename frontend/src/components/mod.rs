//! Yew components, one per file (plus the helpers they share).

pub mod account;
pub mod attribute_table;
pub mod catalog_panel;
pub mod chart_panel;
pub mod downloads;
pub mod identify_popup;
pub mod layer_list;
pub mod legend_panel;
pub mod map_view;
pub mod overlay_item;
pub mod saved_maps;
pub mod saved_maps_i18n;
pub mod session_banner;
pub mod time_control;
pub mod time_select;
