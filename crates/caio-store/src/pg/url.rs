//! The database URL (`--database` / `CAIO_DATABASE_URL`): libpq's URL form,
//! `postgres://[user[:password]@]host[:port]/dbname[?param=value&…]`, with
//! the TLS modes of libpq (`sslmode=disable|prefer|require|verify-ca|
//! verify-full`, `sslrootcert=FILE|system`). The password is kept out of
//! every message: a URL displays without it.

use crate::error::Error;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;
use zeroize::Zeroizing;

/// How the connection is encrypted and the server checked (libpq's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// No TLS.
    Disable,
    /// TLS when the server offers it, the certificate unchecked (libpq's
    /// default).
    Prefer,
    /// TLS or no connection; the certificate is checked against
    /// `sslrootcert` when one is given (as libpq does), else unchecked.
    Require,
    /// TLS, the certificate chain checked against the roots, not the name.
    VerifyCa,
    /// TLS, the certificate chain and the server's name checked.
    VerifyFull,
}

/// Where the trusted roots come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCerts {
    /// The Mozilla roots compiled into caio (`sslrootcert=system`, or no
    /// `sslrootcert`).
    System,
    /// The PEM certificates of a file.
    File(std::path::PathBuf),
}

/// A PostgreSQL URL. Its `Display` and `Debug` leave the password out.
#[derive(Clone)]
pub struct DatabaseUrl {
    /// What the driver parses: the URL without the TLS parameters caio
    /// handles itself.
    driver: Zeroizing<String>,
    shown: String,
    pub(crate) ssl: SslMode,
    pub(crate) root_certs: Option<RootCerts>,
    /// The parameters the URL sets itself (caio's defaults apply to the
    /// others).
    given: Vec<String>,
}

/// The default limit on connecting (per address tried).
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl DatabaseUrl {
    /// Parses a URL; the error never repeats the password.
    pub fn parse(text: &str) -> Result<DatabaseUrl, Error> {
        let text = text.trim();
        let rest = text
            .strip_prefix("postgres://")
            .or_else(|| text.strip_prefix("postgresql://"))
            .ok_or_else(|| {
                invalid(
                    text,
                    "it must start with postgres:// or postgresql://".into(),
                )
            })?;
        let (base, query) = match rest.split_once('?') {
            Some((base, query)) => (base, Some(query)),
            None => (rest, None),
        };
        let mut ssl = SslMode::Prefer;
        let mut root_certs = None;
        let mut kept = Vec::new();
        let mut given = Vec::new();
        for pair in query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .filter(|p| !p.is_empty())
        {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "sslmode" => {
                    ssl = match decode(value).as_str() {
                        "disable" => SslMode::Disable,
                        "allow" | "prefer" => SslMode::Prefer,
                        "require" => SslMode::Require,
                        "verify-ca" => SslMode::VerifyCa,
                        "verify-full" => SslMode::VerifyFull,
                        other => {
                            return Err(invalid(
                                text,
                                format!(
                                    "unknown sslmode `{other}`; use disable, prefer, require, verify-ca or verify-full"
                                ),
                            ));
                        }
                    }
                }
                "sslrootcert" => {
                    let value = decode(value);
                    root_certs = Some(if value == "system" {
                        RootCerts::System
                    } else {
                        RootCerts::File(value.into())
                    });
                }
                "password" => {
                    return Err(invalid(
                        text,
                        "give the password in the user part (postgres://user:password@host/db) or in PGPASSWORD, not as a parameter".into(),
                    ));
                }
                _ => {
                    given.push(key.to_string());
                    kept.push(pair);
                }
            }
        }
        let mut driver = Zeroizing::new(format!("postgres://{base}"));
        let driver_ssl = match ssl {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => "require",
        };
        kept.push(match driver_ssl {
            "disable" => "sslmode=disable",
            "prefer" => "sslmode=prefer",
            _ => "sslmode=require",
        });
        driver.push('?');
        driver.push_str(&kept.join("&"));
        let config = postgres::Config::from_str(&driver)
            .map_err(|e| invalid(text, without_secrets(&e.to_string(), text)))?;
        if config.get_hosts().is_empty() {
            return Err(invalid(text, "it names no host".into()));
        }
        if config.get_dbname().is_none() {
            return Err(invalid(text, "it names no database (…/DBNAME)".into()));
        }
        let shown = shown(&config);
        Ok(DatabaseUrl {
            driver,
            shown,
            ssl,
            root_certs,
            given,
        })
    }

    /// What tells two URLs apart for reusing a connection (the parsed
    /// form, password included; never shown).
    pub(crate) fn identity(&self) -> &str {
        &self.driver
    }

    /// Whether the URL sets parameter `key` itself.
    pub(crate) fn sets(&self, key: &str) -> bool {
        self.given.iter().any(|k| k == key)
    }

    /// The driver's configuration; a password in `PGPASSWORD` applies when
    /// the URL has none.
    pub(crate) fn config(&self) -> Result<postgres::Config, Error> {
        let mut config = postgres::Config::from_str(&self.driver)
            .map_err(|e| invalid(&self.shown, without_secrets(&e.to_string(), &self.driver)))?;
        if config.get_password().is_none()
            && let Some(password) = std::env::var_os("PGPASSWORD")
        {
            config.password(password.as_encoded_bytes());
        }
        if config.get_user().is_none()
            && let Some(user) = std::env::var_os("PGUSER").or_else(|| std::env::var_os("USER"))
        {
            config.user(user.to_string_lossy().as_ref());
        }
        Ok(config)
    }
}

