//! The edge around the pure routing core: gathers its inputs — candidates
//! from the registry's capability index (or from contract files in stateless
//! mode), the policy set in force, and the caller's identity — runs
//! [`routing::route`], and returns the decision with what identifies its
//! inputs (policy-set hash, contract hashes, the stats snapshot).
//!
//! Execution stats come from the home's `service_stats` table: always in
//! registry mode, and in stateless mode when a home is named (the services
//! are matched by id), so the circuit breaker protects both. The router
//! reads the clock once, when built: that is the decision's time, which
//! tells open circuits from closed ones and how far each h has recovered
//! (it goes into the trace); [`Router::at`] sets that time instead (tests,
//! benchmarks).

use crate::Store;
use crate::error::Error;
use crate::home::Home;
use crate::registry::contract_hash;
use caio_core::contract::{ServiceContract, StoredContract};
use caio_core::health::Health;
use caio_core::lifecycle::ServiceStatus;
use caio_core::policy::PolicySet;
use caio_core::principal::{AuthFailure, Principal, Principals};
use caio_core::request::Request;
use caio_core::routing::explain::{self, Explanation};
use caio_core::routing::{self, Candidate, ContractRef, Detail, Identity, Routed, ServiceStats};
use caio_core::trace::{Object, v2};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

/// The candidates of one set of requested capabilities, with their stats
/// at the router's time and their compiled form: built once per set and
/// kept for the router's next decisions.
struct Form {
    /// The capabilities, sorted.
    wanted: Vec<String>,
    loaded: Vec<Rc<Loaded>>,
    stats: Vec<ServiceStats>,
    compiled: Rc<routing::Compiled>,
    /// The contract versions of `loaded`, as every decision over them
    /// records them.
    contracts: Rc<[ContractRef]>,
    /// The trace object of `loaded` as a candidate set, when the store
    /// keeps it with the capability (one capability, registry mode).
    candidates: Option<Arc<Object>>,
}

/// The candidates of a set of capabilities, and the trace object and
/// compiled form of that candidate set when the store keeps them (one
/// capability, registry mode).
struct Gathered {
    loaded: Vec<Rc<Loaded>>,
    kept: Option<(Arc<Object>, Rc<routing::Compiled>)>,
}

#[derive(Debug)]
struct Loaded {
    /// Parsed only when read: a route over a kept compiled form reads
    /// none (SPEC §12).
    contract: StoredContract,
    hash: String,
    status: ServiceStatus,
    status_reason: Option<String>,
}

/// One capability's services as its stored form gives them, with the
/// trace object and the compiled form of that candidate set.
type Kept = (Vec<Rc<Loaded>>, Arc<Object>, Rc<routing::Compiled>);

enum Source {
    /// Candidates, policies and identity from the home.
    Registry {
        store: Store,
        home: Home,
        /// Services per capability, loaded once per router, with the
        /// trace object and compiled form of that candidate set.
        cache: BTreeMap<String, Kept>,
        /// Their execution stats, loaded with them.
        health: BTreeMap<String, Health>,
    },
    /// Candidates and policies from files; identity simulated, anonymous,
    /// or checked against a home when one is given.
    Files {
        contracts: Vec<Rc<Loaded>>,
        principal: Option<Principal>,
        identities: Option<(Store, Home)>,
        /// The home's execution stats, when a home is named.
        health: Option<BTreeMap<String, Health>>,
    },
}

/// Routes requests over the candidates of the home's registry or of
/// contract files, built once per command (a batch routes many requests
/// with one router and its cache).
pub struct Router {
    source: Source,
    /// The candidate-set objects built so far, newest last: a batch routes
    /// most lines over the same few candidate sets.
    candidate_objects: Vec<(Rc<[ContractRef]>, Arc<Object>)>,
    /// The candidate forms built so far, newest last.
    forms: Vec<Rc<Form>>,
    policies: PolicySet,
    /// The policy set's content hash, and its trace object.
    policy_hash: String,
    policy_object: Arc<Object>,
    /// The home's principals, read by the first request with a token and
    /// kept for the router's next decisions.
    principals: std::cell::OnceCell<Principals>,
    /// Whether the stateless inputs were handed out for storing.
    inputs_taken: bool,
    /// The time circuits are judged at (Unix milliseconds).
    now_ms: i64,
    /// How much of each decision is spelled out (every candidate, worded,
    /// unless `set_detail` says otherwise).
    detail: Detail,
}

