//! Who may do what with a layer: the one function every endpoint asks. Rules come from the
//! store (edited through the admin API, in their order) followed by the configuration
//! (`[[rules]]`): the first match wins, so an administrator's rule overrides the file. A layer
//! no rule covers gets `[access] default` (deny unless said otherwise). [`SharedAcl`] holds the
//! current rule set and swaps it whole after each admin change, so the next request sees it.

use std::sync::{Arc, PoisonError, RwLock};

use serde::Deserialize;

pub use crate::catalog::settings::Overrides;

/// How the catalogue names a chronicle dataset's layer (`chronicle-{dataset}`).
pub const CHRONICLE_PREFIX: &str = "chronicle-";

/// What the caller wants to do with a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See it: catalogue, capabilities, maps, legends.
    View,
    /// Read its features: identify, WFS, attribute table.
    Query,
    /// Take its data away: WFS in file formats.
    Download,
}

impl Action {
    /// The action as a verb, for messages.
    pub fn verb(self) -> &'static str {
        match self {
            Self::View => "view",
            Self::Query => "query",
            Self::Download => "download",
        }
    }
}

pub use kartenn_common::admin::{Audience, DefaultAccess, Keyword, Rule};

/// The caller, as [`crate::auth`] established it from a session or a bearer token.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, Deserialize)]
pub struct Principal {
    /// The user name (Keycloak `preferred_username`); `None`: anonymous.
    pub user: Option<String>,
    /// The issuer's stable id for the user (`sub`).
    pub subject: Option<String>,
    /// Display name, when the issuer gives one.
    pub name: Option<String>,
    /// Kartenn roles (mapped) and the claim-derived names (`realm:…`, `client:<id>:…`,
    /// `group:…`), sorted, without duplicates.
    pub roles: Vec<String>,
}

/// The role that opens the admin API.
pub const ADMIN_ROLE: &str = "admin";

impl Principal {
    pub fn anonymous() -> Self {
        Self::default()
    }

    pub fn is_authenticated(&self) -> bool {
        self.user.is_some()
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.is_authenticated() && self.roles.iter().any(|r| r == role)
    }

    pub fn is_admin(&self) -> bool {
        self.has_role(ADMIN_ROLE)
    }
}

/// How a layer is named, for rule matching.
#[derive(Debug, Clone, Copy)]
pub struct LayerRef<'a> {
    pub id: &'a str,
    /// OGC source id, for harvested layers.
    pub source: Option<&'a str>,
    /// Upstream names (WMS layer, WFS feature type), for harvested layers.
    pub names: &'a [&'a str],
}

impl<'a> LayerRef<'a> {
    /// A layer of Kartenn's own configuration (tiles, GeoJSON, rasters): known by its id.
    pub fn local(id: &'a str) -> Self {
        Self {
            id,
            source: None,
            names: &[],
        }
    }
}

/// The rights model: rules in order, first match decides; administrators' layer settings
/// (unpublished, not queryable, not downloadable) close actions before any rule.
#[derive(Debug, Clone, Default)]
pub struct Acl {
    rules: Vec<Rule>,
    default: DefaultAccess,
    overrides: Arc<Overrides>,
}

impl Acl {
    pub fn new(rules: Vec<Rule>, default: DefaultAccess) -> Self {
        Self {
            rules,
            default,
            overrides: Arc::default(),
        }
    }

    /// Layer settings and category paths in force with these rules.
    pub fn overrides(&self) -> &Overrides {
        &self.overrides
    }

    /// Whether `who` may do `action` with `layer`. The first rule whose layer pattern (and
    /// source, if it names one) matches decides; an action that rule does not mention is
    /// denied. No rule: the default.
    pub fn allows(&self, who: &Principal, layer: LayerRef<'_>, action: Action) -> bool {
        self.overrides.permits(layer.id, action)
            && self.decide(who, self.rules.iter().find(|r| matches(r, layer)), action)
    }

