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
    ZoomToLayer,
    SortBy,
    Account,
    Roles,
    SignIn,
    SignOut,
    SigningOut,
    SignOutFailed,
    SessionExpired,
    MapTime,
    Play,
    Pause,
    StepBack,
    StepForward,
    Speed,
    RangeMode,
    RangeStart,
    RangeEnd,
    Compare,
    CompareHelp,
    CompareLayer,
    DateB,
    Divider,
    FollowMapTime,
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
        (Lang::Fr, Msg::ZoomToLayer) => "Zoomer sur la couche",
        (Lang::En, Msg::ZoomToLayer) => "Zoom to the layer",
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
        (Lang::Fr, Msg::MapTime) => "Date de la carte (UTC)",
        (Lang::En, Msg::MapTime) => "Map time (UTC)",
        (Lang::Fr, Msg::Play) => "Lecture",
        (Lang::En, Msg::Play) => "Play",
        (_, Msg::Pause) => "Pause",
        (Lang::Fr, Msg::StepBack) => "Pas précédent",
        (Lang::En, Msg::StepBack) => "Step back",
        (Lang::Fr, Msg::StepForward) => "Pas suivant",
        (Lang::En, Msg::StepForward) => "Step forward",
        (Lang::Fr, Msg::Speed) => "Vitesse (pas par seconde)",
        (Lang::En, Msg::Speed) => "Speed (steps per second)",
        (Lang::Fr, Msg::RangeMode) => "Période",
        (Lang::En, Msg::RangeMode) => "Range",
        (Lang::Fr, Msg::RangeStart) => "Début de la période (UTC)",
        (Lang::En, Msg::RangeStart) => "Start of the range (UTC)",
        (Lang::Fr, Msg::RangeEnd) => "Fin de la période (UTC)",
        (Lang::En, Msg::RangeEnd) => "End of the range (UTC)",
        (Lang::Fr, Msg::Compare) => "Comparer",
        (Lang::En, Msg::Compare) => "Compare",
        (Lang::Fr, Msg::CompareHelp) => {
            "Comparer deux dates d’une couche : date A à gauche du séparateur, date B à droite"
        }
        (Lang::En, Msg::CompareHelp) => {
            "Compare two dates of a layer: date A left of the divider, date B right of it"
        }
        (Lang::Fr, Msg::CompareLayer) => "Couche comparée",
        (Lang::En, Msg::CompareLayer) => "Layer compared",
        (_, Msg::DateB) => "Date B",
        (Lang::Fr, Msg::Divider) => "Séparateur : glisser, ou flèches gauche / droite",
        (Lang::En, Msg::Divider) => "Divider: drag, or left / right arrow keys",
        (Lang::Fr, Msg::FollowMapTime) => "Suivre la date de la carte",
        (Lang::En, Msg::FollowMapTime) => "Follow the map time",
    }
}

/// Messages of the chart panel (chronicles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartMsg {
    Panel,
    Variables,
    Chart,
    Help,
    CompareWith,
    NoCompare,
    ZoomIn,
    ZoomOut,
    Reset,
    ExportPng,
    Csv,
    CsvOf,
    Export,
    Loading,
    Failed,
    NoSeries,
    TwoUnits,
}

