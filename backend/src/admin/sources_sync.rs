//! Connection tests and synchronisations with their diff shown first. A preview harvests the
//! source now, compares with its stored layers and keeps the harvest in memory ten minutes
//! under a random token; applying that token stores exactly that harvest — unless the stored
//! layers changed since the preview (another sync, the schedule, a deletion), which is a 409:
//! the administrator sees what they apply, or nothing is applied. Tests and previews store
//! nothing; an applied sync writes its layers and its audit row in one transaction.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kartenn_common::admin_sources::{
    DiffLayer, LayerDiff, ServiceCheck, SourceTest, SyncApplied, SyncPreview,
};
use serde_json::Value;
use sqlx::{Row, SqliteConnection};

use super::AdminError;
use super::audit::{self, Change};
use super::sources::{SourceAdminError, Sources};
use super::{Actor, field_error};
use crate::config::SourceConfig;
use crate::ogc::catalog::OgcLayer;
use crate::ogc::sync::{fetch_capabilities, harvest, rfc3339, rfc3339_now};

/// How long a preview may be applied.
pub const PREVIEW_TTL: Duration = Duration::from_secs(600);
/// Previews kept at most (the oldest go first): harvests can be large.
const MAX_PREVIEWS: usize = 16;

/// A harvest waiting to be applied.
struct Preview {
    /// The source as it was harvested.
    source: SourceConfig,
    layers: Vec<OgcLayer>,
    /// The stored layers (id, JSON) the diff was made against.
    base: Vec<(String, String)>,
    diff: LayerDiff,
    expires: Instant,
}

/// The previews waiting, by token.
#[derive(Default)]
pub struct Previews(Mutex<HashMap<String, Preview>>);

impl Previews {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Preview>) -> T) -> T {
        match self.0.lock() {
            Ok(mut map) => f(&mut map),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    fn insert(&self, token: String, preview: Preview) {
        self.with(|map| {
            let now = Instant::now();
            map.retain(|_, p| p.expires > now);
            while map.len() >= MAX_PREVIEWS {
                let Some(oldest) = map
                    .iter()
                    .min_by_key(|(_, p)| p.expires)
                    .map(|(k, _)| k.clone())
                else {
                    break;
                };
                map.remove(&oldest);
            }
            map.insert(token, preview);
        });
    }

    /// Takes the unexpired preview `token` made for `source` (a token of another source is
    /// left in place and refused).
    fn take(&self, token: &str, source: &str) -> Result<Preview, SourceAdminError> {
        self.with(|map| match map.get(token) {
            Some(p) if p.expires <= Instant::now() => {
                map.remove(token);
                Err(SourceAdminError::PreviewGone)
            }
            Some(p) if p.source.id != source => Err(AdminError::field(
                "preview",
                format!("this preview is of source `{}`", p.source.id),
            )
            .into()),
            Some(_) => map.remove(token).ok_or(SourceAdminError::PreviewGone),
            None => Err(SourceAdminError::PreviewGone),
        })
    }
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Asks each enabled service of `source` for its capabilities; nothing is stored.
pub async fn test(client: &reqwest::Client, source: &SourceConfig) -> SourceTest {
    let start = Instant::now();
    let mut services = Vec::new();
    for (service, enabled, version) in [
        ("WMS", source.wms, source.wms_version.as_str()),
        ("WFS", source.wfs, "2.0.0"),
    ] {
        if !enabled {
            continue;
        }
        let one = Instant::now();
        let answer = fetch_capabilities(client, source, service, version).await;
        services.push(match answer {
            Ok(caps) => ServiceCheck {
                service: service.to_owned(),
                ok: true,
                title: caps.title,
                layers: caps.layers.len(),
                error: None,
                elapsed_ms: elapsed_ms(one),
            },
            Err(e) => ServiceCheck {
                service: service.to_owned(),
                ok: false,
                title: None,
                layers: 0,
                error: Some(e.to_string()),
                elapsed_ms: elapsed_ms(one),
            },
        });
    }
    SourceTest {
        ok: services.iter().all(|s| s.ok),
        services,
        elapsed_ms: elapsed_ms(start),
    }
}

/// The stored layers of `source` (id, JSON), in order.
async fn stored_docs(
    conn: &mut SqliteConnection,
    source: &str,
) -> Result<Vec<(String, String)>, SourceAdminError> {
    Ok(
        sqlx::query("SELECT id, doc FROM ogc_layers WHERE source = ? ORDER BY position")
            .bind(source)
            .fetch_all(conn)
            .await?
            .iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("doc")?)))
            .collect::<Result<_, sqlx::Error>>()?,
    )
}

