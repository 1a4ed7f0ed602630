//! A contract as the registry stores it: its canonical JSON, parsed the
//! first time something reads past the compiled candidate form (SPEC §12:
//! no contract is parsed per route). A route over a stored capability
//! form reads ids, versions and the compiled table; the body is parsed
//! only to word a rejection, evaluate a rule that reads more of the
//! service, explain, or execute.

use super::ServiceContract;
use std::cell::{Cell, OnceCell};

/// One stored contract, parsed on first read.
pub struct StoredContract {
    service_id: Box<str>,
    version: Box<str>,
    /// The canonical JSON until it is parsed (then `None`: the parsed
    /// contract replaces it); `None` when built from a parsed contract.
    body: Cell<Option<Box<str>>>,
    /// The body parsed; `None` when it cannot be read back or names
    /// another service or version than its entry (fail closed).
    parsed: OnceCell<Option<ServiceContract>>,
}

impl StoredContract {
    /// The contract of `service_id` at `version`, stored as `body`.
    pub fn new(service_id: &str, version: &str, body: &str) -> StoredContract {
        StoredContract {
            service_id: service_id.into(),
            version: version.into(),
            body: Cell::new(Some(body.into())),
            parsed: OnceCell::new(),
        }
    }

    /// The service id its entry names.
    pub fn service_id(&self) -> &str {
        &self.service_id
    }

    /// The contract version its entry names.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The contract, parsed on first call; `None` when the stored body
    /// cannot be read back as the contract its entry names.
    pub fn get(&self) -> Option<&ServiceContract> {
        self.parsed
            .get_or_init(|| {
                let body = self.body.take().unwrap_or_default();
                serde_json::from_str::<ServiceContract>(&body)
                    .ok()
                    .filter(|c| *c.service_id == *self.service_id && *c.version == *self.version)
            })
            .as_ref()
    }

    /// Whether the body was parsed (by [`StoredContract::get`]).
    pub fn is_parsed(&self) -> bool {
        self.parsed.get().is_some()
    }
}

/// What is wrong with the stored contract of `service_id` at `version` when
/// [`StoredContract::get`] finds nothing: the reason a worded rejection and
/// a store's error both give.
pub fn unreadable(service_id: &str, version: &str) -> String {
    format!("the stored contract of {service_id} {version} cannot be read back")
}

impl std::fmt::Debug for StoredContract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredContract")
            .field("service_id", &self.service_id)
            .field("version", &self.version)
            .field("parsed", &self.parsed)
            .finish_non_exhaustive()
    }
}

impl From<ServiceContract> for StoredContract {
    /// A contract already parsed (read from a file, or a test's).
    fn from(contract: ServiceContract) -> StoredContract {
        StoredContract {
            service_id: contract.service_id.as_str().into(),
            version: contract.version.as_str().into(),
            body: Cell::new(None),
            parsed: OnceCell::from(Some(contract)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gpt4o() -> ServiceContract {
        crate::contract::validate_text(
            "c.yaml",
            include_str!("../../../../contracts/openai-gpt-4o.yaml"),
        )
        .contract
        .expect("a valid contract")
    }

    #[test]
    fn a_stored_body_is_parsed_once_and_only_when_read() {
        let c = gpt4o();
        let body = serde_json::to_string(&c).expect("serialisable");
        let stored = StoredContract::new(&c.service_id, &c.version, &body);
        assert!(!stored.is_parsed());
        assert_eq!(stored.service_id(), c.service_id);
        assert!(!stored.is_parsed(), "ids are read without parsing");
        assert_eq!(stored.get(), Some(&c));
        assert!(stored.is_parsed());
    }

    #[test]
    fn an_unreadable_or_mismatched_body_reads_as_none() {
        let c = gpt4o();
        let body = serde_json::to_string(&c).expect("serialisable");
        assert_eq!(
            StoredContract::new(&c.service_id, &c.version, "{").get(),
            None
        );
        assert_eq!(StoredContract::new("other", &c.version, &body).get(), None);
        assert_eq!(
            StoredContract::new(&c.service_id, "9.9.9", &body).get(),
            None
        );
        assert_eq!(StoredContract::from(c.clone()).get(), Some(&c));
    }
}