    /// Whether `who` may do `action` with the chronicle dataset `dataset`: the first rule
    /// naming a matching `dataset` decides, as for layers.
    pub fn allows_dataset(&self, who: &Principal, dataset: &str, action: Action) -> bool {
        if !self
            .overrides
            .permits(&format!("{CHRONICLE_PREFIX}{dataset}"), action)
        {
            return false;
        }
        let rule = self.rules.iter().find(|r| r.names_dataset(dataset));
        self.decide(who, rule, action)
    }

    fn decide(&self, who: &Principal, rule: Option<&Rule>, action: Action) -> bool {
        let Some(rule) = rule else {
            return self.default == DefaultAccess::Public;
        };
        let audience = match action {
            Action::View => &rule.view,
            Action::Query => &rule.query,
            Action::Download => &rule.download,
        };
        let roles = who.user.is_some().then_some(who.roles.as_slice());
        audience.as_ref().is_some_and(|a| a.admits(roles))
    }
}

impl Acl {
    /// Whether anybody at all, signed in or not, may do `action` with `layer` (shared caches may
    /// keep such answers).
    pub fn is_public(&self, layer: LayerRef<'_>, action: Action) -> bool {
        self.allows(&Principal::anonymous(), layer, action)
    }
}

/// The rule set in force, swapped whole when an administrator changes a stored rule: readers
/// take the current `Arc<Acl>` (a pointer copy under a read lock) and keep deciding with it.
#[derive(Debug)]
pub struct SharedAcl {
    current: RwLock<Arc<Acl>>,
    config_rules: Vec<Rule>,
    default: DefaultAccess,
}

impl SharedAcl {
    /// The configuration's rules alone (until stored rules are loaded).
    pub fn new(config_rules: Vec<Rule>, default: DefaultAccess) -> Self {
        Self {
            current: RwLock::new(Arc::new(Acl::new(config_rules.clone(), default))),
            config_rules,
            default,
        }
    }

    /// `[access] default`: what no rule covers.
    pub fn default_access(&self) -> DefaultAccess {
        self.default
    }

    /// The rules in force now.
    pub fn current(&self) -> Arc<Acl> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The configuration's rules (read-only through the admin API).
    pub fn config_rules(&self) -> &[Rule] {
        &self.config_rules
    }

    /// Puts `stored` (in position order) before the configuration's rules and makes that the
    /// rule set of every later request.
    pub fn set_stored(&self, stored: Vec<Rule>) {
        let mut rules = stored;
        rules.extend(self.config_rules.iter().cloned());
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        let mut acl = Acl::new(rules, self.default);
        acl.overrides = Arc::clone(&current.overrides);
        *current = Arc::new(acl);
    }

    /// Makes `overrides` (layer settings, category paths) part of every later request's rights,
    /// keeping the rules.
    pub fn set_overrides(&self, overrides: Overrides) {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        let mut acl = Acl::clone(&current);
        acl.overrides = Arc::new(overrides);
        *current = Arc::new(acl);
    }
}

fn matches(rule: &Rule, layer: LayerRef<'_>) -> bool {
    rule.names_layer(layer.id, layer.source, layer.names)
}

