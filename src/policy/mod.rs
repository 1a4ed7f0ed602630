//! Policies (SPEC §7): `kind: PolicySet` documents of `deny`, `require` and
//! `prefer` rules over `request.*`, `principal.*` and `service.*` attributes.
//!
//! - [`paths`] is the table of attributes;
//! - [`condition`] compiles, evaluates and explains conditions;
//! - [`load`] reads and validates policy files (and their `tests:`);
//! - [`PolicySet::evaluate`] is the `policy` stage of the routing pipeline.
//!
//! A set is identified by the BLAKE3 hash of its canonical JSON form (rules
//! sorted by id, tests left out), so decisions can name and replay it.

pub mod condition;
pub mod load;
pub mod paths;
pub mod testing;

use condition::Condition;
use paths::Context;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    Deny,
    Require,
    Prefer,
}

pub const EFFECTS: &[&str] = &["deny", "require", "prefer"];

/// One rule.
#[derive(Debug, Clone)]
pub struct Policy {
    pub id: String,
    pub effect: Effect,
    pub when: Option<Condition>,
    pub matches: Option<Condition>,
    pub message: Option<String>,
    /// The `prefer` bonus added to t(s, r).
    pub weight: f64,
    /// The rule as written (JSON), for storage and the set's hash.
    pub source: Value,
}

/// The rules in force, sorted by id.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    policies: Vec<Policy>,
}

/// A rule that rejected a candidate at the policy stage.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyRejection {
    pub rule: String,
    pub message: String,
}

/// What the policy stage says about one candidate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyVerdict {
    /// Every deny/require rule that rejects the candidate, and every rule
    /// that could not be evaluated, in rule-id order.
    pub rejections: Vec<PolicyRejection>,
    /// The `prefer` rules that apply, in rule-id order.
    pub preferred_by: Vec<String>,
    /// The sum of their weights (added in rule-id order).
    pub bonus: f64,
}

impl PolicySet {
    /// A set from rules; ids must be unique (the loader checks).
    pub fn new(mut policies: Vec<Policy>) -> PolicySet {
        policies.sort_by(|a, b| a.id.cmp(&b.id));
        PolicySet { policies }
    }

    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// The canonical document of the set: what is stored and hashed.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "apiVersion": crate::contract::API_VERSION,
            "kind": "PolicySet",
            "policies": self.policies.iter().map(|p| p.source.clone()).collect::<Vec<_>>(),
        })
    }

    /// `hex(BLAKE3(JCS(set)))` and the canonical text it hashes.
    pub fn canonical(&self) -> Result<(String, String), crate::canonical::JcsError> {
        let body = crate::canonical::to_jcs(&self.to_json())?;
        Ok((blake3::hash(body.as_bytes()).to_hex().to_string(), body))
    }

    /// Runs every rule against one candidate. Deny and require rules reject;
    /// prefer rules add their weight; a rule that cannot be evaluated rejects
    /// (fail closed). Rules run in id order, so the verdict does not depend
    /// on the order of rules or files.
    pub fn evaluate(&self, ctx: &Context<'_>) -> PolicyVerdict {
        let mut verdict = PolicyVerdict::default();
        for policy in &self.policies {
            match policy.applies(ctx) {
                Err(e) => verdict.rejections.push(PolicyRejection {
                    rule: policy.id.clone(),
                    message: format!("policy error: {}", e.0),
                }),
                Ok(Applies::No) => {}
                Ok(Applies::Reject(message)) => verdict.rejections.push(PolicyRejection {
                    rule: policy.id.clone(),
                    message,
                }),
                Ok(Applies::Prefer) => {
                    verdict.preferred_by.push(policy.id.clone());
                    verdict.bonus += policy.weight;
                }
            }
        }
        verdict
    }
}

enum Applies {
    No,
    Reject(String),
    Prefer,
}

impl Policy {
    fn applies(&self, ctx: &Context<'_>) -> Result<Applies, condition::EvalError> {
        let when = match &self.when {
            Some(c) => c.eval(ctx)?,
            None => true,
        };
        if !when {
            return Ok(Applies::No);
        }
        let matches = match &self.matches {
            Some(c) => c.eval(ctx)?,
            None => true,
        };
        Ok(match (self.effect, matches) {
            (Effect::Deny, true) => Applies::Reject(self.explain(ctx, "denied")),
            (Effect::Require, false) => Applies::Reject(self.explain(ctx, "requirement not met")),
            (Effect::Prefer, true) => Applies::Prefer,
            _ => Applies::No,
        })
    }

    /// The rejection message: the rule's own message (or a default), then
    /// the clause that decided.
    fn explain(&self, ctx: &Context<'_>, default: &str) -> String {
        let head = self.message.as_deref().unwrap_or(default);
        match (&self.matches, &self.when) {
            (Some(m), _) => format!("{head}: {}", m.explain(ctx)),
            (None, Some(w)) => format!("{head}: {}", w.explain(ctx)),
            (None, None) => head.to_string(),
        }
    }
}
