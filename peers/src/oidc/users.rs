//! The realm's four test users (alice, bob, admin, carol), as the launcher hands them to node:
//! usernames, passwords, Keycloak-style `sub`s, names, e-mail addresses, roles and groups. The
//! table in the [module documentation](super) says the same.

/// A test user of the realm (see the table in the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestUser {
    pub username: &'static str,
    pub password: &'static str,
    /// Keycloak-style UUID, the tokens' `sub`.
    pub sub: &'static str,
    pub first_name: Option<&'static str>,
    pub last_name: Option<&'static str>,
    pub email: &'static str,
    pub email_verified: bool,
    /// `realm_access.roles` (claim absent when empty).
    pub realm_roles: &'static [&'static str],
    /// `resource_access.kartenn.roles` (member absent when empty).
    pub kartenn_roles: &'static [&'static str],
    /// `resource_access.account.roles` (member absent when empty; decides the `account` audience).
    pub account_roles: &'static [&'static str],
    /// `groups`, full paths (claim absent when empty).
    pub groups: &'static [&'static str],
}

impl TestUser {
    /// The `name` claim: first and last name, or `None` when the user has neither.
    pub fn name(&self) -> Option<String> {
        match (self.first_name, self.last_name) {
            (Some(first), Some(last)) => Some(format!("{first} {last}")),
            (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
            (None, None) => None,
        }
    }
}

/// A researcher: realm role `chercheur`, `kartenn` client role `lecteur-traits`, group `/letg`.
pub const ALICE: TestUser = TestUser {
    username: "alice",
    password: "alice-pw",
    sub: "5f1c2a9e-6d3b-4b8a-9c1e-a11ce0000001",
    first_name: Some("Alice"),
    last_name: Some("Martin"),
    email: "alice@indigeo.example.org",
    email_verified: true,
    realm_roles: &["chercheur"],
    kartenn_roles: &["lecteur-traits"],
    account_roles: &["manage-account"],
    groups: &["/letg"],
};

/// Realm role `maddog`, no client role, group `/geo-ocean`.
pub const BOB: TestUser = TestUser {
    username: "bob",
    password: "bob-pw",
    sub: "7b0b5e2d-1c4f-4e6a-8f3d-b0b000000002",
    first_name: Some("Bob"),
    last_name: Some("Le Gall"),
    email: "bob@indigeo.example.org",
    email_verified: true,
    realm_roles: &["maddog"],
    kartenn_roles: &[],
    account_roles: &["manage-account"],
    groups: &["/geo-ocean"],
};

/// Realm role `indigeo-admin`, group `/iuem`, and no first or last name (no `name` claim).
pub const ADMIN: TestUser = TestUser {
    username: "admin",
    password: "admin-pw",
    sub: "ad000000-0000-4000-8000-000000000003",
    first_name: None,
    last_name: None,
    email: "admin@indigeo.example.org",
    email_verified: true,
    realm_roles: &["indigeo-admin"],
    kartenn_roles: &[],
    account_roles: &["manage-account"],
    groups: &["/iuem"],
};

/// No role (not even `account` ones) and no group: those claims are absent, and `aud` is the
/// string `"kartenn"`. Unverified e-mail, non-ASCII name.
pub const CAROL: TestUser = TestUser {
    username: "carol",
    password: "carol-pw",
    sub: "ca201000-0000-4000-8000-000000000004",
    first_name: Some("Carol"),
    last_name: Some("Jézéquel"),
    email: "carol@indigeo.example.org",
    email_verified: false,
    realm_roles: &[],
    kartenn_roles: &[],
    account_roles: &[],
    groups: &[],
};

/// Every user of the realm.
pub const USERS: [TestUser; 4] = [ALICE, BOB, ADMIN, CAROL];

/// The user called `username` (exact, lower case).
pub fn user(username: &str) -> Option<&'static TestUser> {
    USERS.iter().find(|user| user.username == username)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_have_keycloak_style_names() {
        assert_eq!(ALICE.name().as_deref(), Some("Alice Martin"));
        assert_eq!(ADMIN.name(), None);
        assert_eq!(user("carol"), Some(&CAROL));
        assert_eq!(USERS.len(), 4);
    }
}
