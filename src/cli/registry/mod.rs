//! `caio registry add|list|show|history|set-status|remove`.

use super::{GlobalArgs, open_store, open_store_existing, resolve_home};
use crate::error::{Error, Exit};
use crate::ui::{Schema, Ui};
use caio_core::circuit::State;
use caio_core::contract::{self, ServiceContract};
use caio_core::health::{Health, Summary};
use caio_core::lifecycle::ServiceStatus;
use caio_store::registry::{Change, ListFilter, NewContract, ServiceRecord, contract_hash};
use clap::Subcommand;
use clap_complete::ArgValueCandidates;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

mod show;
use show::*;

#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Validate contracts and store them; all or nothing per call
    #[command(
        after_help = "A higher version of a registered service replaces it atomically; \
the same version with different content needs --replace; a lower version is refused."
    )]
    Add {
        /// Contract files or directories
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Allow the same version with different content to replace the active one
        #[arg(long)]
        replace: bool,
    },

    /// List registered services
    List {
        /// Only services offering this capability
        #[arg(long, value_name = "C")]
        capability: Option<String>,
        /// Only services carrying this tag
        #[arg(long, value_name = "T")]
        tag: Option<String>,
        /// Only services with this status
        #[arg(long, value_enum, value_name = "S")]
        status: Option<ServiceStatus>,
        /// Only services of this provider
        #[arg(long, value_name = "P")]
        provider: Option<String>,
        /// List contract files instead of the registry (stateless mode)
        #[arg(long, value_name = "DIR")]
        contracts: Option<PathBuf>,
    },

    /// Show a service's active contract (or an older version)
    Show {
        /// The service (`caio registry list` shows them)
        #[arg(add = ArgValueCandidates::new(super::complete::services))]
        service_id: String,
        /// A version from the service's history
        #[arg(long = "version", id = "contract_version", value_name = "V")]
        version: Option<String>,
    },

    /// Every version of a service with its hash, time, and what replaced it
    History {
        /// The service (`caio registry list` shows them)
        #[arg(add = ArgValueCandidates::new(super::complete::services))]
        service_id: String,
    },

    /// Set a service's status (drained and disabled services are never routed to);
    /// --reset-circuit also closes its circuit breaker and resets h
    #[command(
        after_help = "A circuit opened by failed executions closes by itself after its open \
period (30 s × times opened, at most 10 min) and a success, and h (the observed success \
rate) recovers toward 1 with a 15-minute half-life; --reset-circuit closes the circuit and \
puts h back at 1 now."
    )]
    SetStatus {
        /// The service (`caio registry list` shows them)
        #[arg(add = ArgValueCandidates::new(super::complete::services))]
        service_id: String,
        #[arg(value_enum)]
        status: ServiceStatus,
        /// Why, recorded with the change
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
        /// Also close the service's circuit breaker, forget its consecutive
        /// failures and openings, and put h back at 1 (execution counts,
        /// latencies and spend stay)
        #[arg(long)]
        reset_circuit: bool,
    },

    /// Deregister a service (its versions and history are kept for replay)
    Remove {
        /// The service (`caio registry list` shows them)
        #[arg(add = ArgValueCandidates::new(super::complete::services))]
        service_id: String,
    },
}

pub fn run(cmd: RegistryCommand, global: &GlobalArgs, ui: &mut Ui) -> Result<Exit, Error> {
    match cmd {
        RegistryCommand::Add { paths, replace } => add(&paths, replace, global, ui),
        RegistryCommand::List {
            capability,
            tag,
            status,
            provider,
            contracts,
        } => {
            let filter = ListFilter {
                capability,
                tag,
                status,
                provider,
            };
            let (services, health) = match contracts {
                Some(dir) => match from_files(&dir, &filter, ui)? {
                    Some(services) => (services, BTreeMap::new()),
                    None => return Ok(Exit::Invalid),
                },
                None => {
                    let store = open_store_existing(global)?;
                    (store.list_services(&filter)?, store.all_health()?)
                }
            };
            list(&services, &health, ui)
        }
        RegistryCommand::Show {
            service_id,
            version,
        } => {
            let store = open_store_existing(global)?;
            let record = store.show_service(&service_id, version.as_deref())?;
            let health = store.health(&service_id)?;
            show(&record, health.as_ref(), ui)
        }
        RegistryCommand::History { service_id } => {
            let history = open_store_existing(global)?.history(&service_id)?;
            if ui.is_json() {
                ui.json(Schema::RegistryHistory, &history)?;
                return Ok(Exit::Success);
            }
            let mut table = ui.table(&["VERSION", "HASH", "ADDED", "BY", "HOW", "REPLACED"]);
            for v in &history.versions {
                let replaced = match &v.replaced {
                    None => "active".to_string(),
                    Some(r) => match &r.version {
                        Some(version) => format!("{} by {version} at {} ({})", r.how, r.at, r.by),
                        None => format!("removed at {} ({})", r.at, r.by),
                    },
                };
                table.add_row(vec![
                    v.version.clone(),
                    short_hash(&v.hash),
                    v.added_at.clone(),
                    v.added_by.clone(),
                    v.how.clone(),
                    replaced,
                ]);
            }
            ui.table_out(table)?;
            let status_events: Vec<_> = history
                .events
                .iter()
                .filter(|e| e.kind == "status")
                .collect();
            if !status_events.is_empty() {
                let mut table = ui.table(&["STATUS CHANGE", "AT", "BY"]);
                for e in status_events {
                    table.add_row(vec![
                        e.detail.clone().unwrap_or_default(),
                        e.at.clone(),
                        e.actor.clone(),
                    ]);
                }
                ui.line("")?;
                ui.table_out(table)?;
            }
            Ok(Exit::Success)
        }
        RegistryCommand::SetStatus {
            service_id,
            status,
            reason,
            reset_circuit,
        } => {
            let mut store = open_store_existing(global)?;
            let change = change();
            let previous = store.set_status(&service_id, status, reason.as_deref(), &change)?;
            let was_open = if reset_circuit {
                Some(store.reset_circuit(&service_id, &change)?)
            } else {
                None
            };
            if ui.is_json() {
                let mut doc = serde_json::json!({
                    "service_id": service_id,
                    "previous": previous,
                    "status": status,
                    "reason": reason,
                });
                if let Some(was_open) = was_open {
                    doc["circuit_reset"] = serde_json::json!({ "was_open": was_open });
                }
                ui.json(Schema::RegistrySetStatus, &doc)?;
            } else {
                ui.line(format_args!("{service_id}: {previous} -> {status}"))?;
                match was_open {
                    Some(true) => ui.line(format_args!(
                        "{service_id}: circuit reset (closed), h back at 1"
                    ))?,
                    Some(false) => ui.line(format_args!(
                        "{service_id}: circuit was closed; failure counts and h reset"
                    ))?,
                    None => {}
                }
            }
            Ok(Exit::Success)
        }
        RegistryCommand::Remove { service_id } => {
            let mut store = open_store_existing(global)?;
            let version = store.remove_service(&service_id, &change())?;
            if ui.is_json() {
                ui.json(
                    Schema::RegistryRemove,
                    &serde_json::json!({ "service_id": service_id, "removed_version": version }),
                )?;
            } else {
                ui.line(format_args!(
                    "removed {service_id} {version} (history kept: `caio registry history {service_id}`)"
                ))?;
            }
            Ok(Exit::Success)
        }
    }
}