impl Router {
    /// Registry mode: the installed policy set always applies.
    pub fn registry(store: Store, home: Home) -> Result<Router, Error> {
        let policies = store.active_policy_set()?;
        let (policy_hash, policy_object) = identify_set(&policies, store.path())?;
        Ok(Router {
            source: Source::Registry {
                store,
                home,
                cache: BTreeMap::new(),
                health: BTreeMap::new(),
            },
            candidate_objects: Vec::new(),
            forms: Vec::new(),
            policies,
            policy_hash,
            policy_object,
            principals: std::cell::OnceCell::new(),
            inputs_taken: false,
            now_ms: jiff::Timestamp::now().as_millisecond(),
            detail: Detail::Full,
        })
    }

    /// Stateless mode. Contracts must be valid and share one currency.
    pub fn files(
        contracts: Vec<ServiceContract>,
        policies: PolicySet,
        principal: Option<Principal>,
        identities: Option<(Store, Home)>,
    ) -> Result<Router, Error> {
        let mut currencies: Vec<String> =
            contracts.iter().map(|c| c.cost.currency.clone()).collect();
        currencies.sort();
        currencies.dedup();
        if currencies.len() > 1 {
            return Err(Error::MixedCurrencies { currencies });
        }
        let contracts = contracts
            .into_iter()
            .map(|contract| {
                let hash = contract_hash(&contract)
                    .map(|(h, _)| h)
                    .unwrap_or_else(|_| "unhashable".to_string());
                Rc::new(Loaded {
                    contract: StoredContract::from(contract),
                    hash,
                    status: ServiceStatus::Active,
                    status_reason: None,
                })
            })
            .collect();
        let (policy_hash, policy_object) =
            identify_set(&policies, std::path::Path::new("policies"))?;
        Ok(Router {
            source: Source::Files {
                contracts,
                principal,
                identities,
                health: None,
            },
            candidate_objects: Vec::new(),
            forms: Vec::new(),
            policies,
            policy_hash,
            policy_object,
            principals: std::cell::OnceCell::new(),
            inputs_taken: false,
            now_ms: jiff::Timestamp::now().as_millisecond(),
            detail: Detail::Full,
        })
    }

    /// Judges circuits at `now` instead of the time the router was built
    /// (tests and benchmarks that need a fixed time).
    pub fn at(mut self, now: jiff::Timestamp) -> Router {
        self.now_ms = now.as_millisecond();
        self.forms.clear();
        self
    }

    /// Spells the next decisions out as `detail` says (every candidate,
    /// worded, by default): a caller that never shows a decision's
    /// candidates lists only the best and counts the rest.
    pub fn set_detail(&mut self, detail: Detail) {
        self.detail = detail;
    }

    /// Routes one request.
    pub fn route(&mut self, request: &Request) -> Result<Routed, Error> {
        let mut notes = Vec::new();
        let identity = self.identify(request, &mut notes)?;
        let form = self.form(request)?;
        let now_ms = self.now_ms;
        let candidates = candidates_of(&form.loaded, &form.stats);
        let decision = routing::route_compiled(
            request,
            &identity,
            &candidates,
            &form.compiled,
            &self.policies,
            Some(now_ms),
            self.detail,
        );
        // The chosen contracts must read back (execution calls them, and a
        // choice rests on their compiled rows): a stored body that does not
        // is a damaged home, and nothing is routed on it.
        for choice in &decision.chosen {
            if let Some(l) = form
                .compiled
                .position(&choice.service_id)
                .and_then(|i| form.loaded.get(i))
                && l.contract.get().is_none()
            {
                return Err(self.unreadable(&l.contract));
            }
        }
        let mut routed = Routed::with_contracts(
            decision,
            identity,
            &candidates,
            Rc::clone(&form.contracts),
            self.policy_hash.clone(),
            self.policies.policies().len(),
        );
        // The decision time matters (and is recorded) only when some h
        // was observed at a time it recovers from.
        if routed.stats.values().any(|s| s.observed_at_ms.is_some()) {
            routed.decided_at_ms = Some(now_ms);
        }
        routed.notes = notes;
        Ok(routed)
    }

