//! caio's error type and the one table from outcome to process exit code.

use miette::Diagnostic;
use std::path::PathBuf;

/// How a `caio` process ends (SPEC §1). This is the only place exit codes are
/// defined; `--help` and the man page print [`Exit::TABLE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The command did what was asked.
    Success,
    /// The input was invalid or a check failed (invalid contract, invariant
    /// violated, license invalid, trace chain broken, authentication failed).
    Invalid,
    /// The command line could not be parsed.
    Usage,
    /// No eligible service for a route request.
    NoRoute,
    /// Execution failed on every candidate.
    ExecutionFailed,
    /// State error: database locked past the timeout, unreadable, or newer
    /// than this binary; home not usable.
    State,
}

impl Exit {
    pub const fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Invalid => 1,
            Exit::Usage => 2,
            Exit::NoRoute => 3,
            Exit::ExecutionFailed => 4,
            Exit::State => 5,
        }
    }

    /// Every exit code with its meaning, for `--help` and the man page.
    pub const ALL: [(Exit, &'static str); 6] = [
        (Exit::Success, "success"),
        (
            Exit::Invalid,
            "invalid input or failed check (contract, invariant, license, trace, auth)",
        ),
        (Exit::Usage, "usage error (bad command line)"),
        (Exit::NoRoute, "no eligible service for a route request"),
        (
            Exit::ExecutionFailed,
            "execution failed on every candidate (--execute)",
        ),
        (
            Exit::State,
            "state error: database locked, unreadable or newer than caio",
        ),
    ];

    /// The exit-code table as shown at the end of `caio --help`.
    pub fn table() -> String {
        let mut out = String::from("Exit codes:");
        for (exit, meaning) in Exit::ALL {
            out.push_str(&format!("\n  {}  {meaning}", exit.code()));
        }
        out
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e.code())
    }
}