/// `postgres://user@host:port/dbname`: what messages show.
fn shown(config: &postgres::Config) -> String {
    use postgres::config::Host;
    let user = config
        .get_user()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let host = match h {
                Host::Tcp(name) if name.contains(':') => format!("[{name}]"),
                Host::Tcp(name) => name.clone(),
                Host::Unix(path) => path.display().to_string(),
            };
            let port = config
                .get_ports()
                .get(i)
                .or_else(|| config.get_ports().first())
                .copied()
                .unwrap_or(5432);
            format!("{host}:{port}")
        })
        .collect();
    format!(
        "postgres://{user}{}/{}",
        hosts.join(","),
        config.get_dbname().unwrap_or_default()
    )
}

/// Percent-decoding of a parameter value.
fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = value.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A driver message, with any part of the URL's user-info removed (the
/// driver's parse errors do not repeat the URL, but stay on the safe side).
fn without_secrets(message: &str, url: &str) -> String {
    let secret = url
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .map(|(_, password)| password)
        .filter(|p| !p.is_empty());
    match secret {
        Some(p) => message.replace(p, "***"),
        None => message.to_string(),
    }
}

/// An invalid URL, shown without its password.
fn invalid(url: &str, reason: String) -> Error {
    Error::DatabaseUrl {
        url: redact_userinfo(url),
        reason,
    }
}

/// `scheme://user:password@rest` → `scheme://user@rest` (best effort, for
/// a URL that did not parse).
pub(crate) fn redact_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "(not a URL)".to_string();
    };
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{user}@{host}")
        }
        None => authority.to_string(),
    };
    let path = path.split('?').next().unwrap_or_default();
    format!("{scheme}://{authority}{path}")
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.shown)
    }
}

impl FromStr for DatabaseUrl {
    type Err = Error;
    fn from_str(s: &str) -> Result<DatabaseUrl, Error> {
        DatabaseUrl::parse(s)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn the_password_is_never_shown() {
        let url =
            DatabaseUrl::parse("postgres://caio:s3cret@db.example:6543/fleet?sslmode=verify-full")
                .unwrap();
        assert_eq!(url.to_string(), "postgres://caio@db.example:6543/fleet");
        assert_eq!(
            format!("{url:?}"),
            "DatabaseUrl(postgres://caio@db.example:6543/fleet)"
        );
        assert_eq!(url.ssl, SslMode::VerifyFull);
        let err = DatabaseUrl::parse("postgres://caio:s3cret@db.example:port/fleet").unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains("s3cret"), "{text}");
        let err = DatabaseUrl::parse("mysql://caio:s3cret@db.example/fleet").unwrap_err();
        assert!(!format!("{err} {err:?}").contains("s3cret"));
    }

    #[test]
    fn tls_parameters_are_caio_s() {
        let url = DatabaseUrl::parse(
            "postgresql://u@h/d?sslmode=require&sslrootcert=%2Fetc%2Fca.pem&connect_timeout=3",
        )
        .unwrap();
        assert_eq!(url.ssl, SslMode::Require);
        assert_eq!(url.root_certs, Some(RootCerts::File("/etc/ca.pem".into())));
        assert!(url.sets("connect_timeout"));
        assert_eq!(
            url.config().unwrap().get_connect_timeout(),
            Some(&Duration::from_secs(3))
        );
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/d").unwrap().ssl,
            SslMode::Prefer
        );
        assert!(DatabaseUrl::parse("postgres://u@h/d?sslmode=bogus").is_err());
        assert!(DatabaseUrl::parse("postgres://u@h/").is_err());
        assert!(DatabaseUrl::parse("postgres://u@h/d?password=x").is_err());
    }

    #[test]
    fn redaction_of_unparsed_urls() {
        assert_eq!(
            redact_userinfo("postgres://a:b@h:1/d?x=y"),
            "postgres://a@h:1/d"
        );
        assert_eq!(redact_userinfo("postgres://h/d"), "postgres://h/d");
        assert_eq!(redact_userinfo("nonsense"), "(not a URL)");
    }
}