    /// What `--explain` shows beyond `routed`, the decision this router
    /// made for `request`: every stage that would reject each candidate,
    /// "did you mean" for a capability nothing offers, and what a principal
    /// needs to pass the access rules. Only called when it is shown.
    pub fn explain(&mut self, request: &Request, routed: &Routed) -> Result<Explanation, Error> {
        let form = self.form(request)?;
        let candidates = candidates_of(&form.loaded, &form.stats);
        let unknown = routed
            .decision
            .steps
            .iter()
            .any(|s| s.tally().candidates == 0);
        let registered = if unknown {
            self.registered_capabilities()?
        } else {
            Vec::new()
        };
        Ok(explain::explain(
            request,
            &routed.identity,
            &candidates,
            &self.policies,
            &routed.decision,
            &registered,
        ))
    }

    /// Whether candidates come from the home's registry (else from files).
    pub fn is_registry(&self) -> bool {
        matches!(self.source, Source::Registry { .. })
    }

    /// Whether request tokens are checked against a home (else the caller
    /// is anonymous or simulated with `--principal`).
    pub fn checks_tokens(&self) -> bool {
        match &self.source {
            Source::Registry { .. } => true,
            Source::Files {
                principal: Some(_), ..
            } => false,
            Source::Files { identities, .. } => identities.is_some(),
        }
    }

    /// Every capability type a candidate of this router offers.
    fn registered_capabilities(&self) -> Result<Vec<String>, Error> {
        match &self.source {
            Source::Registry { store, .. } => store.capabilities(),
            Source::Files { contracts, .. } => {
                let mut kinds: Vec<String> = contracts
                    .iter()
                    .filter_map(|l| l.contract.get())
                    .flat_map(|c| c.capabilities.iter().map(|c| c.kind.clone()))
                    .collect();
                kinds.sort();
                kinds.dedup();
                Ok(kinds)
            }
        }
    }

    /// The execution stats of `loaded`, in its order.
    fn stats_of(&mut self, loaded: &[Rc<Loaded>]) -> Result<Vec<ServiceStats>, Error> {
        let now_ms = self.now_ms;
        let health = self.health()?;
        Ok(loaded
            .iter()
            .map(|l| {
                health
                    .and_then(|h| h.get(l.contract.service_id()))
                    .map_or_else(ServiceStats::default, |h| h.stats(now_ms))
            })
            .collect())
    }

    /// The execution stats the candidates are routed with: those of the
    /// capabilities loaded so far (registry), or the whole table (a home
    /// named in stateless mode), or none.
    fn health(&mut self) -> Result<Option<&BTreeMap<String, Health>>, Error> {
        match &mut self.source {
            Source::Registry { health, .. } => Ok(Some(health)),
            Source::Files {
                identities: Some((store, _)),
                health,
                ..
            } => {
                if health.is_none() {
                    *health = Some(store.all_health()?);
                }
                Ok(health.as_ref())
            }
            Source::Files { .. } => Ok(None),
        }
    }

    /// The trace object of the candidate set `contracts`: the one the
    /// store keeps with a capability's form when `contracts` is that form's
    /// set, else built once per distinct set and kept for the router's next
    /// decisions (comparing two sets costs far less than serialising and
    /// hashing one).
    pub fn candidates_object(
        &mut self,
        contracts: &Rc<[ContractRef]>,
    ) -> Result<Arc<Object>, Error> {
        const KEEP: usize = 8;
        // A set the store keeps with its capability: nothing to build (a
        // decision of this router shares the form's list of contracts, so
        // the pointers match before any entry is compared).
        if let Some(object) = self.forms.iter().rev().find_map(|f| {
            f.candidates
                .as_ref()
                .filter(|_| Rc::ptr_eq(&f.contracts, contracts) || *f.contracts == **contracts)
        }) {
            return Ok(Arc::clone(object));
        }
        if let Some((_, object)) = self
            .candidate_objects
            .iter()
            .rev()
            .find(|(set, _)| Rc::ptr_eq(set, contracts) || **set == **contracts)
        {
            return Ok(Arc::clone(object));
        }
        let object = Arc::new(v2::candidates_object(contracts).map_err(|e| Error::Store {
            path: "trace".into(),
            reason: format!("the candidate set has no canonical form: {e}"),
            help: "this is unexpected; report it with the request",
        })?);
        if self.candidate_objects.len() == KEEP {
            self.candidate_objects.remove(0);
        }
        self.candidate_objects
            .push((Rc::clone(contracts), Arc::clone(&object)));
        Ok(object)
    }

    /// The trace object of the policy set this router routes with.
    pub fn policies_object(&self) -> Arc<Object> {
        Arc::clone(&self.policy_object)
    }