/// Errors that end a command. Problems *inside* user files are not errors of
/// this kind: they are reported as diagnostics and end the command with
/// [`Exit::Invalid`].
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    #[error("cannot write {}: {reason}", path.display())]
    #[diagnostic(
        code(caio::write),
        help("check that the directory exists and is writable")
    )]
    Write { path: PathBuf, reason: String },

    #[error("policy rule `{id}` of --policies differs from the installed rule with that id")]
    #[diagnostic(
        code(caio::policy::conflict),
        help(
            "with a home, its installed policy set always applies and --policies adds rules to it; rename the rule, install it with `caio policy apply`, or route without a home"
        )
    )]
    PolicyConflict { id: String },

    #[error("cannot read the request {path}: {reason}")]
    #[diagnostic(
        code(caio::request),
        help("pass a JSON file, or `-` to read the request from stdin")
    )]
    RequestUnreadable { path: String, reason: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    License(#[from] caio_core::license::Refusal),

    #[error("the copy in {target} does not match the home's database: {reason}")]
    #[diagnostic(
        code(caio::store_copy_unverified),
        help(
            "nothing was kept: the copy was rolled back and the target is empty again; run `caio trace verify --replay` on the home to check the source"
        )
    )]
    CopyUnverified { target: String, reason: String },

    #[error("cannot use the signing key {}: {reason}", path.display())]
    #[diagnostic(code(caio::license::signing_key))]
    VendorKey {
        path: PathBuf,
        reason: String,
        #[help]
        help: &'static str,
    },

    #[error("cannot use the public key {}: {reason}", path.display())]
    #[diagnostic(
        code(caio::license::public_key),
        help("pass the vendor.pub or vendor.pub.pem that `caio license keygen` wrote")
    )]
    PublicKey { path: PathBuf, reason: String },

    #[error("this caio was built with invalid CAIO_VENDOR_KEYS: {reason}")]
    #[diagnostic(
        code(caio::license::embedded_keys),
        help(
            "rebuild with CAIO_VENDOR_KEYS set to the contents of vendor.pub (several separated by commas)"
        )
    )]
    EmbeddedKeys { reason: String },

    #[error("{} already exists", path.display())]
    #[diagnostic(
        code(caio::license::key_exists),
        help(
            "keygen never overwrites a key: licenses signed with it would stop verifying; `caio license issue` signs with the existing one; for another key, choose another --out DIR"
        )
    )]
    KeyExists { path: PathBuf },

    #[error("cannot name the signing key `{name}`: {reason}")]
    #[diagnostic(
        code(caio::license::key_name),
        help(
            "--name takes 1 to 200 characters without control characters, e.g. --name \"Acme Sales\""
        )
    )]
    KeyName { name: String, reason: String },

    #[error("license {id} was revoked on {revoked_at}: a revoked license is not renewed")]
    #[diagnostic(
        code(caio::license::renew_revoked),
        help("issue a new license with `caio license issue --customer {customer} …`")
    )]
    RenewRevoked {
        id: String,
        revoked_at: String,
        customer: String,
    },

    #[error("cannot read {what} {path}: {reason}")]
    #[diagnostic(
        code(caio::license::input),
        help("pass the file caio wrote, or the text itself as the argument")
    )]
    LicenseInput {
        what: &'static str,
        path: String,
        reason: String,
    },

    #[error("no trusted vendor key")]
    #[diagnostic(
        code(caio::license::no_trusted_key),
        help(
            "run `caio license trust vendor.pub` with the vendor's public key, or pass --public-key FILE"
        )
    )]
    NoTrustedKey,

    #[error("this caio trusts only the vendor keys built into it ({keys})")]
    #[diagnostic(
        code(caio::license::embedded_only),
        help(
            "keys added to a home are not trusted by a build with embedded keys; ask the vendor for a build with the new key"
        )
    )]
    EmbeddedTrustOnly { keys: String },

    #[error("no trusted vendor key `{key_id}`")]
    #[diagnostic(code(caio::license::unknown_key))]
    UnknownTrustedKey {
        key_id: String,
        #[help]
        help: String,
    },

    #[error("`{feature}` needs a license: {reason}")]
    #[diagnostic(
        code(caio::license::required),
        help(
            "ask your vendor for a license (or a renewal) with this feature and run `caio license install <LICENSE>`; `caio license status` shows what is installed"
        )
    )]
    Unlicensed {
        feature: &'static str,
        reason: String,
    },

    #[error(
        "the environment variable `{variable}` is not set (service `{service_id}` authenticates with it)"
    )]
    #[diagnostic(
        code(caio::execute::missing_secret),
        help(
            "export {variable}=… in the environment of `caio route --execute`; caio reads secrets from the environment only and never stores them"
        )
    )]
    MissingSecret {
        variable: String,
        service_id: String,
    },

    #[error(
        "the environment variable `{variable}` cannot be sent as a header (service `{service_id}`): {why}"
    )]
    #[diagnostic(
        code(caio::execute::unusable_secret),
        help("set {variable} to the credential itself, without quotes or line breaks")
    )]
    UnusableSecret {
        variable: String,
        service_id: String,
        why: String,
    },

    #[error("the payload is not canonical: {path}: {message}")]
    #[diagnostic(code(caio::execute::payload_invalid))]
    PayloadInvalid {
        path: String,
        message: String,
        #[help]
        help: String,
    },

    #[error("service `{service_id}` ({protocol}) was chosen, but {reason}")]
    #[diagnostic(
        code(caio::execute::payload_unsupported),
        help(
            "send a payload this protocol can carry (SPEC §8: chat takes system/messages/…, embeddings take input, transcription takes --input-file), or route with requirements that pick another service"
        )
    )]
    PayloadUnsupported {
        service_id: String,
        protocol: &'static str,
        reason: String,
    },

    #[error("no candidate could be tried: {}", .skipped.join("; "))]
    #[diagnostic(
        code(caio::execute::nothing_to_try),
        help(
            "each candidate is listed with why it was skipped: export the variables named, holding their credentials, in the environment of `caio route --execute` (caio reads secrets from the environment only), send a payload their protocols can carry, or register a service this request can use"
        )
    )]
    NothingToTry {
        /// One entry per candidate: `service: reason`.
        skipped: Vec<String>,
    },

    #[error("service `{service_id}` cannot be called: {reason}")]
    #[diagnostic(
        code(caio::execute::endpoint),
        help("fix the contract's `endpoint` and add it again with `caio registry add`")
    )]
    EndpointUnusable { service_id: String, reason: String },

    #[error("cannot execute: {reason}")]
    #[diagnostic(
        code(caio::execute::unsupported),
        help("route --execute sends a single-step request; route a chain without --execute")
    )]
    ExecutionUnsupported { reason: String },

    #[error("cannot read the input file {path}: {reason}")]
    #[diagnostic(
        code(caio::execute::input_file),
        help("pass a readable regular file of at most 64 MiB with --input-file FILE")
    )]
    InputFileUnreadable { path: String, reason: String },

    #[error("cannot read the payload {path}: {reason}")]
    #[diagnostic(
        code(caio::execute::payload),
        help(
            "pass a readable file with --payload FILE, or put the body in the request's `payload`"
        )
    )]
    PayloadUnreadable { path: String, reason: String },

    #[error("execution failed: {reason}")]
    #[diagnostic(
        code(caio::execute::failed),
        help(
            "every attempt is listed above and in the trace (`caio trace show <decision>`); `caio registry show <service>` shows a service's circuit and stats"
        )
    )]
    ExecutionFailed { reason: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    State(#[from] caio_store::Error),

    #[error("the request's token comes from {sources}, and they disagree")]
    #[diagnostic(
        code(caio::token_conflict),
        help(
            "give the token one way: the request's auth.token, --token-file FILE or CAIO_TOKEN (the request's wins when they agree)"
        )
    )]
    TokenConflict { sources: String },

    #[error("cannot use the token file {}: {reason}", path.display())]
    #[diagnostic(
        code(caio::token_file),
        help(
            "a token file holds one `caio_…` token and only its owner may read it: `chmod 600` it"
        )
    )]
    TokenFile { path: PathBuf, reason: String },

    #[error("cannot write to the terminal: {0}")]
    #[diagnostic(code(caio::output))]
    Output(#[source] std::io::Error),

    /// A command line that does not parse, as reported in JSON mode (the
    /// human report is clap's own).
    #[error("{message}")]
    #[diagnostic(code(caio::usage))]
    Usage {
        message: String,
        #[help]
        help: Option<String>,
    },
}

