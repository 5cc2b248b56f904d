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
    Catalog,
    OpenCatalog,
    SearchLayers,
    AddLayer,
    RemoveLayer,
    Add,
    Remove,
    Temporal,
    Metadata,
    NoMatch,
    NoOverlays,
    Time,
    AttributeTable,
    Table,
    Download,
    Legend,
    LegendOf,
    NoLegend,
    Querying,
    QueryFailed,
    NothingFound,
    Filter,
    Features,
    RowsShown,
    MoreNotLoaded,
    TableFailed,
    ZoomToFeature,
    SortBy,
    Account,
    Roles,
    SignIn,
    SignOut,
    SigningOut,
    SignOutFailed,
    SessionExpired,
}

#[allow(
    clippy::too_many_lines,
    reason = "a table: one line per message and language"
)]
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
        (_, Msg::Catalog) => "Catalogue",
        (Lang::Fr, Msg::OpenCatalog) => "Ajouter des couches…",
        (Lang::En, Msg::OpenCatalog) => "Add layers…",
        (Lang::Fr, Msg::SearchLayers) => "Rechercher (titre, mot-clé, description)",
        (Lang::En, Msg::SearchLayers) => "Search (title, keyword, description)",
        (Lang::Fr, Msg::AddLayer) => "Ajouter à la carte",
        (Lang::En, Msg::AddLayer) => "Add to the map",
        (Lang::Fr, Msg::RemoveLayer) => "Retirer de la carte",
        (Lang::En, Msg::RemoveLayer) => "Remove from the map",
        (Lang::Fr, Msg::Add) => "Ajouter",
        (Lang::En, Msg::Add) => "Add",
        (Lang::Fr, Msg::Remove) => "Retirer",
        (Lang::En, Msg::Remove) => "Remove",
        (Lang::Fr, Msg::Temporal) => "Couche temporelle",
        (Lang::En, Msg::Temporal) => "Time-enabled layer",
        (Lang::Fr, Msg::Metadata) => "Métadonnées",
        (Lang::En, Msg::Metadata) => "Metadata",
        (Lang::Fr, Msg::NoMatch) => "Aucune couche ne correspond",
        (Lang::En, Msg::NoMatch) => "No layer matches",
        (Lang::Fr, Msg::NoOverlays) => "Aucune couche : ajoutez-en depuis le catalogue",
        (Lang::En, Msg::NoOverlays) => "No layers: add some from the catalogue",
        (Lang::Fr, Msg::Time) => "Date (UTC)",
        (Lang::En, Msg::Time) => "Time (UTC)",
        (Lang::Fr, Msg::AttributeTable) => "Table attributaire",
        (Lang::En, Msg::AttributeTable) => "Attribute table",
        (_, Msg::Table) => "Table",
        (Lang::Fr, Msg::Download) => "Télécharger",
        (Lang::En, Msg::Download) => "Download",
        (Lang::Fr, Msg::Legend) => "Légende",
        (Lang::En, Msg::Legend) => "Legend",
        (Lang::Fr, Msg::LegendOf) => "Légende de la couche",
        (Lang::En, Msg::LegendOf) => "Legend of the layer",
        (Lang::Fr, Msg::NoLegend) => "Aucune légende pour les couches affichées",
        (Lang::En, Msg::NoLegend) => "No legend for the layers shown",
        (Lang::Fr, Msg::Querying) => "Interrogation…",
        (Lang::En, Msg::Querying) => "Querying…",
        (Lang::Fr, Msg::QueryFailed) => "Échec de l’interrogation",
        (Lang::En, Msg::QueryFailed) => "Query failed",
        (Lang::Fr, Msg::NothingFound) => "Aucune entité ici",
        (Lang::En, Msg::NothingFound) => "Nothing here",
        (Lang::Fr, Msg::Filter) => "Filtrer",
        (Lang::En, Msg::Filter) => "Filter",
        (Lang::Fr, Msg::Features) => "entités",
        (Lang::En, Msg::Features) => "features",
        (Lang::Fr, Msg::RowsShown) => "lignes affichées",
        (Lang::En, Msg::RowsShown) => "rows shown",
        (Lang::Fr, Msg::MoreNotLoaded) => "d’autres entités n’ont pas été chargées",
        (Lang::En, Msg::MoreNotLoaded) => "more features were not loaded",
        (Lang::Fr, Msg::TableFailed) => "Impossible de charger les entités",
        (Lang::En, Msg::TableFailed) => "The features could not be loaded",
        (Lang::Fr, Msg::ZoomToFeature) => "Zoomer sur l’entité",
        (Lang::En, Msg::ZoomToFeature) => "Zoom to the feature",
        (Lang::Fr, Msg::SortBy) => "Trier par",
        (Lang::En, Msg::SortBy) => "Sort by",
        (Lang::Fr, Msg::Account) => "Compte",
        (Lang::En, Msg::Account) => "Account",
        (Lang::Fr, Msg::Roles) => "Rôles",
        (Lang::En, Msg::Roles) => "Roles",
        (Lang::Fr, Msg::SignIn) => "Se connecter",
        (Lang::En, Msg::SignIn) => "Sign in",
        (Lang::Fr, Msg::SignOut) => "Se déconnecter",
        (Lang::En, Msg::SignOut) => "Sign out",
        (Lang::Fr, Msg::SigningOut) => "Déconnexion…",
        (Lang::En, Msg::SigningOut) => "Signing out…",
        (Lang::Fr, Msg::SignOutFailed) => "La déconnexion a échoué, réessayez.",
        (Lang::En, Msg::SignOutFailed) => "Sign-out failed, try again.",
        (Lang::Fr, Msg::SessionExpired) => {
            "Votre session a expiré. Reconnectez-vous pour voir vos couches privées."
        }
        (Lang::En, Msg::SessionExpired) => {
            "Your session has expired. Sign in again to see your private layers."
        }
    }
}
