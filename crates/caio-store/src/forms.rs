//! Capability forms: the candidates of one capability as routing reads
//! them — each active service's id, version, content hash, status and
//! contract body, and their compiled candidate form — stored as one row,
//! so that a route reads one row instead of joining three tables per
//! candidate, and parses no contract (SPEC §12): routing reads the
//! compiled form, and a contract body is parsed only when something reads
//! it (a worded rejection, a rule on an attribute the form does not hold,
//! execution).
//!
//! A form is a cache of the registry tables and never their source. It is
//! built by the first route that needs it and is valid for the registry
//! epoch it was built at: every write to `services`, `contract_versions` or
//! `capability_index` advances the epoch (triggers, in both dialects), and
//! a form is read only where its epoch is the current one. The epoch is read
//! before the tables a form is built from, so a change committed in between
//! leaves the new form stale (rebuilt next time), never wrong.
//!
//! A form also holds the trace object of its candidate set (SPEC §9: the
//! contract versions and statuses considered), built with it: a route over
//! one capability references that object without serialising and hashing
//! thousands of candidates again.
//!
//! The encoding is private to caio and versioned by its first byte:
//! `3`, the entry count (u32 LE), then per entry eight fields, then the
//! candidate-set object's hash and body, then the compiled form
//! ([`Compiled::encode`]); each field is a length (u32 LE; `u32::MAX` for
//! an absent optional field) and that many bytes (UTF-8 but the last).
//! A compiled form that does not read back makes the form one to rebuild
//! from the registry tables (the source), never one routed on.

use crate::error::Error;
use crate::registry::{CapabilityForm, FormService, ServiceRecord};
use caio_core::contract::{ServiceContract, StoredContract};
use caio_core::lifecycle::ServiceStatus;
use caio_core::routing::ContractRef;
use caio_core::routing::{Candidate, Compiled};
use caio_core::trace::v2::{self, Object};
use std::io::Read;

/// The first byte of a form; a form of another format is not read (the
/// route rebuilds it), so the encoding can change with caio.
const FORMAT: u8 = 3;
const ABSENT: u32 = u32::MAX;

/// One candidate of a form, borrowed from the row it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry<'a> {
    pub(crate) service_id: &'a str,
    pub(crate) version: &'a str,
    pub(crate) hash: &'a str,
    pub(crate) status: &'a str,
    pub(crate) status_reason: Option<&'a str>,
    pub(crate) status_changed_at: Option<&'a str>,
    pub(crate) added_at: &'a str,
    /// The contract as stored (canonical JSON).
    pub(crate) body: &'a str,
}

impl Entry<'_> {
    /// The service's status, or what is wrong with it.
    fn status(&self, corrupt: impl FnOnce(String) -> Error) -> Result<ServiceStatus, Error> {
        ServiceStatus::parse(self.status).ok_or_else(|| {
            corrupt(format!(
                "unknown status `{}` for {}",
                self.status, self.service_id
            ))
        })
    }

    /// The form's service of this entry, its contract as stored
    /// (`parsed`, when the caller parsed it already).
    fn service(
        &self,
        parsed: Option<ServiceContract>,
        corrupt: impl FnOnce(String) -> Error,
    ) -> Result<FormService, Error> {
        Ok(FormService {
            hash: self.hash.to_string(),
            status: self.status(corrupt)?,
            status_reason: self.status_reason.map(str::to_string),
            status_changed_at: self.status_changed_at.map(str::to_string),
            added_at: self.added_at.to_string(),
            contract: match parsed {
                Some(contract) => StoredContract::from(contract),
                None => StoredContract::new(self.service_id, self.version, self.body),
            },
        })
    }

    /// The service record of this entry; `active` says whether the
    /// version is the one routing uses.
    pub(crate) fn record(
        &self,
        active: bool,
        corrupt: impl Fn(String) -> Error,
    ) -> Result<ServiceRecord, Error> {
        let status = self.status(&corrupt)?;
        Ok(ServiceRecord {
            contract: parse_contract(self.body, &corrupt)?,
            service_id: self.service_id.to_string(),
            version: self.version.to_string(),
            hash: self.hash.to_string(),
            status,
            status_reason: self.status_reason.map(str::to_string),
            status_changed_at: self.status_changed_at.map(str::to_string),
            added_at: self.added_at.to_string(),
            active,
        })
    }
}

/// A stored contract body read back.
pub(crate) fn parse_contract(
    body: &str,
    corrupt: impl FnOnce(String) -> Error,
) -> Result<ServiceContract, Error> {
    serde_json::from_str(body)
        .map_err(|e| corrupt(format!("a stored contract cannot be read back: {e}")))
}

