//! The components under test, behind one small interface so that a test can
//! inject a deliberately broken one (a scorer that picks the runner-up, a
//! trace writer that skips refusals, a policy evaluator that ignores `deny`…)
//! and watch the invariant catch it. [`Real`] is caio itself: every default
//! method calls the production code.

use caio_core::policy::PolicySet;
use caio_core::principal::{AuthFailure, Principal};
use caio_core::request::Request;
use caio_core::routing::Routed;
use caio_core::routing::{self, Candidate, Decision, Identity};
use caio_core::trace::{self, Break, Prepared, TraceRecord, Verifier};
use caio_store::Error;
use caio_store::Store;
use caio_store::home::Home;
use caio_store::traces::Appended;

/// A record with the objects it references, or why it has no canonical form.
pub type RecordWithObjects =
    Result<(TraceRecord, Vec<std::sync::Arc<trace::Object>>), caio_core::canonical::JcsError>;

/// What the invariants exercise. Every method has the production behaviour
/// by default; a broken component overrides one.
pub trait Engine {
    /// The routing core (SPEC §5, §6).
    fn route(
        &self,
        request: &Request,
        identity: &Identity,
        candidates: &[Candidate<'_>],
        policies: &PolicySet,
    ) -> Decision {
        routing::route(request, identity, candidates, policies)
    }

    /// The routing core over a candidate list compiled beforehand
    /// ([`routing::Compiled`]), as the store's router routes: what
    /// INV-CAIO-0006 times.
    fn route_compiled(
        &self,
        request: &Request,
        identity: &Identity,
        candidates: &[Candidate<'_>],
        compiled: &routing::Compiled,
        policies: &PolicySet,
    ) -> Decision {
        routing::route_compiled(
            request,
            identity,
            candidates,
            compiled,
            policies,
            None,
            routing::Detail::Full,
        )
    }

    /// Turns a presented token into a principal (SPEC §4).
    fn authenticate(
        &self,
        store: &Store,
        home: &Home,
        token: Option<&str>,
    ) -> Result<Result<Principal, AuthFailure>, Error> {
        store.authenticate(home, token)
    }

    /// The trace record of one route call (redaction happens here);
    /// `policies` is the set the decision was made with.
    fn record(
        &self,
        request: &Request,
        routed: &Routed,
        policies: &PolicySet,
        at: String,
    ) -> RecordWithObjects {
        trace::record(request, routed, policies, at)
    }

    /// Appends the records of route calls to the chain, in one transaction.
    fn append(&self, store: &mut Store, records: &[Prepared]) -> Result<Vec<Appended>, Error> {
        store.append_traces(records, &[])
    }

    /// Recomputes the stored chain from the genesis and checks it against a
    /// checkpoint `(size, head)` kept elsewhere; the first break, if any.
    fn verify(
        &self,
        store: &Store,
        checkpoint: Option<(i64, [u8; 32])>,
    ) -> Result<Option<Break>, Error> {
        let mut verifier = Verifier::new(1, checkpoint.iter().map(|c| c.0));
        store.for_each_trace::<Error>(1, None, |row| Ok(verifier.push(&row)))?;
        verifier.finish(store.trace_head()?.0);
        if let Some((size, head)) = checkpoint {
            verifier.check_checkpoint(size, &head);
        }
        Ok(verifier.first_break)
    }
}

/// caio as shipped.
#[derive(Debug, Clone, Copy, Default)]
pub struct Real;

impl Engine for Real {}

/// What the router returns for a decision made from these inputs: the
/// decision with the hashes that identify its inputs, assembled by
/// [`Routed::new`] as `Router::route` does.
pub(crate) fn routed(
    decision: Decision,
    identity: Identity,
    candidates: &[Candidate<'_>],
    policies: &PolicySet,
) -> Routed {
    let policy_set = policies
        .canonical()
        .map(|(h, _)| h)
        .unwrap_or_else(|_| "unhashable".into());
    Routed::new(
        decision,
        identity,
        candidates,
        policy_set,
        policies.policies().len(),
        |i| {
            candidates[i]
                .contract
                .get()
                .and_then(|c| caio_store::registry::contract_hash(c).ok())
                .map_or_else(|| "unhashable".into(), |(h, _)| h)
        },
    )
}

/// Records one route call through `engine` (record, canonical form, append),
/// as `caio route` does; the appended positions.
pub(crate) fn trace_call(
    engine: &dyn Engine,
    store: &mut Store,
    request: &Request,
    routed: &Routed,
    policies: &PolicySet,
) -> Result<Vec<Appended>, Error> {
    let at = caio_core::time::timestamp(jiff::Timestamp::now());
    let prepared = engine
        .record(request, routed, policies, at)
        .and_then(|(record, objects)| Prepared::new(&record, objects))
        .map_err(|e| Error::Store {
            path: store.path().to_path_buf(),
            reason: format!("a decision has no canonical form: {e}"),
            help: "this is unexpected; report it with the counterexample",
        })?;
    engine.append(store, &[prepared])
}