/// `*` matches any run of characters (also empty), `?` exactly one (the rule semantics both
/// the server and the admin UI use: `kartenn_common::admin::glob`).
pub use kartenn_common::admin::glob;

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(layer: &str, view: Option<Audience>) -> Rule {
        Rule {
            layer: Some(layer.into()),
            dataset: None,
            source: None,
            view,
            query: None,
            download: None,
        }
    }

    const PUBLIC: Option<Audience> = Some(Audience::Keyword(Keyword::Public));

    fn layer<'a>(id: &'a str, names: &'a [&'a str]) -> LayerRef<'a> {
        LayerRef {
            id,
            source: Some("indigeo"),
            names,
        }
    }

    #[test]
    fn globs_match_runs_single_characters_and_exact_text() {
        assert!(glob("indigeo:*", "indigeo:traits"));
        assert!(glob("*", ""));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "ac"));
        assert!(glob("*_private*", "sites_private_2024"));
        assert!(!glob("indigeo:*", "maddog:traits"));
        assert!(glob("communes", "communes"));
        assert!(!glob("communes", "communes2"));
        assert!(glob("a*b*c", "aXXbYYc"));
        assert!(!glob("a*b*c", "aXXbYY"));
        // Beyond ASCII, `?` is one character, not one byte.
        assert!(glob("c?te", "côte"));
        assert!(glob("*é*", "Traits de côte, levé"));
        assert!(!glob("c?te", "cte"));
    }

    #[test]
    fn a_layer_no_rule_covers_is_denied_unless_the_default_is_public() {
        let anon = Principal::anonymous();
        let deny = Acl::new(vec![], DefaultAccess::Deny);
        assert!(!deny.allows(&anon, layer("x", &["x"]), Action::View));
        let open = Acl::new(vec![], DefaultAccess::Public);
        assert!(open.allows(&anon, layer("x", &["x"]), Action::Download));
    }

    #[test]
    fn the_first_matching_rule_decides_and_unmentioned_actions_are_denied() {
        let acl = Acl::new(
            vec![rule("private_*", None), rule("*", PUBLIC)],
            DefaultAccess::Public,
        );
        let anon = Principal::anonymous();
        assert!(!acl.allows(&anon, layer("private_sites", &[]), Action::View));
        assert!(acl.allows(&anon, layer("communes", &[]), Action::View));
        assert!(!acl.allows(&anon, layer("communes", &[]), Action::Query));
    }

    #[test]
    fn rules_match_upstream_names_and_may_be_limited_to_a_source() {
        let mut only_maddog = rule("*", PUBLIC);
        only_maddog.source = Some("maddog".into());
        let acl = Acl::new(
            vec![only_maddog, rule("indigeo:open_*", PUBLIC)],
            DefaultAccess::Deny,
        );
        let anon = Principal::anonymous();
        assert!(acl.allows(
            &anon,
            layer("indigeo-open-a", &["indigeo:open_a"]),
            Action::View
        ));
        assert!(!acl.allows(
            &anon,
            layer("indigeo-closed", &["indigeo:closed"]),
            Action::View
        ));
        let maddog = LayerRef {
            id: "m",
            source: Some("maddog"),
            names: &[],
        };
        assert!(acl.allows(&anon, maddog, Action::View));
    }

    #[test]
    fn authenticated_and_role_rules_never_open_a_layer_to_anonymous_callers() {
        let mut r = rule("*", Some(Audience::Keyword(Keyword::Authenticated)));
        r.query = Some(Audience::Roles(vec!["chercheur".into()]));
        let acl = Acl::new(vec![r], DefaultAccess::Public);
        let anon = Principal::anonymous();
        assert!(!acl.allows(&anon, layer("a", &[]), Action::View));
        assert!(!acl.allows(&anon, layer("a", &[]), Action::Query));
        let researcher = Principal {
            user: Some("ana".into()),
            roles: vec!["chercheur".into()],
            ..Principal::default()
        };
        assert!(acl.allows(&researcher, layer("a", &[]), Action::View));
        assert!(acl.allows(&researcher, layer("a", &[]), Action::Query));
        let guest = Principal {
            user: Some("bob".into()),
            roles: vec![],
            ..Principal::default()
        };
        assert!(!acl.allows(&guest, layer("a", &[]), Action::Query));
    }

    #[test]
    fn dataset_rules_govern_datasets_and_never_layers() {
        let mut neo = rule("ignored", PUBLIC);
        neo.layer = None;
        neo.dataset = Some("neo-*".into());
        let acl = Acl::new(vec![neo], DefaultAccess::Deny);
        let anon = Principal::anonymous();
        assert!(acl.allows_dataset(&anon, "neo-eau", Action::View));
        assert!(!acl.allows_dataset(&anon, "neo-eau", Action::Download));
        assert!(!acl.allows_dataset(&anon, "maddog", Action::View));
        assert!(!acl.allows(&anon, layer("neo-eau", &["neo-eau"]), Action::View));
    }

    #[test]
    fn stored_rules_come_before_the_configuration_and_take_effect_at_once() {
        let shared = SharedAcl::new(vec![rule("*", None)], DefaultAccess::Deny);
        let anon = Principal::anonymous();
        let before = shared.current();
        assert!(!before.allows(&anon, layer("a", &[]), Action::View));
        shared.set_stored(vec![rule("a", PUBLIC)]);
        assert!(
            shared
                .current()
                .allows(&anon, layer("a", &[]), Action::View)
        );
        assert!(
            !shared
                .current()
                .allows(&anon, layer("b", &[]), Action::View)
        );
        // Who already holds the old set keeps deciding with it.
        assert!(!before.allows(&anon, layer("a", &[]), Action::View));
        assert_eq!(shared.config_rules().len(), 1);
    }

    #[test]
    fn layer_settings_close_actions_before_any_rule_and_survive_a_rule_change() {
        use kartenn_common::admin_catalog::LayerSettings;
        let mut all = rule("*", PUBLIC);
        all.query = PUBLIC;
        let shared = SharedAcl::new(vec![all], DefaultAccess::Deny);
        let anon = Principal::anonymous();
        let settings = |published, queryable| LayerSettings {
            published,
            queryable,
            ..LayerSettings::default()
        };
        shared.set_overrides(Overrides::new(
            std::collections::HashMap::from([
                ("hidden".to_owned(), settings(Some(false), None)),
                ("seen".to_owned(), settings(None, Some(false))),
                ("chronicle-neo".to_owned(), settings(Some(false), None)),
            ]),
            std::collections::HashMap::new(),
        ));
        // A stored rule change keeps the settings, and the settings keep the rules.
        shared.set_stored(vec![rule("other", None)]);
        let acl = shared.current();
        assert!(!acl.allows(&anon, layer("hidden", &[]), Action::View));
        assert!(acl.allows(&anon, layer("seen", &[]), Action::View));
        assert!(!acl.allows(&anon, layer("seen", &[]), Action::Query));
        assert!(acl.allows(&anon, layer("free", &[]), Action::Query));
        assert!(!acl.allows(&anon, layer("other", &[]), Action::View));
        let mut neo = rule("x", PUBLIC);
        neo.layer = None;
        neo.dataset = Some("*".into());
        shared.set_stored(vec![neo]);
        let acl = shared.current();
        assert!(!acl.allows_dataset(&anon, "neo", Action::View));
        assert!(acl.allows_dataset(&anon, "eau", Action::View));
    }

    #[test]
    fn rules_serialise_without_the_fields_they_leave_out() {
        let mut r = rule("a", PUBLIC);
        r.query = Some(Audience::Roles(vec!["r".into()]));
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#"{"layer":"a","view":"public","query":["r"]}"#);
        assert_eq!(serde_json::from_str::<Rule>(&json).unwrap(), r);
    }

    #[test]
    fn rules_read_from_toml_accept_keywords_and_role_lists() {
        #[derive(Deserialize)]
        struct File {
            rules: Vec<Rule>,
        }
        let file: File = toml::from_str(
            "[[rules]]\nlayer = \"a\"\nview = \"public\"\nquery = [\"r1\", \"r2\"]\n\
             [[rules]]\nlayer = \"b\"\nsource = \"s\"\ndownload = \"authenticated\"\n",
        )
        .unwrap();
        assert_eq!(file.rules[0].view, PUBLIC);
        assert_eq!(
            file.rules[0].query,
            Some(Audience::Roles(vec!["r1".into(), "r2".into()]))
        );
        assert_eq!(
            file.rules[1].download,
            Some(Audience::Keyword(Keyword::Authenticated))
        );
        assert!(toml::from_str::<File>("[[rules]]\nlayer = \"a\"\nview = \"everyone\"\n").is_err());
    }
}
