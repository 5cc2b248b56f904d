//! The admin API's bodies (`/api/admin/…`): rules as the rights model reads them (also the
//! `[[rules]]` of the configuration file), the rule list with each stored rule's version, and
//! the audit log's rows. The backend decides with [`Rule`]; the viewer's admin pages edit it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who may do an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Audience {
    /// `"public"` or `"authenticated"`.
    Keyword(Keyword),
    /// Any of these roles.
    Roles(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Keyword {
    Public,
    Authenticated,
}

/// One `[[rules]]` entry (also the JSON of a rule in the store and the admin API).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Layer id or upstream name, or a glob over them (`*` any run, `?` one character). A rule
    /// names either layers or chronicle datasets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// Chronicle dataset id, or a glob over them (`view`: see it and its stations and series;
    /// `query`: read its points; `download`: export CSV).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
    /// Only layers of this OGC source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<Audience>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<Audience>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download: Option<Audience>,
}

impl Audience {
    /// Whether a caller is in this audience: `roles` are a signed-in caller's, `None` means
    /// anonymous (who is never in "authenticated" nor in any role).
    pub fn admits(&self, roles: Option<&[String]>) -> bool {
        match (self, roles) {
            (Audience::Keyword(Keyword::Public), _)
            | (Audience::Keyword(Keyword::Authenticated), Some(_)) => true,
            (Audience::Roles(wanted), Some(held)) => wanted.iter().any(|r| held.contains(r)),
            _ => false,
        }
    }
}

impl Rule {
    /// Whether this rule names the layer `id` — of OGC source `source`, advertised upstream
    /// under `names` — by its pattern (and source, if it says one). Dataset rules never do.
    pub fn names_layer<S: AsRef<str>>(&self, id: &str, source: Option<&str>, names: &[S]) -> bool {
        if let Some(wanted) = &self.source
            && source != Some(wanted.as_str())
        {
            return false;
        }
        let Some(pattern) = &self.layer else {
            return false;
        };
        glob(pattern, id) || names.iter().any(|n| glob(pattern, n.as_ref()))
    }
}

impl Rule {
    /// Whether this rule names the chronicle dataset `id` by its pattern. Layer rules never do.
    pub fn names_dataset(&self, id: &str) -> bool {
        self.dataset.as_deref().is_some_and(|d| glob(d, id))
    }
}

/// For layers no rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DefaultAccess {
    /// Nobody (the default).
    #[default]
    Deny,
    /// Everybody may view, query and download.
    Public,
}

/// One rule as the admin API shows it: a stored one (with `id`, `version`, …) or one of the
/// configuration's (`from_config`, read-only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct RuleEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Stored rules apply in ascending position (ties by id), before the configuration's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
    /// Bumped by each change; `ETag: "<version>"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    /// A `[[rules]]` entry of the configuration file: not editable here.
    pub from_config: bool,
    pub rule: Rule,
}

impl RuleEntry {
    /// A `[[rules]]` entry of the configuration, read-only.
    pub fn config(rule: Rule) -> Self {
        Self {
            id: None,
            position: None,
            version: None,
            updated_at: None,
            updated_by: None,
            from_config: true,
            rule,
        }
    }

    /// `"<version>"`: the `ETag`, and what `If-Match` sends back.
    pub fn etag(&self) -> String {
        etag(self.version.unwrap_or_default())
    }
}

/// `GET /api/admin/rules`: the rules in force, in the order they are tried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct RuleList {
    /// `[access] default`: what no rule covers.
    pub default: DefaultAccess,
    /// Stored rules (editable) first, then the configuration's (`from_config`).
    pub rules: Vec<RuleEntry>,
}

/// Body of `POST /api/admin/rules` and `PUT /api/admin/rules/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct RuleBody {
    pub rule: Rule,
    /// Stored rules apply in ascending position; default: after the other stored rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
}

/// One audit row (`GET /api/admin/audit`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    /// RFC 3339, UTC.
    pub at: String,
    /// The issuer's id of the administrator (`sub`).
    pub subject: Option<String>,
    pub username: Option<String>,
    pub action: String,
    pub target: String,
    /// The object before the change (`null` for a creation).
    #[cfg_attr(feature = "utoipa", schema(value_type = Object))]
    pub before: Option<Value>,
    /// The object after the change (`null` for a deletion).
    #[cfg_attr(feature = "utoipa", schema(value_type = Object))]
    pub after: Option<Value>,
    /// The peer address of the connection that made the change.
    pub origin: Option<String>,
    pub user_agent: Option<String>,
}

/// One role mapping: a claim-derived name (`realm:<role>`, `client:<client-id>:<role>`,
/// `group:<path>`) and the Kartenn roles it gives. A stored one has `id` and `version`; the
/// configuration's `[oidc.roles]` entries are `from_config` (read-only). For one claim, stored and
/// configured roles both apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct RoleMappingEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Bumped by each change; `ETag: "<version>"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    pub from_config: bool,
    pub claim: String,
    pub roles: Vec<String>,
}

impl RoleMappingEntry {
    /// `"<version>"`: the `ETag`, and what `If-Match` sends back.
    pub fn etag(&self) -> String {
        etag(self.version.unwrap_or_default())
    }
}

/// `GET /api/admin/role-mappings`: stored mappings (editable), then the configuration's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct RoleMappingList {
    pub mappings: Vec<RoleMappingEntry>,
}

/// Body of `POST /api/admin/role-mappings` and `PUT /api/admin/role-mappings/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct RoleMappingBody {
    /// `realm:<role>`, `client:<client-id>:<role>` or `group:<path>`.
    pub claim: String,
    /// Kartenn role names (not beginning with `realm:`, `client:` or `group:`).
    pub roles: Vec<String>,
}

/// `"<version>"`: the `ETag` of an object at `version`, and what `If-Match` sends back (every
/// versioned object of the admin and maps APIs).
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// `*` matches any run of characters (also empty), `?` exactly one; everything else itself.
pub fn glob(pattern: &str, text: &str) -> bool {
    // Layer names are nearly always ASCII: match bytes without allocating.
    if pattern.is_ascii() && text.is_ascii() {
        return glob_units(pattern.as_bytes(), text.as_bytes(), b'*', b'?');
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    glob_units(&p, &t, '*', '?')
}

/// Iterative matcher with one backtrack point: linear in practice, no recursion.
fn glob_units<T: Copy + PartialEq>(p: &[T], t: &[T], star: T, one: T) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(&c) if c == star => {
                backtrack = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == one || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match backtrack {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    backtrack = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == star)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_list_reads_back_what_the_server_writes() {
        let json = r#"{"default":"deny","rules":[{"id":3,"position":0,"version":2,
            "updated_at":"2026-01-01T00:00:00Z","updated_by":"admin","from_config":false,
            "rule":{"layer":"traits_*","view":"public","query":["letg"]}},
            {"from_config":true,"rule":{"dataset":"d","view":"authenticated"}}]}"#;
        let list: RuleList = serde_json::from_str(json).unwrap();
        assert_eq!(list.rules[0].etag(), "\"2\"");
        assert_eq!(
            list.rules[0].rule.query,
            Some(Audience::Roles(vec!["letg".into()]))
        );
        assert_eq!(
            list.rules[1].rule.view,
            Some(Audience::Keyword(Keyword::Authenticated))
        );
        let back: RuleList = serde_json::from_value(serde_json::to_value(&list).unwrap()).unwrap();
        assert_eq!(back, list);
    }
}