/// Who is acting, for the history: the operating-system user.
pub(super) fn change() -> Change {
    let actor = ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into());
    Change {
        now: jiff::Timestamp::now(),
        actor,
    }
}

#[derive(Serialize)]
struct AddJson<'a> {
    registered: &'a [caio_store::registry::Registration],
}

fn add(paths: &[PathBuf], replace: bool, global: &GlobalArgs, ui: &mut Ui) -> Result<Exit, Error> {
    let run = validated(paths, ui);
    let Some(contracts) = run.contracts() else {
        ui.warn(format_args!(
            "nothing was stored: {} of {} invalid",
            run.invalid(),
            crate::ui::count(run.files.len(), "file", "files")
        ));
        return Ok(Exit::Invalid);
    };
    let new: Vec<NewContract<'_>> = contracts
        .iter()
        .zip(&run.files)
        .map(|(contract, file)| NewContract {
            contract,
            source: &file.report.path,
        })
        .collect();
    let home = resolve_home(global)?;
    let mut store = open_store(global, &home)?;
    let registered = store.add_contracts(&new, replace, &change())?;
    if ui.is_json() {
        ui.json(
            Schema::RegistryAdd,
            &AddJson {
                registered: &registered,
            },
        )?;
        return Ok(Exit::Success);
    }
    let mut table = ui.table(&["SERVICE", "VERSION", "ACTION", "HASH"]);
    for r in &registered {
        let action = match (&r.previous_version, r.action.as_str()) {
            (Some(prev), "upgraded" | "replaced") => format!("{} (was {prev})", r.action.as_str()),
            (_, action) => action.to_string(),
        };
        table.add_row(vec![
            r.service_id.clone(),
            r.version.clone(),
            action,
            short_hash(&r.hash),
        ]);
    }
    ui.table_out(table)?;
    let changed = registered
        .iter()
        .filter(|r| r.action != caio_core::lifecycle::AddAction::Unchanged)
        .count();
    ui.status(format_args!(
        "{changed} of {} stored in {}",
        crate::ui::count(registered.len(), "contract", "contracts"),
        store.path().display()
    ));
    Ok(Exit::Success)
}

/// Validates paths and renders every problem; the run decides what happens next.
fn validated(paths: &[PathBuf], ui: &mut Ui) -> contract::ValidationRun {
    let run = super::contract::validate_with_progress(paths, ui);
    for file in &run.files {
        ui.file_problems(&file.report);
    }
    run
}

/// Stateless `registry list --contracts DIR`: the files, filtered like the registry.
fn from_files(
    dir: &std::path::Path,
    filter: &ListFilter,
    ui: &mut Ui,
) -> Result<Option<Vec<ServiceRecord>>, Error> {
    let run = validated(std::slice::from_ref(&dir.to_path_buf()), ui);
    let Some(contracts) = run.contracts() else {
        return Ok(None);
    };
    let mut services = Vec::new();
    for (c, file) in contracts.into_iter().zip(&run.files) {
        let keep = filter
            .capability
            .as_ref()
            .is_none_or(|cap| c.capabilities.iter().any(|x| &x.kind == cap))
            && filter.tag.as_ref().is_none_or(|t| c.tags.contains(t))
            && filter.status.is_none_or(|s| s == ServiceStatus::Active)
            && filter
                .provider
                .as_ref()
                .is_none_or(|p| c.provider.as_ref() == Some(p));
        if !keep {
            continue;
        }
        let (hash, _) = contract_hash(c).map_err(|e| Error::Write {
            path: file.report.path.clone().into(),
            reason: e.to_string(),
        })?;
        services.push(ServiceRecord {
            service_id: c.service_id.clone(),
            version: c.version.clone(),
            hash,
            status: ServiceStatus::Active,
            status_reason: None,
            status_changed_at: None,
            added_at: String::new(),
            active: true,
            contract: c.clone(),
        });
    }
    services.sort_by(|a, b| a.service_id.cmp(&b.service_id));
    Ok(Some(services))
}