    /// A candidate's contract by service id (what execution calls, for the
    /// chosen service and those it fails over to): an error when no
    /// candidate of this router has that id, or its stored contract does
    /// not read back.
    pub fn contract(&self, service_id: &str) -> Result<ServiceContract, Error> {
        let found = match &self.source {
            Source::Registry { cache, .. } => cache
                .values()
                .flat_map(|(loaded, _, _)| loaded)
                .find(|l| l.contract.service_id() == service_id),
            Source::Files { contracts, .. } => contracts
                .iter()
                .find(|l| l.contract.service_id() == service_id),
        };
        let Some(found) = found else {
            return Err(Error::UnknownService {
                id: service_id.to_string(),
                help: "the service disappeared between routing and execution; route again".into(),
            });
        };
        found
            .contract
            .get()
            .cloned()
            .ok_or_else(|| self.unreadable(&found.contract))
    }

    /// The error of a stored contract that does not read back.
    fn unreadable(&self, contract: &StoredContract) -> Error {
        let path = match &self.source {
            Source::Registry { store, .. } => store.path(),
            Source::Files { .. } => std::path::Path::new("contracts"),
        };
        Error::unreadable_contract(path, contract)
    }

    /// The home's store, when this router has one (registry mode, or
    /// stateless mode with a home named): traces go there.
    pub fn store_mut(&mut self) -> Option<&mut Store> {
        match &mut self.source {
            Source::Registry { store, .. } => Some(store),
            Source::Files { identities, .. } => identities.as_mut().map(|(store, _)| store),
        }
    }

    /// What replay needs that the home does not already hold: in stateless
    /// mode, the contracts read from files (the policy set is a trace
    /// object, stored with the records). Handed out once; later calls
    /// return nothing.
    pub fn take_inputs(&mut self) -> Vec<crate::traces::Input> {
        if std::mem::replace(&mut self.inputs_taken, true) {
            return Vec::new();
        }
        let Source::Files { contracts, .. } = &self.source else {
            return Vec::new();
        };
        contracts
            .iter()
            .filter_map(|l| {
                let (hash, body) = contract_hash(l.contract.get()?).ok()?;
                Some(crate::traces::Input {
                    hash,
                    kind: "contract",
                    body,
                })
            })
            .collect()
    }

    /// Who presents `token`, checked against the home's principals (read
    /// once per router).
    fn authenticate(
        &self,
        store: &Store,
        home: &Home,
        token: Option<&str>,
    ) -> Result<Identity, Error> {
        if token.is_none() {
            return Ok(Identity::Anonymous);
        }
        let principals = match self.principals.get() {
            Some(principals) => principals,
            None => {
                let read = store.principals(home)?;
                self.principals.get_or_init(|| read)
            }
        };
        Ok(Identity::from_auth(principals.authenticate(token), true))
    }

    fn identify(&self, request: &Request, notes: &mut Vec<String>) -> Result<Identity, Error> {
        let token = request.token();
        match &self.source {
            Source::Registry { store, home, .. } => self.authenticate(store, home, token),
            Source::Files {
                principal: Some(p), ..
            } => {
                if token.is_some() {
                    notes.push(format!(
                        "routing as the simulated principal `{}`; the request's token is not checked",
                        p.name
                    ));
                }
                Ok(Identity::Simulated {
                    principal: p.clone(),
                })
            }
            Source::Files {
                identities: Some((store, home)),
                ..
            } => {
                let identity = self.authenticate(store, home, token)?;
                if let Identity::Refused { .. } = identity {
                    notes.push(format!(
                        "the token is not one of the caio home at {}; to simulate a caller \
                         in stateless mode, use --principal FILE",
                        home.path.display()
                    ));
                }
                Ok(identity)
            }
            Source::Files { .. } => {
                if token.is_none() {
                    return Ok(Identity::Anonymous);
                }
                notes.push(
                    "the request carries a token, but there is no caio home to check it against: \
                     pass --home (or set CAIO_HOME), or simulate a caller with --principal FILE"
                        .to_string(),
                );
                Ok(Identity::Refused {
                    failure: AuthFailure::Unknown,
                })
            }
        }
    }