pub fn tc(lang: Lang, msg: ChartMsg) -> &'static str {
    match (lang, msg) {
        (Lang::Fr, ChartMsg::Panel) => "Chronique",
        (Lang::En, ChartMsg::Panel) => "Time series",
        (_, ChartMsg::Variables) => "Variables",
        (Lang::Fr, ChartMsg::Chart) => {
            "Graphique des séries (flèches : déplacer, + / − : zoomer, 0 : tout voir)"
        }
        (Lang::En, ChartMsg::Chart) => {
            "Chart of the series (arrows: pan, + / −: zoom, 0: show all)"
        }
        (Lang::Fr, ChartMsg::Help) => {
            "Molette : zoom · glisser : déplacer · double-clic : tout voir · heures UTC"
        }
        (Lang::En, ChartMsg::Help) => {
            "Wheel: zoom · drag: pan · double-click: show all · times in UTC"
        }
        (Lang::Fr, ChartMsg::CompareWith) => "Comparer avec",
        (Lang::En, ChartMsg::CompareWith) => "Compare with",
        (Lang::Fr, ChartMsg::NoCompare) => "— aucune station —",
        (Lang::En, ChartMsg::NoCompare) => "— no station —",
        (Lang::Fr, ChartMsg::ZoomIn) => "Zoom avant sur le temps",
        (Lang::En, ChartMsg::ZoomIn) => "Zoom in on time",
        (Lang::Fr, ChartMsg::ZoomOut) => "Zoom arrière sur le temps",
        (Lang::En, ChartMsg::ZoomOut) => "Zoom out on time",
        (Lang::Fr, ChartMsg::Reset) => "Toute la période",
        (Lang::En, ChartMsg::Reset) => "Whole period",
        (Lang::Fr, ChartMsg::ExportPng) => "Image PNG",
        (Lang::En, ChartMsg::ExportPng) => "PNG image",
        (_, ChartMsg::Csv) => "CSV",
        (Lang::Fr, ChartMsg::CsvOf) => "Données brutes (CSV) de la période affichée",
        (Lang::En, ChartMsg::CsvOf) => "Raw data (CSV) of the period shown",
        (Lang::Fr, ChartMsg::Export) => "Exporter",
        (Lang::En, ChartMsg::Export) => "Export",
        (Lang::Fr, ChartMsg::Loading) => "Chargement des séries…",
        (Lang::En, ChartMsg::Loading) => "Loading the series…",
        (Lang::Fr, ChartMsg::Failed) => "Impossible de charger les séries",
        (Lang::En, ChartMsg::Failed) => "The series could not be loaded",
        (Lang::Fr, ChartMsg::NoSeries) => "Aucune série mesurée à cette station",
        (Lang::En, ChartMsg::NoSeries) => "No series measured at this station",
        (Lang::Fr, ChartMsg::TwoUnits) => {
            "Deux unités au plus : cocher une troisième décoche les plus anciennes"
        }
        (Lang::En, ChartMsg::TwoUnits) => "Two units at most: ticking a third unticks the oldest",
    }
}

/// Abbreviated month names for the chart's time axis.
pub fn months(lang: Lang) -> [&'static str; 12] {
    match lang {
        Lang::Fr => [
            "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
            "nov.", "déc.",
        ],
        Lang::En => [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ],
    }
}

/// A message of the admin pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminMsg {
    Administration,
    BackToMap,
    AdminOnly,
    SignInAsAdmin,
    Sections,
    Rules,
    Matrix,
    Audit,
    RulesIntro,
    FromConfig,
    Target,
    Pattern,
    Layer,
    Dataset,
    Source,
    Position,
    Public,
    Authenticated,
    RoleList,
    Nobody,
    RolesHint,
    NewRule,
    EditRule,
    Edit,
    Delete,
    ConfirmDelete,
    Save,
    Saving,
    Cancel,
    Conflict,
    Reload,
    Invalid,
    Failed,
    DefaultAccess,
    Deny,
    Search,
    ByDefault,
    OpenRule,
    CreateRule,
    User,
    Action,
    Any,
    Since,
    Until,
    ApplyFilters,
    ExportCsv,
    When,
    Change,
    NoEntries,
}

