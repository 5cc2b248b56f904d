//! Keycloak claims → [`Principal`]. Each role and group the token carries becomes a
//! claim-derived name — `realm:<role>` (`realm_access.roles`), `client:<client>:<role>`
//! (`resource_access.<client>.roles`), `group:<group>` (`groups`) — and `[oidc.roles]` maps those
//! names to Kartenn roles. The principal holds both, so rules may name either. Missing or
//! malformed claims mean no roles, never an error. Keycloak's built-in roles (`offline_access`,
//! `uma_authorization`, `default-roles-<realm>`, the `account` client's) carry no meaning here
//! and are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, PoisonError, RwLock};

use serde_json::{Map, Value};

use crate::acl::Principal;

/// Claim-derived names begin with one of these; Kartenn role names may not (so a principal's
/// roles can always be split back into claims and mapped roles).
pub const CLAIM_PREFIXES: [&str; 3] = ["realm:", "client:", "group:"];

/// Whether `name` is a claim-derived name (`realm:…`, `client:…`, `group:…`).
pub fn is_claim_name(name: &str) -> bool {
    CLAIM_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Claim-derived name → Kartenn roles.
pub type Mapping = BTreeMap<String, Vec<String>>;

/// The role mapping in force: the configuration's `[oidc.roles]` and the entries stored by
/// administrators (for one claim, both apply). It is applied to every request's principal
/// (sessions and cached bearer tokens keep only the claim-derived names), so a change shows on
/// the very next request of every user.
#[derive(Debug, Default)]
pub struct RoleMapping {
    config: Mapping,
    current: RwLock<Arc<Mapping>>,
}

impl RoleMapping {
    /// The configuration's mapping alone (until stored entries are loaded).
    pub fn new(config: Mapping) -> Self {
        Self {
            current: RwLock::new(Arc::new(config.clone())),
            config,
        }
    }

    /// `[oidc.roles]` (read-only through the admin API).
    pub fn config(&self) -> &Mapping {
        &self.config
    }

    /// The mapping in force now.
    pub fn current(&self) -> Arc<Mapping> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Adds `stored` to the configuration's mapping and makes that the mapping of every later
    /// request.
    pub fn set_stored(&self, stored: impl IntoIterator<Item = (String, Vec<String>)>) {
        let mut mapping = self.config.clone();
        for (claim, roles) in stored {
            let held = mapping.entry(claim).or_default();
            for role in roles {
                if !held.contains(&role) {
                    held.push(role);
                }
            }
        }
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(mapping);
    }

    /// `principal` with its roles made again from its claim-derived names and the mapping in
    /// force (roles an earlier mapping gave are dropped).
    pub fn apply(&self, principal: &Principal) -> Principal {
        let mapping = self.current();
        let derived: BTreeSet<String> = principal
            .roles
            .iter()
            .filter(|r| is_claim_name(r))
            .cloned()
            .collect();
        Principal {
            roles: with_mapped(derived, &mapping),
            ..principal.clone()
        }
    }
}

/// The claim-derived names and the roles `mapping` gives them, sorted, without duplicates.
fn with_mapped(derived: BTreeSet<String>, mapping: &Mapping) -> Vec<String> {
    let mut roles: BTreeSet<String> = derived
        .iter()
        .filter_map(|n| mapping.get(n))
        .flatten()
        .cloned()
        .collect();
    roles.extend(derived);
    roles.into_iter().collect()
}

/// Builds the principal of a verified token's claims.
pub fn principal(claims: &Map<String, Value>, role_mapping: &Mapping) -> Principal {
    let subject = claims.get("sub").and_then(Value::as_str).map(str::to_owned);
    let user = claims
        .get("preferred_username")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
        .map(str::to_owned)
        .or_else(|| subject.clone());
    let name = claims
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    Principal {
        user,
        subject,
        name,
        roles: with_mapped(claim_names(claims), role_mapping),
    }
}

/// `realm:…`, `client:<id>:…` and `group:…` names of a token's roles and groups.
fn claim_names(claims: &Map<String, Value>) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for role in strings(claims.get("realm_access").and_then(|r| r.get("roles"))) {
        if !is_keycloak_builtin(role) {
            names.insert(format!("realm:{role}"));
        }
    }
    if let Some(clients) = claims.get("resource_access").and_then(Value::as_object) {
        for (client, access) in clients {
            if client == "account" {
                continue;
            }
            for role in strings(access.get("roles")) {
                names.insert(format!("client:{client}:{role}"));
            }
        }
    }
    for group in strings(claims.get("groups")) {
        names.insert(format!("group:{group}"));
    }
    names
}

