//! Strings of the saved maps (viewer panel and admin section), in French and English.

use crate::i18n::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapsMsg {
    Maps,
    SaveMap,
    Title,
    Visibility,
    Public,
    Private,
    Folder,
    NoFolder,
    NewFolder,
    NewFolderName,
    Save,
    Saving,
    Saved,
    MyMaps,
    PublicMaps,
    NoMaps,
    CopyLink,
    Rename,
    RenamePrompt,
    MoveTo,
    Delete,
    ConfirmDelete,
    Overwrite,
    ConfirmOverwrite,
    Overwritten,
    ConfirmDeleteFolder,
    Failed,
    NotFound,
    Skipped,
    Opened,
    Owner,
    Default,
    SetDefault,
    UnsetDefault,
    MakePublicFirst,
    FilterMaps,
    AdminIntro,
}

#[allow(
    clippy::too_many_lines,
    reason = "a table: one line per message and language"
)]
pub fn tm(lang: Lang, msg: MapsMsg) -> &'static str {
    use MapsMsg as M;
    match (lang, msg) {
        (Lang::Fr, M::Maps) => "Cartes",
        (Lang::En, M::Maps) => "Maps",
        (Lang::Fr, M::SaveMap) => "Enregistrer cette carte",
        (Lang::En, M::SaveMap) => "Save this map",
        (Lang::Fr, M::Title) => "Titre",
        (Lang::En, M::Title) => "Title",
        (Lang::Fr, M::Visibility) => "Visibilité",
        (Lang::En, M::Visibility) => "Visibility",
        (Lang::Fr, M::Public) => "Publique (toute personne ayant le lien)",
        (Lang::En, M::Public) => "Public (anyone with the link)",
        (Lang::Fr, M::Private) => "Privée (moi seulement)",
        (Lang::En, M::Private) => "Private (only me)",
        (Lang::Fr, M::Folder) => "Dossier",
        (Lang::En, M::Folder) => "Folder",
        (Lang::Fr, M::NoFolder) => "Aucun dossier",
        (Lang::En, M::NoFolder) => "No folder",
        (Lang::Fr, M::NewFolder) => "Nouveau dossier…",
        (Lang::En, M::NewFolder) => "New folder…",
        (Lang::Fr, M::NewFolderName) => "Nom du nouveau dossier",
        (Lang::En, M::NewFolderName) => "New folder's name",
        (Lang::Fr, M::Save) => "Enregistrer",
        (Lang::En, M::Save) => "Save",
        (Lang::Fr, M::Saving) => "Enregistrement…",
        (Lang::En, M::Saving) => "Saving…",
        (Lang::Fr, M::Saved) => "Carte enregistrée. Son lien :",
        (Lang::En, M::Saved) => "Map saved. Its link:",
        (Lang::Fr, M::MyMaps) => "Mes cartes",
        (Lang::En, M::MyMaps) => "My maps",
        (Lang::Fr, M::PublicMaps) => "Cartes publiques",
        (Lang::En, M::PublicMaps) => "Public maps",
        (Lang::Fr, M::NoMaps) => "Aucune carte.",
        (Lang::En, M::NoMaps) => "No maps.",
        (Lang::Fr, M::CopyLink) => "Copier le lien",
        (Lang::En, M::CopyLink) => "Copy link",
        (Lang::Fr, M::Rename) => "Renommer",
        (Lang::En, M::Rename) => "Rename",
        (Lang::Fr, M::RenamePrompt) => "Nouveau titre",
        (Lang::En, M::RenamePrompt) => "New title",
        (Lang::Fr, M::MoveTo) => "Déplacer vers",
        (Lang::En, M::MoveTo) => "Move to",
        (Lang::Fr, M::Delete) => "Supprimer",
        (Lang::En, M::Delete) => "Delete",
        (Lang::Fr, M::Overwrite) => "Remplacer par la carte actuelle",
        (Lang::En, M::Overwrite) => "Replace with the current map",
        (Lang::Fr, M::ConfirmOverwrite) => {
            "Remplacer cette carte enregistrée par la carte affichée (couches, ordre, opacité, \
             temps, vue) ?"
        }
        (Lang::En, M::ConfirmOverwrite) => {
            "Replace this saved map with the map on screen (layers, order, opacity, time, view)?"
        }
        (Lang::Fr, M::Overwritten) => "Carte remplacée par la carte actuelle.",
        (Lang::En, M::Overwritten) => "Map replaced with the current map.",
        (Lang::Fr, M::ConfirmDelete) => "Supprimer cette carte ?",
        (Lang::En, M::ConfirmDelete) => "Delete this map?",
        (Lang::Fr, M::ConfirmDeleteFolder) => {
            "Supprimer ce dossier ? Ses cartes seront conservées, hors dossier."
        }
        (Lang::En, M::ConfirmDeleteFolder) => {
            "Delete this folder? Its maps are kept, outside any folder."
        }
        (Lang::Fr, M::Failed) => "Échec :",
        (Lang::En, M::Failed) => "Failed:",
        (Lang::Fr, M::NotFound) => {
            "Cette carte enregistrée n’existe pas ou est privée. Connectez-vous si elle est à vous."
        }
        (Lang::En, M::NotFound) => {
            "This saved map was not found or is private. Sign in if it is yours."
        }
        (Lang::Fr, M::Skipped) => "Couches de cette carte non disponibles pour vous, donc omises :",
        (Lang::En, M::Skipped) => "Layers of this map you cannot see, so left out:",
        (Lang::Fr, M::Opened) => "Carte :",
        (Lang::En, M::Opened) => "Map:",
        (Lang::Fr, M::Owner) => "Propriétaire",
        (Lang::En, M::Owner) => "Owner",
        (Lang::Fr, M::Default) => "Carte d’accueil",
        (Lang::En, M::Default) => "Landing map",
        (Lang::Fr, M::SetDefault) => "Choisir comme carte d’accueil",
        (Lang::En, M::SetDefault) => "Set as landing map",
        (Lang::Fr, M::UnsetDefault) => "Retirer la carte d’accueil",
        (Lang::En, M::UnsetDefault) => "Unset landing map",
        (Lang::Fr, M::MakePublicFirst) => "Seule une carte publique peut être carte d’accueil",
        (Lang::En, M::MakePublicFirst) => "Only a public map can be the landing map",
        (Lang::Fr, M::FilterMaps) => "Filtrer (titre, propriétaire, dossier)",
        (Lang::En, M::FilterMaps) => "Filter (title, owner, folder)",
        (Lang::Fr, M::AdminIntro) => {
            "Toutes les cartes enregistrées. La carte d’accueil s’ouvre pour qui arrive sans lien."
        }
        (Lang::En, M::AdminIntro) => {
            "Every saved map. The landing map opens for visitors who come without a link."
        }
    }
}