/// An admin page's string.
#[allow(
    clippy::too_many_lines,
    reason = "a table: one line per message and language"
)]
pub fn ta(lang: Lang, msg: AdminMsg) -> &'static str {
    use AdminMsg as A;
    match (lang, msg) {
        (_, A::Administration) => "Administration",
        (Lang::Fr, A::BackToMap) => "Retour à la carte",
        (Lang::En, A::BackToMap) => "Back to the map",
        (Lang::Fr, A::AdminOnly) => "Ces pages sont réservées aux administrateurs (rôle admin).",
        (Lang::En, A::AdminOnly) => "These pages are for administrators (role admin).",
        (Lang::Fr, A::SignInAsAdmin) => "Se connecter en administrateur",
        (Lang::En, A::SignInAsAdmin) => "Sign in as an administrator",
        (Lang::Fr, A::Sections) => "Sections de l’administration",
        (Lang::En, A::Sections) => "Administration sections",
        (Lang::Fr, A::Rules) => "Règles d’accès",
        (Lang::En, A::Rules) => "Access rules",
        (Lang::Fr, A::Matrix) => "Matrice des droits",
        (Lang::En, A::Matrix) => "Permission matrix",
        (Lang::Fr, A::Audit) => "Journal d’audit",
        (Lang::En, A::Audit) => "Audit log",
        (Lang::Fr, A::RulesIntro) => {
            "Les règles sont essayées dans l’ordre ; la première qui désigne la couche décide."
        }
        (Lang::En, A::RulesIntro) => {
            "Rules are tried in order; the first one naming the layer decides."
        }
        (Lang::Fr, A::FromConfig) => "fichier de configuration (lecture seule)",
        (Lang::En, A::FromConfig) => "configuration file (read-only)",
        (Lang::Fr, A::Target) => "S’applique à",
        (Lang::En, A::Target) => "Applies to",
        (Lang::Fr, A::Pattern) => "Nom ou motif (* et ?)",
        (Lang::En, A::Pattern) => "Name or pattern (* and ?)",
        (Lang::Fr, A::Layer) => "Couches",
        (Lang::En, A::Layer) => "Layers",
        (Lang::Fr, A::Dataset) => "Chroniques (jeu de données)",
        (Lang::En, A::Dataset) => "Chronicles (dataset)",
        (Lang::Fr, A::Source) => "Source OGC (facultatif)",
        (Lang::En, A::Source) => "OGC source (optional)",
        (Lang::Fr, A::Position) => "Position (facultatif, 0 = en premier)",
        (Lang::En, A::Position) => "Position (optional, 0 = first)",
        (_, A::Public) => "public",
        (Lang::Fr, A::Authenticated) => "connectés",
        (Lang::En, A::Authenticated) => "signed in",
        (Lang::Fr, A::RoleList) => "rôles",
        (Lang::En, A::RoleList) => "roles",
        (Lang::Fr, A::Nobody) => "personne",
        (Lang::En, A::Nobody) => "nobody",
        (Lang::Fr, A::RolesHint) => "Rôles, séparés par des virgules",
        (Lang::En, A::RolesHint) => "Roles, comma-separated",
        (Lang::Fr, A::NewRule) => "Nouvelle règle",
        (Lang::En, A::NewRule) => "New rule",
        (Lang::Fr, A::EditRule) => "Modifier la règle",
        (Lang::En, A::EditRule) => "Edit the rule",
        (Lang::Fr, A::Edit) => "Modifier",
        (Lang::En, A::Edit) => "Edit",
        (Lang::Fr, A::Delete) => "Supprimer",
        (Lang::En, A::Delete) => "Delete",
        (Lang::Fr, A::ConfirmDelete) => "Supprimer cette règle ?",
        (Lang::En, A::ConfirmDelete) => "Delete this rule?",
        (Lang::Fr, A::Save) => "Enregistrer",
        (Lang::En, A::Save) => "Save",
        (Lang::Fr, A::Saving) => "Enregistrement…",
        (Lang::En, A::Saving) => "Saving…",
        (Lang::Fr, A::Cancel) => "Annuler",
        (Lang::En, A::Cancel) => "Cancel",
        (Lang::Fr, A::Conflict) => "Modifié entre-temps :",
        (Lang::En, A::Conflict) => "Changed meanwhile:",
        (Lang::Fr, A::Reload) => "Recharger",
        (Lang::En, A::Reload) => "Reload",
        (Lang::Fr, A::Invalid) => "Corrigez les champs signalés :",
        (Lang::En, A::Invalid) => "Correct the fields shown:",
        (Lang::Fr, A::Failed) => "La requête a échoué :",
        (Lang::En, A::Failed) => "The request failed:",
        (Lang::Fr, A::DefaultAccess) => "Sans règle (par défaut) :",
        (Lang::En, A::DefaultAccess) => "No rule (default):",
        (Lang::Fr, A::Deny) => "refusé",
        (Lang::En, A::Deny) => "denied",
        (Lang::Fr, A::Search) => "Filtrer les couches",
        (Lang::En, A::Search) => "Filter layers",
        (Lang::Fr, A::ByDefault) => "par défaut",
        (Lang::En, A::ByDefault) => "default",
        (Lang::Fr, A::OpenRule) => "Ouvrir la règle",
        (Lang::En, A::OpenRule) => "Open the rule",
        (Lang::Fr, A::CreateRule) => "Créer une règle pour cette couche",
        (Lang::En, A::CreateRule) => "Create a rule for this layer",
        (Lang::Fr, A::User) => "Utilisateur",
        (Lang::En, A::User) => "User",
        (_, A::Action) => "Action",
        (Lang::Fr, A::Any) => "toutes",
        (Lang::En, A::Any) => "any",
        (Lang::Fr, A::Since) => "Depuis le",
        (Lang::En, A::Since) => "Since",
        (Lang::Fr, A::Until) => "Jusqu’au (inclus)",
        (Lang::En, A::Until) => "Until (included)",
        (Lang::Fr, A::ApplyFilters) => "Filtrer",
        (Lang::En, A::ApplyFilters) => "Filter",
        (Lang::Fr, A::ExportCsv) => "Exporter en CSV",
        (Lang::En, A::ExportCsv) => "Export as CSV",
        (Lang::Fr, A::When) => "Quand",
        (Lang::En, A::When) => "When",
        (Lang::Fr, A::Change) => "Modification",
        (Lang::En, A::Change) => "Change",
        (Lang::Fr, A::NoEntries) => "Aucune entrée.",
        (Lang::En, A::NoEntries) => "No entries.",
    }
}
