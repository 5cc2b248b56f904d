//! Keycloak claims → [`Principal`]. Each role and group the token carries becomes a
//! claim-derived name — `realm:<role>` (`realm_access.roles`), `client:<client>:<role>`
//! (`resource_access.<client>.roles`), `group:<group>` (`groups`) — and `[oidc.roles]` maps those
//! names to Kartenn roles. The principal holds both, so rules may name either. Missing or
//! malformed claims mean no roles, never an error. Keycloak's built-in roles (`offline_access`,
//! `uma_authorization`, `default-roles-<realm>`, the `account` client's) carry no meaning here
//! and are left out.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::acl::Principal;

/// Builds the principal of a verified token's claims.
pub fn principal(
    claims: &Map<String, Value>,
    role_mapping: &BTreeMap<String, Vec<String>>,
) -> Principal {
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
    let derived = claim_names(claims);
    let mut roles: BTreeSet<String> = derived
        .iter()
        .filter_map(|n| role_mapping.get(n))
        .flatten()
        .cloned()
        .collect();
    roles.extend(derived);
    Principal {
        user,
        subject,
        name,
        roles: roles.into_iter().collect(),
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
}
