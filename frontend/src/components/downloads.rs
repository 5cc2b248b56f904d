//! Download links for a layer whose features the caller may download through the WFS proxy:
//! GeoJSON and Shapefile (GeoServer's `SHAPE-ZIP`), each with a `download` file name.

use kartenn_common::CatalogLayer;
use kartenn_engine::source::wfs_get_feature;
use yew::prelude::*;

use crate::i18n::{Lang, Msg, t};

/// The links, or nothing when downloads are not allowed.
pub fn download_links(layer: &CatalogLayer, lang: Lang) -> Html {
    let Some((source, wfs)) = layer
        .ogc
        .as_ref()
        .and_then(|o| Some((o.source.as_str(), o.wfs.as_ref()?)))
        .filter(|(_, wfs)| wfs.download)
    else {
        return Html::default();
    };
    let endpoint = format!("/ows/{source}");
    let link = |format: &str, extension: &str, label: &str| {
        let url = wfs_get_feature(&endpoint, &wfs.type_name, format, None, None);
        html! {
            <a href={url} download={format!("{}.{extension}", layer.id)} class="download"
               data-download={extension.to_owned()}
               title={format!("{} {label} — {}", t(lang, Msg::Download), layer.title)}>{ label.to_owned() }</a>
        }
    };
    html! {
        <span class="downloads" role="group" aria-label={t(lang, Msg::Download)}>
            <span class="downloads-label" aria-hidden="true">{ "⤓" }</span>
            { link("application/json", "geojson", "GeoJSON") }
            { link("SHAPE-ZIP", "zip", "Shapefile") }
        </span>
    }
}