    /// The candidate form of the capabilities `request` names: the one
    /// built for an earlier request naming the same ones, or a new one.
    fn form(&mut self, request: &Request) -> Result<Rc<Form>, Error> {
        const KEEP: usize = 8;
        let mut wanted: Vec<&str> = request.capabilities().collect();
        wanted.sort_unstable();
        wanted.dedup();
        if let Some(form) = self.forms.iter().rev().find(|f| f.wanted == wanted) {
            return Ok(Rc::clone(form));
        }
        let wanted: Vec<String> = wanted.into_iter().map(str::to_string).collect();
        let Gathered { loaded, kept } = self.candidates(&wanted)?;
        let stats = self.stats_of(&loaded)?;
        let listed = candidates_of(&loaded, &stats);
        let (candidates, compiled) = match kept {
            Some((object, compiled)) => (Some(object), compiled),
            None => {
                // Compiled here (a chain, or contract files): every contract
                // is read, and one that does not read back fails the route.
                if let Some(l) = loaded.iter().find(|l| l.contract.get().is_none()) {
                    return Err(self.unreadable(&l.contract));
                }
                (None, Rc::new(routing::Compiled::new(&listed)))
            }
        };
        let contracts = Routed::contract_refs(&listed, |i| loaded[i].hash.clone());
        let form = Rc::new(Form {
            wanted,
            loaded,
            stats,
            compiled,
            contracts,
            candidates,
        });
        if self.forms.len() == KEEP {
            self.forms.remove(0);
        }
        self.forms.push(Rc::clone(&form));
        Ok(form)
    }

    /// The services offering any of the capabilities `wanted` (sorted).
    fn candidates(&mut self, wanted: &[String]) -> Result<Gathered, Error> {
        match &mut self.source {
            Source::Files { contracts, .. } => Ok(Gathered {
                loaded: contracts
                    .iter()
                    .filter(|l| {
                        l.contract.get().is_some_and(|c| {
                            c.capabilities.iter().any(|c| wanted.contains(&c.kind))
                        })
                    })
                    .cloned()
                    .collect(),
                kept: None,
            }),
            Source::Registry {
                store,
                cache,
                health,
                ..
            } => {
                for capability in wanted {
                    let capability = capability.clone();
                    if !cache.contains_key(&capability) {
                        health.extend(store.health_for_capability(&capability)?);
                        let form = store.capability_form(&capability, |s| {
                            Rc::new(Loaded {
                                contract: s.contract,
                                hash: s.hash,
                                status: s.status,
                                status_reason: s.status_reason,
                            })
                        })?;
                        cache.insert(
                            capability.clone(),
                            (
                                form.services,
                                Arc::new(form.candidates),
                                Rc::new(form.compiled),
                            ),
                        );
                    }
                }
                let of = |capability: &String| cache.get(capability).into_iter();
                Ok(match wanted {
                    // One capability: its form, already in id order.
                    [one] => Gathered {
                        loaded: of(one).flat_map(|(l, _, _)| l.iter().cloned()).collect(),
                        kept: of(one)
                            .map(|(_, object, compiled)| (Arc::clone(object), Rc::clone(compiled)))
                            .next(),
                    },
                    // A chain: every service offering any step, once, by id.
                    _ => {
                        let mut out: BTreeMap<&str, &Rc<Loaded>> = BTreeMap::new();
                        for l in wanted.iter().flat_map(of).flat_map(|(l, _, _)| l) {
                            out.entry(l.contract.service_id()).or_insert(l);
                        }
                        Gathered {
                            loaded: out.into_values().cloned().collect(),
                            kept: None,
                        }
                    }
                })
            }
        }
    }
}

/// The router's candidates: `loaded` with their stats.
fn candidates_of<'a>(loaded: &'a [Rc<Loaded>], stats: &[ServiceStats]) -> Vec<Candidate<'a>> {
    loaded
        .iter()
        .zip(stats)
        .map(|(l, stats)| Candidate {
            contract: (&l.contract).into(),
            status: l.status,
            status_reason: l.status_reason.as_deref(),
            stats: *stats,
        })
        .collect()
}

/// The content hash of a policy set and its trace object (`path` is where
/// the set was read from).
fn identify_set(
    policies: &PolicySet,
    path: &std::path::Path,
) -> Result<(String, Arc<Object>), Error> {
    let err = |e: caio_core::canonical::JcsError| Error::Store {
        path: path.to_path_buf(),
        reason: format!("the policy set has no canonical form: {e}"),
        help: "check the numbers in the policy files, then apply them again",
    };
    // The object's body is the set's canonical JSON: its hash is the set's.
    let object = v2::policies_object(policies).map_err(err)?;
    Ok((
        caio_core::policy::content_hash(&object.body),
        Arc::new(object),
    ))
}
