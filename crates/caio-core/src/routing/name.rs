//! [`Name`]: a service id or version in a decision, shared with the
//! compiled candidate form instead of copied. Every name of a form points
//! into one table, so building and dropping a decision's per-candidate
//! results touches that table's counter — one cache line, not atomic: a
//! decision stays on the thread that made it — rather than one allocation
//! per candidate.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::Deref;
use std::rc::Rc;

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

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Name {}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Name {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Name, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Name::from(s.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::Name;

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