impl Error {
    /// The one map from error kind to exit code.
    pub fn exit(&self) -> Exit {
        match self {
            Error::State(e) if e.is_state() => Exit::State,
            Error::ExecutionFailed { .. } | Error::NothingToTry { .. } => Exit::ExecutionFailed,
            Error::TokenConflict { .. } | Error::Usage { .. } => Exit::Usage,
            _ => Exit::Invalid,
        }
    }

    /// A clap parse error as a diagnostic: its first paragraph is the
    /// message, the rest (usage, tips) the help.
    pub fn usage(e: &clap::Error) -> Error {
        let text = e.render().to_string();
        let (first, rest) = text.split_once("\n\n").unwrap_or((text.as_str(), ""));
        let first = first.trim().strip_prefix("error:").unwrap_or(first);
        let message = first
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let help = rest.trim();
        Error::Usage {
            message,
            help: (!help.is_empty()).then(|| help.to_string()),
        }
    }

    /// A closed pipe on stdout (`caio … | head`) is not an error worth a report.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_every_code_once_in_order() {
        let codes: Vec<u8> = Exit::ALL.iter().map(|(e, _)| e.code()).collect();
        assert_eq!(codes, [0, 1, 2, 3, 4, 5]);
        let table = Exit::table();
        for (exit, meaning) in Exit::ALL {
            assert!(table.contains(&format!("  {}  {meaning}", exit.code())));
            assert!(meaning.len() + 5 <= 80, "keep help lines short: {meaning}");
        }
    }
}
