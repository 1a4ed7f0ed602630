//! Every kind of JSON document caio prints, with its version and its JSON
//! Schema (draft 2020-12). Each document carries `"schema_version": N`,
//! bumped on a breaking change of that document; `caio schema NAME` prints
//! the schema, so scripts can validate what they parse. The schemas live in
//! `schemas/` and are compiled in.

use clap::ValueEnum;

/// A kind of JSON document caio prints (its name is `caio schema`'s argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Schema {
    /// `caio route --format json`: one decision (with `execution` after `--execute`)
    Route,
    /// `caio route --execute --stream --format json`: each text delta as it arrives (a `route` document follows)
    RouteDelta,
    /// `caio route --batch`: each line, a decision or the error of that input line
    RouteBatchLine,
    /// `caio contract validate --format json`
    ContractValidate,
    /// `caio policy validate --format json`
    PolicyValidate,
    /// `caio policy test --format json`
    PolicyTest,
    /// `caio policy apply --format json`
    PolicyApply,
    /// `caio policy show --format json`
    PolicyShow,
    /// `caio trace show --format json`: a stored record with its place in the chain
    TraceShow,
    /// `caio trace list --format json`
    TraceList,
    /// `caio trace stats --format json`: decisions counted by an audit term
    TraceStats,
    /// `caio trace verify --format json`
    TraceVerify,
    /// `caio trace replay --format json`
    TraceReplay,
    /// `caio trace checkpoint --format json`
    TraceCheckpoint,
    /// `caio trace rekey --format json`
    TraceRekey,
    /// `caio trace export`: each line
    TraceExportLine,
    /// `caio trace prune --format json`: what was archived and removed
    TracePrune,
    /// `caio trace outcome --format json`: the outcome record appended
    TraceOutcome,
    /// `caio trace outcome --batch`: each line, the outcome recorded or why it was refused
    TraceOutcomeLine,
    /// `caio verify-invariants --format json` and its `--out` file
    Scorecard,
    /// `caio slo --format json`: each service against its contract over a window
    Slo,
    /// `caio registry add --format json`
    RegistryAdd,
    /// `caio registry list --format json`
    RegistryList,
    /// `caio registry show --format json`
    RegistryShow,
    /// `caio registry history --format json`
    RegistryHistory,
    /// `caio registry set-status --format json`
    RegistrySetStatus,
    /// `caio registry remove --format json`
    RegistryRemove,
    /// `caio principal add --format json`
    PrincipalAdd,
    /// `caio principal list --format json`
    PrincipalList,
    /// `caio principal revoke --format json`
    PrincipalRevoke,
    /// `caio license keygen --format json`
    LicenseKeygen,
    /// `caio license issue --format json` (and `license renew`)
    LicenseIssue,
    /// `caio license show --format json`
    LicenseShow,
    /// `caio license list --format json`
    LicenseList,
    /// `caio license verify --format json`
    LicenseVerify,
    /// `caio license revoke --format json`
    LicenseRevoke,
    /// `caio license revocations --format json`
    LicenseRevocations,
    /// `caio license trust --format json`
    LicenseTrust,
    /// `caio license untrust --format json`
    LicenseUntrust,
    /// `caio license install --format json`
    LicenseInstall,
    /// `caio license uninstall --format json`
    LicenseUninstall,
    /// `caio license status --format json`
    LicenseStatus,
    /// `caio init --format json`
    Init,
    /// `caio store migrate --format json`
    StoreMigrate,
    /// An error on stderr in JSON mode (usage errors included)
    Error,
}

impl Schema {
    /// The `schema_version` of this kind of document.
    pub const fn version(self) -> u32 {
        1
    }

