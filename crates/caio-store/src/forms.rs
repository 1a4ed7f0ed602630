//! Capability forms: the candidates of one capability as routing reads
//! them — each active service's id, version, content hash, status and
//! contract body — stored as one row, so that a route reads one row
//! instead of joining three tables per candidate.
//!
//! A form is a cache of the registry tables and never their source. It is
//! built by the first route that needs it and is valid for the registry
//! epoch it was built at: every write to `services`, `contract_versions` or
//! `capability_index` advances the epoch (triggers, in both dialects), and
//! a form is read only where its epoch is the current one. The epoch is read
//! before the tables a form is built from, so a change committed in between
//! leaves the new form stale (rebuilt next time), never wrong.
//!
//! The encoding is private to caio and versioned by its first byte:
//! `1`, the entry count (u32 LE), then per entry eight fields, each a
//! length (u32 LE; `u32::MAX` for an absent optional field) and that many
//! bytes of UTF-8.

use crate::error::Error;
use crate::registry::ServiceRecord;
use caio_core::contract::ServiceContract;
use caio_core::lifecycle::ServiceStatus;

const FORMAT: u8 = 1;
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
    /// The service record of this entry, its body parsed by `parse`;
    /// `active` says whether the version is the one routing uses.
    pub(crate) fn record(
        &self,
        active: bool,
        parse: impl FnOnce(&str) -> Result<ServiceContract, Error>,
        corrupt: impl FnOnce(String) -> Error,
    ) -> Result<ServiceRecord, Error> {
        let status = ServiceStatus::parse(self.status).ok_or_else(|| {
            corrupt(format!(
                "unknown status `{}` for {}",
                self.status, self.service_id
            ))
        })?;
        Ok(ServiceRecord {
            contract: parse(self.body)?,
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

/// The records of `entries`, all active, in their order.
pub(crate) fn records(
    entries: &[Entry<'_>],
    corrupt: impl Fn(String) -> Error,
) -> Result<Vec<ServiceRecord>, Error> {
    entries
        .iter()
        .map(|entry| {
            entry.record(
                true,
                |body| {
                    serde_json::from_str(body)
                        .map_err(|e| corrupt(format!("a stored contract cannot be read back: {e}")))
                },
                &corrupt,
            )
        })
        .collect()
}

/// The stored form of `entries`.
pub(crate) fn encode<'a>(entries: impl ExactSizeIterator<Item = Entry<'a>>) -> Vec<u8> {
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
    out
}

/// The entries of a stored form, or what is wrong with it.
pub(crate) fn decode(bytes: &[u8]) -> Result<Vec<Entry<'_>>, String> {
    let mut r = Reader { bytes, at: 0 };
    match r.take(1)? {
        [FORMAT] => {}
        [other] => return Err(format!("a capability form has the unknown format {other}")),
        _ => return Err("a capability form is empty".into()),
    }
    let count = r.u32()? as usize;
    // Every entry takes at least 32 bytes: a count larger than the bytes
    // left can hold is refused before anything is reserved for it.
    if count > (bytes.len() - r.at) / 32 {
        return Err(format!(
            "a capability form claims {count} entries in {} bytes",
            bytes.len()
        ));
    }
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        entries.push(Entry {
            service_id: r.required()?,
            version: r.required()?,
            hash: r.required()?,
            status: r.required()?,
            status_reason: r.field()?,
            status_changed_at: r.field()?,
            added_at: r.required()?,
            body: r.required()?,
        });
    }
    if r.at != bytes.len() {
        return Err("a capability form has bytes after its last entry".into());
    }
    Ok(entries)
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

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| "a capability form is cut short".to_string())?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn required(&mut self) -> Result<&'a str, String> {
        self.field()?
            .ok_or_else(|| "a capability form lacks a required field".to_string())
    }

    fn field(&mut self) -> Result<Option<&'a str>, String> {
        let len = self.u32()?;
        if len == ABSENT {
            return Ok(None);
        }
        let bytes = self.take(len as usize)?;
        std::str::from_utf8(bytes)
            .map(Some)
            .map_err(|_| "a capability form holds a field that is not UTF-8".to_string())
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

    #[test]
    fn a_form_decodes_to_what_was_encoded() {
        let entries = [
            entry("a", None),
            entry("b", Some("")),
            entry("ü", Some("why")),
        ];
        let bytes = encode(entries.iter().copied());
        assert_eq!(decode(&bytes).unwrap(), entries);
        assert_eq!(decode(&encode(std::iter::empty())).unwrap(), vec![]);
    }

    #[test]
    fn every_truncation_and_corruption_is_an_error_never_a_panic() {
        let bytes = encode([entry("a", Some("r")), entry("b", None)].into_iter());
        for len in 0..bytes.len() {
            assert!(decode(&bytes[..len]).is_err(), "cut at {len}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).is_err());
        let mut unknown = bytes.clone();
        unknown[0] = 2;
        assert!(decode(&unknown).unwrap_err().contains("unknown format 2"));
        // A huge claimed count is refused before it is reserved.
        let mut huge = vec![FORMAT];
        huge.extend_from_slice(&(u32::MAX - 1).to_le_bytes());
        assert!(decode(&huge).unwrap_err().contains("claims"));
        // A required field marked absent, and bytes that are not UTF-8.
        let mut absent = vec![FORMAT, 1, 0, 0, 0];
        absent.extend_from_slice(&ABSENT.to_le_bytes());
        absent.extend_from_slice(&[0; 28]);
        assert!(decode(&absent).unwrap_err().contains("required"));
        let mut bad = encode([entry("a", None)].into_iter());
        bad[9] = 0xff;
        assert!(decode(&bad).unwrap_err().contains("UTF-8"));
    }
}