fn title_of(doc: &Value, id: &str) -> String {
    doc.get("title")
        .and_then(Value::as_str)
        .unwrap_or(id)
        .to_owned()
}

/// What replacing the stored layers `old` (id, JSON) by `new` changes; a changed layer names
/// its changed fields.
pub fn diff(old: &[(String, String)], new: &[OgcLayer]) -> Result<LayerDiff, serde_json::Error> {
    let old: Vec<(&str, Value)> = old
        .iter()
        .map(|(id, doc)| Ok((id.as_str(), serde_json::from_str(doc)?)))
        .collect::<Result<_, serde_json::Error>>()?;
    let mut out = LayerDiff::default();
    for layer in new {
        let now = serde_json::to_value(layer)?;
        match old.iter().find(|(id, _)| *id == layer.id) {
            None => out.added.push(DiffLayer {
                id: layer.id.clone(),
                title: layer.title.clone(),
                fields: Vec::new(),
            }),
            Some((_, before)) if *before != now => {
                let mut fields: Vec<String> = [before, &now]
                    .iter()
                    .filter_map(|v| v.as_object())
                    .flat_map(|o| o.keys().cloned())
                    .filter(|k| before.get(k) != now.get(k))
                    .collect();
                fields.sort();
                fields.dedup();
                out.changed.push(DiffLayer {
                    id: layer.id.clone(),
                    title: layer.title.clone(),
                    fields,
                });
            }
            Some(_) => out.unchanged += 1,
        }
    }
    out.removed = old
        .iter()
        .filter(|(id, _)| !new.iter().any(|l| l.id == *id))
        .map(|(id, doc)| DiffLayer {
            id: (*id).to_owned(),
            title: title_of(doc, id),
            fields: Vec::new(),
        })
        .collect();
    Ok(out)
}

/// A random token (128 bits, hex).
fn token() -> Result<String, SourceAdminError> {
    use ring::rand::SecureRandom;
    use std::fmt::Write as _;
    let mut bytes = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| SourceAdminError::Random)?;
    Ok(bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    }))
}

impl Sources<'_> {
    /// The source in force named `id`.
    pub fn current(&self, id: &str) -> Result<SourceConfig, SourceAdminError> {
        self.ogc
            .source(id)
            .ok_or_else(|| SourceAdminError::Unknown(id.to_owned()))
    }

    /// Harvests source `id` now and keeps the harvest for [`Self::apply`].
    pub async fn preview(&self, id: &str) -> Result<SyncPreview, SourceAdminError> {
        let source = self.current(id)?;
        let layers = harvest(&self.ogc.client, &source).await?;
        let mut conn = self.store.pool().acquire().await?;
        let base = stored_docs(&mut conn, id).await?;
        drop(conn);
        let diff = diff(&base, &layers)?;
        let token = token()?;
        let expires_at = rfc3339(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
                + PREVIEW_TTL.as_secs(),
        );
        let answer = SyncPreview {
            token: token.clone(),
            source: id.to_owned(),
            expires_at,
            layers: layers.len(),
            diff: diff.clone(),
        };
        self.ogc.previews.insert(
            token,
            Preview {
                source,
                layers,
                base,
                diff,
                expires: Instant::now() + PREVIEW_TTL,
            },
        );
        Ok(answer)
    }

    /// Stores the harvest of preview `token` for source `id`, if neither the source nor its
    /// stored layers changed since.
    pub async fn apply(
        &self,
        actor: &Actor,
        id: &str,
        token: &str,
    ) -> Result<SyncApplied, SourceAdminError> {
        let _order = self.ogc.lock_writes().await;
        let preview = self.ogc.previews.take(token, id)?;
        if self.ogc.source(id).as_ref() != Some(&preview.source) {
            return Err(SourceAdminError::SourceChanged(id.to_owned()));
        }
        let mut tx = self.store.pool().begin_with("BEGIN IMMEDIATE").await?;
        if stored_docs(&mut tx, id).await? != preview.base {
            return Err(SourceAdminError::CatalogueChanged);
        }
        let docs = preview
            .layers
            .iter()
            .map(|l| Ok((l.id.clone(), serde_json::to_string(l)?)))
            .collect::<Result<Vec<_>, serde_json::Error>>()?;
        crate::store::write_layers(&mut tx, id, &docs).await?;
        let applied = SyncApplied {
            source: id.to_owned(),
            layers: preview.layers.len(),
            diff: preview.diff,
        };
        audit::record(
            &mut tx,
            actor,
            &Change {
                action: "source.sync",
                target: format!("source:{id}"),
                before: Some(serde_json::json!({ "layers": preview.base.len() })),
                after: Some(serde_json::to_value(&applied)?),
            },
        )
        .await?;
        tx.commit().await?;
        let ids = |list: &[DiffLayer]| list.iter().map(|l| l.id.clone()).collect();
        let recorded = crate::store::SyncDiff {
            added: ids(&applied.diff.added),
            changed: ids(&applied.diff.changed),
            removed: ids(&applied.diff.removed),
        };
        if let Err(e) = self
            .store
            .record_sync(id, &rfc3339_now(), Ok(&recorded))
            .await
        {
            tracing::warn!(source = %id, error = %e, "could not record the sync");
        }
        self.ogc.refresh().await?;
        Ok(applied)
    }
}