    /// The name `caio schema` takes.
    pub fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }

    /// `document` with this kind's `schema_version` first, ready to
    /// serialise; `document` must serialise as an object.
    pub fn wrap<T: ?Sized>(self, document: &T) -> Versioned<'_, T> {
        Versioned {
            schema_version: self.version(),
            document,
        }
    }

    /// Every kind, in the order `caio schema --help` lists them.
    pub fn all() -> &'static [Schema] {
        Schema::value_variants()
    }

    /// The JSON Schema (draft 2020-12) of this kind of document.
    pub fn text(self) -> &'static str {
        match self {
            Schema::Route => include_str!("../../schemas/route.json"),
            Schema::RouteDelta => include_str!("../../schemas/route-delta.json"),
            Schema::RouteBatchLine => include_str!("../../schemas/route-batch-line.json"),
            Schema::ContractValidate => include_str!("../../schemas/contract-validate.json"),
            Schema::PolicyValidate => include_str!("../../schemas/policy-validate.json"),
            Schema::PolicyTest => include_str!("../../schemas/policy-test.json"),
            Schema::PolicyApply => include_str!("../../schemas/policy-apply.json"),
            Schema::PolicyShow => include_str!("../../schemas/policy-show.json"),
            Schema::TraceShow => include_str!("../../schemas/trace-show.json"),
            Schema::TraceList => include_str!("../../schemas/trace-list.json"),
            Schema::TraceStats => include_str!("../../schemas/trace-stats.json"),
            Schema::TraceVerify => include_str!("../../schemas/trace-verify.json"),
            Schema::TraceReplay => include_str!("../../schemas/trace-replay.json"),
            Schema::TraceCheckpoint => include_str!("../../schemas/trace-checkpoint.json"),
            Schema::TraceRekey => include_str!("../../schemas/trace-rekey.json"),
            Schema::TraceExportLine => include_str!("../../schemas/trace-export-line.json"),
            Schema::TracePrune => include_str!("../../schemas/trace-prune.json"),
            Schema::TraceOutcome => include_str!("../../schemas/trace-outcome.json"),
            Schema::TraceOutcomeLine => include_str!("../../schemas/trace-outcome-line.json"),
            Schema::Scorecard => include_str!("../../schemas/scorecard.json"),
            Schema::Slo => include_str!("../../schemas/slo.json"),
            Schema::RegistryAdd => include_str!("../../schemas/registry-add.json"),
            Schema::RegistryList => include_str!("../../schemas/registry-list.json"),
            Schema::RegistryShow => include_str!("../../schemas/registry-show.json"),
            Schema::RegistryHistory => include_str!("../../schemas/registry-history.json"),
            Schema::RegistrySetStatus => include_str!("../../schemas/registry-set-status.json"),
            Schema::RegistryRemove => include_str!("../../schemas/registry-remove.json"),
            Schema::PrincipalAdd => include_str!("../../schemas/principal-add.json"),
            Schema::PrincipalList => include_str!("../../schemas/principal-list.json"),
            Schema::PrincipalRevoke => include_str!("../../schemas/principal-revoke.json"),
            Schema::LicenseKeygen => include_str!("../../schemas/license-keygen.json"),
            Schema::LicenseIssue => include_str!("../../schemas/license-issue.json"),
            Schema::LicenseShow => include_str!("../../schemas/license-show.json"),
            Schema::LicenseList => include_str!("../../schemas/license-list.json"),
            Schema::LicenseVerify => include_str!("../../schemas/license-verify.json"),
            Schema::LicenseRevoke => include_str!("../../schemas/license-revoke.json"),
            Schema::LicenseRevocations => include_str!("../../schemas/license-revocations.json"),
            Schema::LicenseTrust => include_str!("../../schemas/license-trust.json"),
            Schema::LicenseUntrust => include_str!("../../schemas/license-untrust.json"),
            Schema::LicenseInstall => include_str!("../../schemas/license-install.json"),
            Schema::LicenseUninstall => include_str!("../../schemas/license-uninstall.json"),
            Schema::LicenseStatus => include_str!("../../schemas/license-status.json"),
            Schema::Init => include_str!("../../schemas/init.json"),
            Schema::StoreMigrate => include_str!("../../schemas/store-migrate.json"),
            Schema::Error => include_str!("../../schemas/error.json"),
        }
    }
}

/// A document with its `schema_version` first.
#[derive(serde::Serialize)]
pub struct Versioned<'a, T: ?Sized> {
    schema_version: u32,
    #[serde(flatten)]
    document: &'a T,
}
