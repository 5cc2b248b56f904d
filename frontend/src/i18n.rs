//! Interface strings in French and English; the browser's language chooses.

/// Interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    /// French when the browser prefers it, English otherwise.
    pub fn detect() -> Self {
        let preferred = web_sys::window()
            .and_then(|w| w.navigator().language())
            .unwrap_or_default();
        if preferred.to_ascii_lowercase().starts_with("fr") {
            Lang::Fr
        } else {
            Lang::En
        }
    }
}

/// A message of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    Layers,
    ZoomIn,
    ZoomOut,
    Loading,
    LoadFailed,
    Fullscreen,
    Close,
    Scale,
    Coordinates,
    Basemap,
    NoBasemap,
    Opacity,
    MoveUp,
    MoveDown,
}

pub fn t(lang: Lang, msg: Msg) -> &'static str {
    match (lang, msg) {
        (Lang::Fr, Msg::Layers) => "Couches",
        (Lang::En, Msg::Layers) => "Layers",
        (Lang::Fr, Msg::ZoomIn) => "Zoom avant",
        (Lang::En, Msg::ZoomIn) => "Zoom in",
        (Lang::Fr, Msg::ZoomOut) => "Zoom arrière",
        (Lang::En, Msg::ZoomOut) => "Zoom out",
        (Lang::Fr, Msg::Loading) => "Chargement…",
        (Lang::En, Msg::Loading) => "Loading…",
        (Lang::Fr, Msg::LoadFailed) => "Impossible de charger la carte",
        (Lang::En, Msg::LoadFailed) => "The map could not be loaded",
        (Lang::Fr, Msg::Fullscreen) => "Plein écran",
        (Lang::En, Msg::Fullscreen) => "Full screen",
        (Lang::Fr, Msg::Close) => "Fermer",
        (Lang::En, Msg::Close) => "Close",
        (Lang::Fr, Msg::Basemap) => "Fond de carte",
        (Lang::En, Msg::Basemap) => "Basemap",
        (Lang::Fr, Msg::NoBasemap) => "Aucun",
        (Lang::En, Msg::NoBasemap) => "None",
        (Lang::Fr, Msg::Opacity) => "Opacité",
        (Lang::En, Msg::Opacity) => "Opacity",
        (Lang::Fr, Msg::MoveUp) => "Monter (dessiner au-dessus)",
        (Lang::En, Msg::MoveUp) => "Move up (draw above)",
        (Lang::Fr, Msg::MoveDown) => "Descendre (dessiner en dessous)",
        (Lang::En, Msg::MoveDown) => "Move down (draw below)",
        (Lang::Fr, Msg::Scale) => "Échelle",
        (Lang::En, Msg::Scale) => "Scale",
        (Lang::Fr, Msg::Coordinates) => "Coordonnées du curseur (latitude, longitude)",
        (Lang::En, Msg::Coordinates) => "Cursor coordinates (latitude, longitude)",
    }
}
