//! `caio principal add|list|revoke`.

use super::{GlobalArgs, open_store, open_store_existing, resolve_home};
use crate::error::{Error, Exit};
use crate::ui::{Schema, Ui};
use caio_core::contract::{Trust, schema::NAME};
use caio_core::principal::Principal;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum PrincipalCommand {
    /// Create a principal and print its token (shown once, never stored in clear)
    Add {
        /// Unique name of the principal (a person, team or service; not `anonymous`)
        #[arg(value_parser = parse_principal_name)]
        name: String,
        /// Tenant the principal belongs to
        #[arg(long, value_parser = parse_name)]
        tenant: Option<String>,
        /// Roles, comma-separated
        #[arg(long, value_delimiter = ',', value_parser = parse_name)]
        roles: Vec<String>,
        /// Verified trust level
        #[arg(long, value_enum)]
        trust: Trust,
    },

    /// List principals (never their tokens)
    List,

    /// Revoke a principal's token; requests carrying it are refused
    Revoke {
        /// The principal (`caio principal list` shows them)
        #[arg(add = clap_complete::ArgValueCandidates::new(super::complete::principals))]
        name: String,
    },
}

fn parse_name(s: &str) -> Result<String, String> {
    if (NAME.check)(s) {
        Ok(s.to_string())
    } else {
        Err(format!("`{s}` is not {}", NAME.describe))
    }
}

fn parse_principal_name(s: &str) -> Result<String, String> {
    if s == caio_core::principal::ANONYMOUS {
        return Err(format!(
            "`{s}` is reserved: it names the caller of a request without a token"
        ));
    }
    parse_name(s)
}

pub fn run(cmd: PrincipalCommand, global: &GlobalArgs, ui: &mut Ui) -> Result<Exit, Error> {
    match cmd {
        PrincipalCommand::Add {
            name,
            tenant,
            mut roles,
            trust,
        } => {
            roles.sort();
            roles.dedup();
            let home = resolve_home(global)?;
            let mut store = open_store(global, &home)?;
            let principal = Principal {
                name,
                tenant,
                roles,
                trust,
            };
            let created = store.add_principal(&home, &principal, jiff::Timestamp::now())?;
            if ui.is_json() {
                ui.json(Schema::PrincipalAdd, &created)?;
            } else {
                ui.line(&created.token)?;
                ui.status(format_args!(
                    "created principal `{}`; the token above is shown once: store it now \
                     (requests send it as \"auth\": {{\"token\": …}})",
                    created.name
                ));
            }
            Ok(Exit::Success)
        }
        PrincipalCommand::List => {
            let principals = open_store_existing(global)?.list_principals()?;
            if ui.is_json() {
                ui.json(
                    Schema::PrincipalList,
                    &serde_json::json!({ "principals": principals }),
                )?;
                return Ok(Exit::Success);
            }
            if principals.is_empty() {
                ui.status("no principals; create one with `caio principal add`");
                return Ok(Exit::Success);
            }
            let mut table = ui.table(&["NAME", "TENANT", "ROLES", "TRUST", "CREATED", "STATUS"]);
            for p in &principals {
                table.add_row(vec![
                    p.name.clone(),
                    p.tenant.clone().unwrap_or_else(|| "-".into()),
                    if p.roles.is_empty() {
                        "-".into()
                    } else {
                        p.roles.join(",")
                    },
                    format!("{:?}", p.trust).to_lowercase(),
                    p.created_at.clone(),
                    match &p.revoked_at {
                        Some(at) => format!("revoked {at}"),
                        None => "active".into(),
                    },
                ]);
            }
            ui.table_out(table)?;
            Ok(Exit::Success)
        }
        PrincipalCommand::Revoke { name } => {
            let mut store = open_store_existing(global)?;
            let changed = store.revoke_principal(&name, jiff::Timestamp::now())?;
            if ui.is_json() {
                ui.json(
                    Schema::PrincipalRevoke,
                    &serde_json::json!({ "name": name, "revoked": true, "changed": changed }),
                )?;
            } else if changed {
                ui.line(format_args!("revoked principal `{name}`"))?;
            } else {
                ui.line(format_args!("principal `{name}` was already revoked"))?;
            }
            Ok(Exit::Success)
        }
    }
}