/// The form of `entries`, the candidates of one capability read from the
/// registry tables, and its stored encoding. Every contract is parsed here
/// (a body that does not read back is an error: nothing is compiled from
/// it); each service is handed to `make`, which returns what the caller
/// keeps of it.
pub(crate) fn build<S>(
    entries: &[Entry<'_>],
    corrupt: impl Fn(String) -> Error,
    mut make: impl FnMut(FormService) -> S,
) -> Result<(CapabilityForm<S>, Vec<u8>), Error> {
    let candidates = candidates_object(entries, &corrupt)?;
    let contracts = entries
        .iter()
        .map(|e| parse_contract(e.body, &corrupt))
        .collect::<Result<Vec<_>, _>>()?;
    let compiled = Compiled::new(&contracts.iter().map(Candidate::active).collect::<Vec<_>>());
    let body = encode(entries.iter().copied(), &candidates, &compiled);
    let services = entries
        .iter()
        .zip(contracts)
        .map(|(entry, contract)| entry.service(Some(contract), &corrupt).map(&mut make))
        .collect::<Result<_, _>>()?;
    Ok((
        CapabilityForm {
            services,
            candidates,
            compiled,
        },
        body,
    ))
}

/// The candidate-set object of `entries` (in their order).
fn candidates_object(
    entries: &[Entry<'_>],
    corrupt: impl Fn(String) -> Error,
) -> Result<Object, Error> {
    let refs = entries
        .iter()
        .map(|e| {
            Ok(ContractRef {
                service_id: e.service_id.to_string(),
                version: e.version.to_string(),
                hash: e.hash.to_string(),
                status: e.status(&corrupt)?,
                status_reason: e.status_reason.map(str::to_string),
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    v2::candidates_object(&refs)
        .map_err(|e| corrupt(format!("a candidate set has no canonical form: {e}")))
}

/// The stored form of `len` bytes that `r` reads (`None`: one of another
/// format, to rebuild). The form is read as it is decoded: only one entry's
/// fields are held at a time, never the whole form, and each service is
/// handed to `make` as soon as it is read (only what it keeps stays).
pub(crate) fn read_form<S>(
    r: impl Read,
    len: u64,
    corrupt: impl Fn(String) -> Error,
    mut make: impl FnMut(FormService) -> S,
) -> Result<Option<CapabilityForm<S>>, Error> {
    let mut services = Vec::new();
    let mut failed = None;
    let object = read(r, len, |entry, count| match entry.service(None, &corrupt) {
        Ok(record) => {
            services.reserve_exact(count.saturating_sub(services.len()));
            services.push(make(record));
            true
        }
        Err(e) => {
            failed = Some(e);
            false
        }
    })
    .map_err(&corrupt)?;
    if let Some(e) = failed {
        return Err(e);
    }
    let Some((hash, body, compiled)) = object else {
        return Ok(None);
    };
    // A compiled form that does not read back: rebuilt from the tables.
    let Some(compiled) = Compiled::decode(&compiled, services.len()) else {
        return Ok(None);
    };
    Ok(Some(CapabilityForm {
        services,
        candidates: Object {
            kind: v2::CANDIDATES,
            hash,
            body,
        },
        compiled,
    }))
}

/// The stored form of `entries`, whose candidate-set object is `candidates`
/// and compiled form `compiled`.
fn encode<'a>(
    entries: impl ExactSizeIterator<Item = Entry<'a>>,
    candidates: &Object,
    compiled: &Compiled,
) -> Vec<u8> {
    let mut out = vec![FORMAT];
    put_len(&mut out, entries.len());
    for e in entries {
        for field in [e.service_id, e.version, e.hash, e.status] {
            put(&mut out, Some(field));
        }
        put(&mut out, e.status_reason);
        put(&mut out, e.status_changed_at);
        put(&mut out, Some(e.added_at));
        put(&mut out, Some(e.body));
    }
    put(&mut out, Some(&candidates.hash));
    put(&mut out, Some(&candidates.body));
    let compiled = compiled.encode();
    put_len(&mut out, compiled.len());
    out.extend_from_slice(&compiled);
    out
}

/// Reads a stored form of `len` bytes from `r`, handing each entry (with
/// the number of entries the form holds) to `each` in order until it
/// returns false; returns the candidate-set object's hash and body and the
/// compiled form's bytes, `None` for a form of another format (one an
/// earlier caio stored: it is rebuilt), or what is wrong with the form.
pub(crate) fn read(
    r: impl Read,
    len: u64,
    mut each: impl FnMut(Entry<'_>, usize) -> bool,
) -> Result<Option<(String, String, Vec<u8>)>, String> {
    let mut r = Reader {
        inner: r,
        left: len,
    };
    let mut format = [0u8; 1];
    r.exact(&mut format)?;
    if format[0] != FORMAT {
        return Ok(None);
    }
    let count = r.u32()?;
    // Every entry takes at least 32 bytes: a count larger than the bytes
    // left can hold is refused before anything is read for it.
    if u64::from(count) > r.left / 32 {
        return Err(format!(
            "a capability form claims {count} entries in {len} bytes"
        ));
    }
    // One buffer per field, reused from entry to entry.
    let mut fields: [Vec<u8>; 8] = Default::default();
    for _ in 0..count {
        let mut present = [false; 8];
        for (field, present) in fields.iter_mut().zip(&mut present) {
            *present = r.field(field)?;
        }
        let text = |i: usize| -> Result<Option<&str>, String> {
            if !present[i] {
                return Ok(None);
            }
            std::str::from_utf8(&fields[i])
                .map(Some)
                .map_err(|_| "a capability form holds a field that is not UTF-8".to_string())
        };
        let required = |i: usize| {
            text(i)?.ok_or_else(|| "a capability form lacks a required field".to_string())
        };
        let entry = Entry {
            service_id: required(0)?,
            version: required(1)?,
            hash: required(2)?,
            status: required(3)?,
            status_reason: text(4)?,
            status_changed_at: text(5)?,
            added_at: required(6)?,
            body: required(7)?,
        };
        if !each(entry, count as usize) {
            return Ok(Some((String::new(), String::new(), Vec::new())));
        }
    }
    let mut object = [Vec::new(), Vec::new()];
    for field in &mut object {
        if !r.field(field)? {
            return Err("a capability form lacks its candidate set".into());
        }
    }
    let mut compiled = Vec::new();
    if !r.field(&mut compiled)? {
        return Err("a capability form lacks its compiled form".into());
    }
    if r.left != 0 {
        return Err("a capability form has bytes after its compiled form".into());
    }
    let [hash, body] = object.map(|bytes| {
        String::from_utf8(bytes)
            .map_err(|_| "a capability form holds a field that is not UTF-8".to_string())
    });
    Ok(Some((hash?, body?, compiled)))
}

fn put_len(out: &mut Vec<u8>, len: usize) {
    // A field or count of 4 GiB is beyond any contract; saturating keeps
    // the encoding total, and decoding such a form fails instead.
    let len = u32::try_from(len).unwrap_or(ABSENT - 1);
    out.extend_from_slice(&len.to_le_bytes());
}

fn put(out: &mut Vec<u8>, field: Option<&str>) {
    match field {
        Some(s) => {
            put_len(out, s.len());
            out.extend_from_slice(s.as_bytes());
        }
        None => out.extend_from_slice(&ABSENT.to_le_bytes()),
    }
}

/// Reads at most `left` bytes of a form from `inner`.
struct Reader<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Reader<R> {
    fn exact(&mut self, buf: &mut [u8]) -> Result<(), String> {
        let cut = || "a capability form is cut short".to_string();
        self.left = self.left.checked_sub(buf.len() as u64).ok_or_else(cut)?;
        self.inner.read_exact(buf).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => cut(),
            _ => format!("a capability form cannot be read: {e}"),
        })
    }

    fn u32(&mut self) -> Result<u32, String> {
        let mut b = [0u8; 4];
        self.exact(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    /// Reads one field into `buf`; false when it is absent.
    fn field(&mut self, buf: &mut Vec<u8>) -> Result<bool, String> {
        let len = self.u32()?;
        buf.clear();
        if len == ABSENT {
            return Ok(false);
        }
        // The length is checked against what is left before anything is
        // reserved for it.
        if u64::from(len) > self.left {
            return Err("a capability form is cut short".into());
        }
        buf.resize(len as usize, 0);
        self.exact(buf)?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry<'a>(id: &'a str, reason: Option<&'a str>) -> Entry<'a> {
        Entry {
            service_id: id,
            version: "1.0.0",
            hash: "b3:00",
            status: "active",
            status_reason: reason,
            status_changed_at: None,
            added_at: "2026-01-01T00:00:00Z",
            body: "{\"service_id\":\"x\"}",
        }
    }

    type Owned = [Option<String>; 8];

    fn owned(e: &Entry<'_>) -> Owned {
        [
            Some(e.service_id),
            Some(e.version),
            Some(e.hash),
            Some(e.status),
            e.status_reason,
            e.status_changed_at,
            Some(e.added_at),
            Some(e.body),
        ]
        .map(|f| f.map(str::to_string))
    }

    /// The entries of `bytes`, owned, read as a stream.
    fn decode(bytes: &[u8]) -> Result<Vec<Owned>, String> {
        let mut out = Vec::new();
        let object = read(bytes, bytes.len() as u64, |e, _| {
            out.push(owned(&e));
            true
        })?;
        assert_eq!(
            object,
            Some((
                "h".to_string(),
                "[]".to_string(),
                Compiled::default().encode()
            ))
        );
        Ok(out)
    }

    fn object() -> Object {
        Object {
            kind: v2::CANDIDATES,
            hash: "h".into(),
            body: "[]".into(),
        }
    }

    #[test]
    fn a_form_decodes_to_what_was_encoded() {
        let entries = [
            entry("a", None),
            entry("b", Some("")),
            entry("ü", Some("why")),
        ];
        let bytes = encode(entries.iter().copied(), &object(), &Compiled::default());
        let expected: Vec<Owned> = entries.iter().map(owned).collect();
        assert_eq!(decode(&bytes).unwrap(), expected);
        assert!(
            decode(&encode(std::iter::empty(), &object(), &Compiled::default()))
                .unwrap()
                .is_empty()
        );
        // A stream that stops before the length it was announced with.
        let mut short = &bytes[..bytes.len() - 1];
        let err = read(&mut short, bytes.len() as u64, |_, _| true).unwrap_err();
        assert!(err.contains("cut short"), "{err}");
    }

    #[test]
    fn every_truncation_and_corruption_is_an_error_never_a_panic() {
        let bytes = encode(
            [entry("a", Some("r")), entry("b", None)].into_iter(),
            &object(),
            &Compiled::default(),
        );
        for len in 0..bytes.len() {
            assert!(decode(&bytes[..len]).is_err(), "cut at {len}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).is_err());
        // A form of another format is not read: it is rebuilt.
        let mut other = bytes.clone();
        other[0] = FORMAT + 1;
        assert_eq!(read(&other[..], other.len() as u64, |_, _| true), Ok(None));
        // A huge claimed count is refused before it is reserved.
        let mut huge = vec![FORMAT];
        huge.extend_from_slice(&(u32::MAX - 1).to_le_bytes());
        assert!(decode(&huge).unwrap_err().contains("claims"));
        // A required field marked absent, and bytes that are not UTF-8.
        let mut absent = vec![FORMAT, 1, 0, 0, 0];
        absent.extend_from_slice(&ABSENT.to_le_bytes());
        absent.extend_from_slice(&[0; 28]);
        assert!(decode(&absent).unwrap_err().contains("required"));
        let mut bad = encode(
            [entry("a", None)].into_iter(),
            &object(),
            &Compiled::default(),
        );
        bad[9] = 0xff;
        assert!(decode(&bad).unwrap_err().contains("UTF-8"));
    }

    #[test]
    fn a_form_whose_compiled_form_does_not_read_back_is_rebuilt() {
        let text = include_str!("../../../contracts/openai-gpt-4o.yaml");
        let contract = caio_core::contract::validate_text("c.yaml", text)
            .contract
            .expect("a valid contract");
        let body = serde_json::to_string(&contract).expect("serialisable");
        let mut e = entry(&contract.service_id, None);
        e.version = &contract.version;
        e.body = &body;
        let corrupt = |reason: String| Error::Store {
            path: "home".into(),
            reason,
            help: "",
        };
        let (built, bytes) = build(&[e], corrupt, |s| s).expect("built");
        assert_eq!(built.compiled.len(), 1);
        let read_back = read_form(&bytes[..], bytes.len() as u64, corrupt, |s| s)
            .expect("readable")
            .expect("of this format");
        // Read back without parsing the contract, and compiled alike.
        assert!(!read_back.services[0].contract.is_parsed());
        assert_eq!(read_back.compiled.encode(), built.compiled.encode());
        assert_eq!(read_back.services[0].contract.get(), Some(&contract));
        // A compiled form replaced by bytes that are not one.
        let mut garbage = bytes[..bytes.len() - built.compiled.encode().len() - 4].to_vec();
        put_len(&mut garbage, 3);
        garbage.extend_from_slice(&[9, 9, 9]);
        let rebuilt = read_form(&garbage[..], garbage.len() as u64, corrupt, |s| s);
        assert!(matches!(rebuilt, Ok(None)), "{rebuilt:?}");
    }
}
