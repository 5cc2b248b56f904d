//! The words of the admin "Sources" section, in French and English (same pattern as
//! `crate::i18n`: an enum and a `match (lang, msg)`).

use crate::i18n::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SrcMsg {
    Sources,
    Intro,
    NewSource,
    EditSource,
    Id,
    Title,
    Url,
    Wms,
    WmsVersion,
    Wfs,
    Username,
    PasswordFile,
    PasswordHint,
    Timeout,
    SyncMinutes,
    MaxResponse,
    Category,
    Save,
    Saving,
    Cancel,
    Test,
    Testing,
    TestOk,
    TestFailed,
    Synchronise,
    Harvesting,
    PreviewTitle,
    Added,
    Changed,
    Removed,
    Unchanged,
    Apply,
    Applying,
    Applied,
    NoChange,
    Delete,
    Edit,
    FromConfig,
    Layers,
    LastSync,
    Never,
    SyncFailed,
    Password,
    NoPassword,
    Failed,
    PreviewAgain,
    Loading,
    Actions,
}

// One arm per message and language: long by nature.
#[allow(clippy::too_many_lines)]
pub fn ts(lang: Lang, msg: SrcMsg) -> &'static str {
    use SrcMsg as S;
    match (lang, msg) {
        (_, S::Sources) => "Sources",
        (Lang::Fr, S::Intro) => {
            "Serveurs OGC (GeoServer, MapServer) dont Kartenn moissonne et relaie les couches. \
             Ceux du fichier de configuration sont en lecture seule ici."
        }
        (Lang::En, S::Intro) => {
            "OGC servers (GeoServer, MapServer) whose layers Kartenn harvests and proxies. Those \
             of the configuration file are read-only here."
        }
        (Lang::Fr, S::NewSource) => "Nouvelle source",
        (Lang::En, S::NewSource) => "New source",
        (Lang::Fr, S::EditSource) => "Modifier la source",
        (Lang::En, S::EditSource) => "Edit source",
        (Lang::Fr, S::Id) => "Identifiant",
        (Lang::En, S::Id) => "Id",
        (Lang::Fr, S::Title) => "Titre",
        (Lang::En, S::Title) => "Title",
        (Lang::Fr, S::Url) => "Adresse OWS",
        (Lang::En, S::Url) => "OWS address",
        (_, S::Wms) => "WMS",
        (Lang::Fr, S::WmsVersion) => "Version WMS",
        (Lang::En, S::WmsVersion) => "WMS version",
        (_, S::Wfs) => "WFS",
        (Lang::Fr, S::Username) => "Compte de service",
        (Lang::En, S::Username) => "Service account",
        (Lang::Fr, S::PasswordFile) => "Fichier du mot de passe",
        (Lang::En, S::PasswordFile) => "Password file",
        (Lang::Fr, S::PasswordHint) => {
            "Jamais enregistré : un fichier du répertoire des mots de passe du serveur, ou la \
             variable KARTENN_SOURCE_<ID>_PASSWORD."
        }
        (Lang::En, S::PasswordHint) => {
            "Never stored: a file in the server's password directory, or the \
             KARTENN_SOURCE_<ID>_PASSWORD variable."
        }
        (Lang::Fr, S::Timeout) => "Délai de réponse (s)",
        (Lang::En, S::Timeout) => "Timeout (s)",
        (Lang::Fr, S::SyncMinutes) => "Synchroniser toutes les (min, 0 : jamais)",
        (Lang::En, S::SyncMinutes) => "Sync every (min, 0: never)",
        (Lang::Fr, S::MaxResponse) => "Taille de réponse max (Mio)",
        (Lang::En, S::MaxResponse) => "Largest answer (MiB)",
        (Lang::Fr, S::Category) => "Catégorie",
        (Lang::En, S::Category) => "Category",
        (Lang::Fr, S::Save) => "Enregistrer",
        (Lang::En, S::Save) => "Save",
        (Lang::Fr, S::Saving) => "Enregistrement…",
        (Lang::En, S::Saving) => "Saving…",
        (Lang::Fr, S::Cancel) => "Annuler",
        (Lang::En, S::Cancel) => "Cancel",
        (Lang::Fr, S::Test) => "Tester la connexion",
        (Lang::En, S::Test) => "Test connection",
        (Lang::Fr, S::Testing) => "Test en cours…",
        (Lang::En, S::Testing) => "Testing…",
        (Lang::Fr, S::TestOk) => "Connexion réussie",
        (Lang::En, S::TestOk) => "Connection works",
        (Lang::Fr, S::TestFailed) => "La connexion a échoué",
        (Lang::En, S::TestFailed) => "The connection failed",
        (Lang::Fr, S::Synchronise) => "Synchroniser…",
        (Lang::En, S::Synchronise) => "Synchronise…",
        (Lang::Fr, S::Harvesting) => "Moissonnage…",
        (Lang::En, S::Harvesting) => "Harvesting…",
        (Lang::Fr, S::PreviewTitle) => "Ce que la synchronisation va changer",
        (Lang::En, S::PreviewTitle) => "What the synchronisation will change",
        (Lang::Fr, S::Added) => "Ajoutées",
        (Lang::En, S::Added) => "Added",
        (Lang::Fr, S::Changed) => "Modifiées",
        (Lang::En, S::Changed) => "Changed",
        (Lang::Fr, S::Removed) => "Retirées",
        (Lang::En, S::Removed) => "Removed",
        (Lang::Fr, S::Unchanged) => "inchangées",
        (Lang::En, S::Unchanged) => "unchanged",
        (Lang::Fr, S::Apply) => "Appliquer",
        (Lang::En, S::Apply) => "Apply",
        (Lang::Fr, S::Applying) => "Application…",
        (Lang::En, S::Applying) => "Applying…",
        (Lang::Fr, S::Applied) => "Synchronisation appliquée.",
        (Lang::En, S::Applied) => "Synchronisation applied.",
        (Lang::Fr, S::NoChange) => "Aucun changement.",
        (Lang::En, S::NoChange) => "No change.",
        (Lang::Fr, S::Delete) => "Supprimer",
        (Lang::En, S::Delete) => "Delete",
        (Lang::Fr, S::Edit) => "Modifier",
        (Lang::En, S::Edit) => "Edit",
        (Lang::Fr, S::FromConfig) => "fichier de configuration",
        (Lang::En, S::FromConfig) => "configuration file",
        (Lang::Fr, S::Layers) => "Couches",
        (Lang::En, S::Layers) => "Layers",
        (Lang::Fr, S::LastSync) => "Dernière synchronisation",
        (Lang::En, S::LastSync) => "Last sync",
        (Lang::Fr, S::Never) => "jamais",
        (Lang::En, S::Never) => "never",
        (Lang::Fr, S::SyncFailed) => "échec :",
        (Lang::En, S::SyncFailed) => "failed:",
        (Lang::Fr, S::Password) => "mot de passe trouvé",
        (Lang::En, S::Password) => "password found",
        (Lang::Fr, S::NoPassword) => "sans mot de passe",
        (Lang::En, S::NoPassword) => "no password",
        (Lang::Fr, S::Failed) => "Échec :",
        (Lang::En, S::Failed) => "Failed:",
        (Lang::Fr, S::PreviewAgain) => "Prévisualiser à nouveau",
        (Lang::En, S::PreviewAgain) => "Preview again",
        (Lang::Fr, S::Loading) => "Chargement…",
        (Lang::En, S::Loading) => "Loading…",
        (_, S::Actions) => "Actions",
    }
}

/// The delete confirmation, naming the layers that go with the source.
pub fn confirm_delete(lang: Lang, id: &str, layers: usize) -> String {
    match lang {
        Lang::Fr => format!("Supprimer la source {id} et ses {layers} couche(s) du catalogue ?"),
        Lang::En => format!("Delete source {id} and its {layers} layer(s) from the catalogue?"),
    }
}

/// "2 layers, 120 ms".
pub fn layers_in(lang: Lang, layers: usize, ms: u64) -> String {
    match lang {
        Lang::Fr => format!("{layers} couche(s), {ms} ms"),
        Lang::En => format!("{layers} layer(s), {ms} ms"),
    }
}