/// Reads `{ "preview": "<token>" }`.
pub fn apply_body(map: &serde_json::Map<String, Value>) -> Result<String, AdminError> {
    let mut errors = super::rules::unknown_fields(map, &["preview"]);
    let token = match map.get("preview") {
        Some(Value::String(t)) if !t.is_empty() && t.len() <= 128 => Some(t.clone()),
        Some(_) => {
            errors.push(field_error("preview", "must be the token of a preview"));
            None
        }
        None => {
            errors.push(field_error("preview", "required: the token of a preview"));
            None
        }
    };
    match token {
        Some(t) if errors.is_empty() => Ok(t),
        _ => Err(AdminError::invalid(errors)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(id: &str, title: &str) -> OgcLayer {
        let mut l = OgcLayer::named("s", id);
        l.id = id.to_owned();
        l.title = title.to_owned();
        l
    }

    fn docs(layers: &[OgcLayer]) -> Vec<(String, String)> {
        layers
            .iter()
            .map(|l| (l.id.clone(), serde_json::to_string(l).unwrap()))
            .collect()
    }

    #[test]
    fn the_diff_names_added_removed_and_changed_layers_with_their_changed_fields() {
        let old = docs(&[layer("a", "A"), layer("b", "B"), layer("c", "C")]);
        let mut b = layer("b", "B2");
        b.bbox = Some([0.0, 0.0, 1.0, 1.0]);
        let d = diff(&old, &[layer("a", "A"), b, layer("d", "D")]).unwrap();
        assert_eq!(d.added[0].id, "d");
        assert_eq!(d.added[0].title, "D");
        assert_eq!(d.removed[0].id, "c");
        assert_eq!(d.removed[0].title, "C");
        assert_eq!(d.changed[0].title, "B2");
        assert_eq!(d.changed[0].fields, ["bbox", "title"]);
        assert_eq!(d.unchanged, 1);
        assert!(
            diff(&old, &[layer("a", "A"), layer("b", "B"), layer("c", "C")])
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_preview_is_taken_once_by_its_own_source_and_not_after_it_expires() {
        let previews = Previews::default();
        let source: SourceConfig = toml::from_str("id = \"s\"\nurl = \"http://h/ows\"\n").unwrap();
        let make = |expires| Preview {
            source: source.clone(),
            layers: vec![],
            base: vec![],
            diff: LayerDiff::default(),
            expires,
        };
        previews.insert("t1".into(), make(Instant::now() + PREVIEW_TTL));
        assert!(matches!(
            previews.take("t1", "other"),
            Err(SourceAdminError::Admin(_))
        ));
        assert!(previews.take("t1", "s").is_ok());
        assert!(matches!(
            previews.take("t1", "s"),
            Err(SourceAdminError::PreviewGone)
        ));
        let past = Instant::now().checked_sub(Duration::from_secs(1)).unwrap();
        previews.insert("t2".into(), make(past));
        assert!(matches!(
            previews.take("t2", "s"),
            Err(SourceAdminError::PreviewGone)
        ));
    }
}
