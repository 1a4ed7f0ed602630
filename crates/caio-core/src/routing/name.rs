//! The strings a decision repeats per candidate, shared instead of copied.
//! [`Name`]: a service id or version, shared with the compiled candidate
//! form. Every name of a form points into one table, so building and
//! dropping a decision's per-candidate results touches that table's
//! counter — one cache line, not atomic: a decision stays on the thread
//! that made it — rather than one allocation per candidate.
//! [`RuleName`]: the rule a rejection names, static for the pipeline's
//! checks and shared with the step's rules for a policy's id.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::Deref;
use std::rc::Rc;

/// What makes a shared string read as the string it holds: `Deref` and
/// `AsRef` to `str`, equality (with itself and with `str`), `Debug` and
/// `Display` as the string, and serde as a string (read back through
/// `From<&str>`). The type has `as_str`.
macro_rules! reads_as_str {
    ($t:ty) => {
        impl Deref for $t {
            type Target = str;
            fn deref(&self) -> &str {
                self.as_str()
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl PartialEq for $t {
            fn eq(&self, other: &$t) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl Eq for $t {}

        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.as_str(), f)
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<$t, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(<$t>::from(s.as_ref()))
            }
        }
    };
}

/// A string held in a shared table; it reads as a `&str`.
#[derive(Clone)]
pub struct Name {
    table: Rc<[Box<str>]>,
    index: u32,
}

impl Name {
    /// Every entry of `table` as a name.
    pub(crate) fn table(strings: Vec<Box<str>>) -> Vec<Name> {
        let table: Rc<[Box<str>]> = strings.into();
        (0..table.len() as u32)
            .map(|index| Name {
                table: Rc::clone(&table),
                index,
            })
            .collect()
    }

    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        self.table
            .get(self.index as usize)
            .map_or("", |s| s.as_ref())
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Name {
        Name {
            table: Rc::from(vec![Box::from(s)]),
            index: 0,
        }
    }
}

reads_as_str!(Name);

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

/// The rule a rejection names: one of the pipeline's checks (`min_trust`,
/// `circuit-open`: a static name) or a policy's id, shared by every
/// rejection the policy gives. Neither is copied per rejection: a rejected
/// candidate costs no allocation of its own. Reads as a `&str`.
#[derive(Clone)]
pub struct RuleName(Rule);

#[derive(Clone)]
enum Rule {
    Check(&'static str),
    Policy(Rc<str>),
}

impl RuleName {
    /// One of the pipeline's checks.
    pub const fn check(name: &'static str) -> RuleName {
        RuleName(Rule::Check(name))
    }

    /// The rule as a string slice.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Rule::Check(name) => name,
            Rule::Policy(id) => id,
        }
    }
}

impl Default for RuleName {
    fn default() -> RuleName {
        RuleName::check("")
    }
}

/// A policy's id (or a name read back), shared by its clones.
impl From<&str> for RuleName {
    fn from(s: &str) -> RuleName {
        RuleName(Rule::Policy(Rc::from(s)))
    }
}

reads_as_str!(RuleName);

impl PartialOrd for RuleName {
    fn partial_cmp(&self, other: &RuleName) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RuleName {
    fn cmp(&self, other: &RuleName) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::{Name, RuleName};

    #[test]
    fn rule_names_read_as_their_strings_whatever_they_hold() {
        let check = RuleName::check("min_trust");
        let policy = RuleName::from("min_trust");
        assert_eq!(check, policy);
        assert_eq!(check, "min_trust");
        let (a, b) = (RuleName::check("a"), RuleName::from("b"));
        assert!(a < b);
        let json = serde_json::to_string(&[check, RuleName::from("eu-only")]).expect("serialises");
        assert_eq!(json, r#"["min_trust","eu-only"]"#);
        let back: Vec<RuleName> = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back[1], "eu-only");
    }

    #[test]
    fn names_of_one_table_read_as_their_strings() {
        let names = Name::table(vec!["a".into(), "bc".into()]);
        assert_eq!(names[1], "bc");
        assert_eq!(names[0].to_string(), "a");
        assert_eq!(names[0], Name::from("a"));
        assert_ne!(names[0], names[1]);
        let json = serde_json::to_string(&names).expect("serialises");
        assert_eq!(json, r#"["a","bc"]"#);
        let back: Vec<Name> = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, names);
    }
}
