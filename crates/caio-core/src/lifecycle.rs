//! The registry's rules, free of SQL: service status and the hot-swap rule
//! that decides what adding a contract does.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// Operational status of a registered service (SPEC §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum ServiceStatus {
    /// Routed normally.
    Active,
    /// Routed, with a risk penalty.
    Degraded,
    /// Never routed; being taken out of service.
    Drained,
    /// Never routed.
    Disabled,
}

impl ServiceStatus {
    /// The status as stored and shown: `active`, `degraded`, `drained` or `disabled`.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceStatus::Active => "active",
            ServiceStatus::Degraded => "degraded",
            ServiceStatus::Drained => "drained",
            ServiceStatus::Disabled => "disabled",
        }
    }

    /// The status [`ServiceStatus::as_str`] spells `s`, if any.
    pub fn parse(s: &str) -> Option<ServiceStatus> {
        [
            ServiceStatus::Active,
            ServiceStatus::Degraded,
            ServiceStatus::Drained,
            ServiceStatus::Disabled,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

impl std::fmt::Display for ServiceStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What adding a contract did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AddAction {
    /// A service the registry did not hold (or held and removed).
    Added,
    /// A higher version replaced the active one.
    Upgraded,
    /// The same version with different content replaced it (`--replace`).
    Replaced,
    /// The same content was already active: nothing changed.
    Unchanged,
}

impl AddAction {
    /// The action as shown: `added`, `upgraded`, `replaced` or `unchanged`.
    pub fn as_str(&self) -> &'static str {
        match self {
            AddAction::Added => "added",
            AddAction::Upgraded => "upgraded",
            AddAction::Replaced => "replaced",
            AddAction::Unchanged => "unchanged",
        }
    }
}

/// Why a contract may not replace the active version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddRefusal {
    /// The version is already active with another content hash (and no `--replace`).
    SameVersionDifferentContent {
        /// The version both share.
        version: String,
    },
    /// The version is lower than the active one.
    Downgrade {
        /// The active version.
        active: String,
        /// The refused version.
        new: String,
    },
}

impl AddRefusal {
    /// What was refused, in one sentence.
    pub fn message(&self) -> String {
        match self {
            AddRefusal::SameVersionDifferentContent { version } => {
                format!("version {version} is already registered with different content")
            }
            AddRefusal::Downgrade { active, new } => {
                format!("version {new} is lower than the active version {active}")
            }
        }
    }

    /// How to get the contract in.
    pub fn help(&self) -> String {
        match self {
            AddRefusal::SameVersionDifferentContent { .. } => {
                "raise `version` to hot-swap, or pass --replace to overwrite this version".into()
            }
            AddRefusal::Downgrade { .. } => {
                "the registry only moves forward: publish the old contract under a higher version"
                    .into()
            }
        }
    }
}

/// The active version of a service, as the registry holds it.
#[derive(Debug, Clone)]
pub struct Active<'a> {
    /// Its version (semver).
    pub version: &'a str,
    /// Its content address: hex BLAKE3 of the contract's canonical JSON.
    pub hash: &'a str,
}

/// The hot-swap rule (SPEC §3): a higher semver replaces the active version; the
/// same version with different content needs `replace`; a lower one is refused.
/// Precedence follows semver (build metadata is ignored).
pub fn plan_add(
    active: Option<Active<'_>>,
    version: &str,
    hash: &str,
    replace: bool,
) -> Result<AddAction, AddRefusal> {
    let Some(active) = active else {
        return Ok(AddAction::Added);
    };
    if active.hash == hash {
        return Ok(AddAction::Unchanged);
    }
    let order = match (
        semver::Version::parse(version),
        semver::Version::parse(active.version),
    ) {
        (Ok(new), Ok(old)) => new.cmp_precedence(&old),
        // Validated contracts always carry semver; compare text as a last resort.
        _ => version.cmp(active.version),
    };
    match order {
        Ordering::Greater => Ok(AddAction::Upgraded),
        Ordering::Equal if replace => Ok(AddAction::Replaced),
        Ordering::Equal => Err(AddRefusal::SameVersionDifferentContent {
            version: version.to_string(),
        }),
        Ordering::Less => Err(AddRefusal::Downgrade {
            active: active.version.to_string(),
            new: version.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn active<'a>(version: &'a str, hash: &'a str) -> Option<Active<'a>> {
        Some(Active { version, hash })
    }

    #[test]
    fn hot_swap_rules() {
        assert_eq!(plan_add(None, "1.0.0", "h", false), Ok(AddAction::Added));
        assert_eq!(
            plan_add(active("1.0.0", "h"), "1.0.0", "h", false),
            Ok(AddAction::Unchanged)
        );
        assert_eq!(
            plan_add(active("1.0.0", "h"), "1.1.0", "g", false),
            Ok(AddAction::Upgraded)
        );
        assert_eq!(
            plan_add(active("1.0.0", "h"), "1.0.0", "g", true),
            Ok(AddAction::Replaced)
        );
        assert!(matches!(
            plan_add(active("1.0.0", "h"), "1.0.0", "g", false),
            Err(AddRefusal::SameVersionDifferentContent { .. })
        ));
        assert!(matches!(
            plan_add(active("1.10.0", "h"), "1.9.0", "g", true),
            Err(AddRefusal::Downgrade { .. })
        ));
    }

    #[test]
    fn semver_precedence_not_text_order() {
        assert_eq!(
            plan_add(active("1.9.0", "h"), "1.10.0", "g", false),
            Ok(AddAction::Upgraded)
        );
        assert_eq!(
            plan_add(active("2.0.0-rc.1", "h"), "2.0.0", "g", false),
            Ok(AddAction::Upgraded)
        );
        // Build metadata does not order versions.
        assert!(plan_add(active("1.0.0+a", "h"), "1.0.0+b", "g", false).is_err());
    }

    #[test]
    fn status_round_trips() {
        for s in ["active", "degraded", "drained", "disabled"] {
            assert_eq!(ServiceStatus::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(ServiceStatus::parse("paused"), None);
    }
}