/// The non-empty strings of a JSON array (anything else: none).
fn strings(value: Option<&Value>) -> impl Iterator<Item = &str> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn is_keycloak_builtin(realm_role: &str) -> bool {
    realm_role == "offline_access"
        || realm_role == "uma_authorization"
        || realm_role.starts_with("default-roles-")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[allow(clippy::needless_pass_by_value)] // called with `json!(...)` temporaries
    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    fn mapping() -> BTreeMap<String, Vec<String>> {
        BTreeMap::from([
            ("realm:indigeo-admin".to_owned(), vec!["admin".to_owned()]),
            (
                "client:kartenn:lecteur-traits".to_owned(),
                vec!["traits".to_owned(), "lecteur".to_owned()],
            ),
            ("group:/letg".to_owned(), vec!["letg".to_owned()]),
        ])
    }

    #[test]
    fn keycloak_roles_and_groups_become_derived_and_mapped_roles() {
        let p = principal(
            &claims(json!({
                "sub": "f3a1",
                "preferred_username": "alice",
                "name": "Alice Martin",
                "realm_access": {"roles": ["chercheur", "offline_access", "uma_authorization",
                                           "default-roles-indigeo"]},
                "resource_access": {
                    "kartenn": {"roles": ["lecteur-traits"]},
                    "account": {"roles": ["manage-account"]}
                },
                "groups": ["/letg"]
            })),
            &mapping(),
        );
        assert_eq!(p.user.as_deref(), Some("alice"));
        assert_eq!(p.subject.as_deref(), Some("f3a1"));
        assert_eq!(p.name.as_deref(), Some("Alice Martin"));
        assert_eq!(
            p.roles,
            [
                "client:kartenn:lecteur-traits",
                "group:/letg",
                "lecteur",
                "letg",
                "realm:chercheur",
                "traits"
            ]
        );
        assert!(!p.is_admin());
    }

    #[test]
    fn the_admin_role_comes_only_from_the_mapping() {
        let admin = principal(
            &claims(json!({"sub": "1", "realm_access": {"roles": ["indigeo-admin"]}})),
            &mapping(),
        );
        assert!(admin.is_admin());
        // A realm role literally called "admin" is `realm:admin`, not Kartenn's admin.
        let lookalike = principal(
            &claims(json!({"sub": "2", "realm_access": {"roles": ["admin"]}})),
            &BTreeMap::new(),
        );
        assert!(!lookalike.is_admin());
        assert_eq!(lookalike.roles, ["realm:admin"]);
    }

    #[test]
    fn missing_or_malformed_claims_mean_no_roles_not_an_error() {
        let p = principal(
            &claims(json!({
                "sub": "c4",
                "realm_access": "chercheur",
                "resource_access": {"kartenn": {"roles": "x"}},
                "groups": [1, null, ""]
            })),
            &mapping(),
        );
        assert!(p.roles.is_empty());
        assert_eq!(
            p.user.as_deref(),
            Some("c4"),
            "sub stands in for a missing username"
        );
        assert!(p.is_authenticated());
    }

    #[test]
    fn the_mapping_in_force_is_applied_again_to_each_principal() {
        let roles = RoleMapping::new(mapping());
        let stored = Principal {
            user: Some("bob".into()),
            subject: Some("2".into()),
            name: None,
            // As a session stored before: a mapped role that no longer applies.
            roles: vec!["gone".into(), "group:/letg".into(), "realm:maddog".into()],
        };
        assert_eq!(
            roles.apply(&stored).roles,
            ["group:/letg", "letg", "realm:maddog"]
        );
        roles.set_stored([
            ("realm:maddog".to_owned(), vec!["neo".to_owned()]),
            (
                "group:/letg".to_owned(),
                vec!["letg".to_owned(), "geo".to_owned()],
            ),
        ]);
        assert_eq!(
            roles.apply(&stored).roles,
            ["geo", "group:/letg", "letg", "neo", "realm:maddog"],
            "stored entries add to the configuration's"
        );
        assert_eq!(roles.config()["group:/letg"], ["letg"]);
        roles.set_stored([]);
        assert_eq!(roles.apply(&stored).roles.len(), 3);
    }
}
