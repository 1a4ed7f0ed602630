//! The [`Transport`] that talks to real services: ureq 3 over rustls
//! (webpki roots), so `https://` endpoints work without a system TLS
//! library.
//!
//! The agent never follows redirects (a redirect could carry the auth
//! header to another host; a 3xx is reported instead), never turns a status
//! into an error (caio judges statuses itself), and bounds the whole
//! exchange, body included, by the call's timeout.

use super::{Call, ErrorClass, Failure, Reply, Transport};
use std::io::{ErrorKind, Read};

/// The largest response body caio reads.
pub const MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// ureq with caio's settings; one per process (it pools connections).
pub struct UreqTransport {
    agent: ureq::Agent,
}

impl Default for UreqTransport {
    fn default() -> Self {
        UreqTransport::new()
    }
}

impl UreqTransport {
    pub fn new() -> UreqTransport {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(concat!("caio/", env!("CARGO_PKG_VERSION")))
            .build();
        UreqTransport {
            agent: ureq::Agent::new_with_config(config),
        }
    }
}

impl Transport for UreqTransport {
    fn send(&self, call: &Call<'_>) -> Result<Reply, Failure> {
        let mut builder = ureq::http::Request::builder()
            .method(call.method)
            .uri(call.url);
        for h in call.headers {
            let mut value = ureq::http::HeaderValue::from_str(h.value()).map_err(|_| {
                Failure::new(
                    ErrorClass::Request,
                    format!(
                        "the value of header `{}` is not a valid header value",
                        h.name
                    ),
                )
            })?;
            value.set_sensitive(h.secret);
            builder = builder.header(h.name.as_str(), value);
        }
        let request = builder
            .body(call.body)
            .map_err(|e| Failure::new(ErrorClass::Request, e.to_string()))?;
        let request = self
            .agent
            .configure_request(request)
            .timeout_global(Some(call.timeout))
            .build();
        let response = self.agent.run(request).map_err(failure)?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let status = response.status().as_u16();
        let retry_after = header("retry-after");
        let content_type = header("content-type");
        let reader = response
            .into_body()
            .into_with_config()
            .limit(MAX_RESPONSE_BYTES)
            .reader();
        Ok(Reply {
            status,
            retry_after,
            content_type,
            body: Box::new(Classified(reader)),
        })
    }
}

/// A body reader whose errors carry caio's [`Failure`] (timeout, broken
/// connection, too large), as ureq knows them.
struct Classified<R>(R);

impl<R: Read> Read for Classified<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            let kind = e.kind();
            let f = match e.into_inner() {
                Some(inner) => match inner.downcast::<ureq::Error>() {
                    Ok(ureq_error) => failure(*ureq_error),
                    Err(other) => Failure::new(ErrorClass::Network, other.to_string()),
                },
                None => Failure::new(
                    if kind == ErrorKind::TimedOut {
                        ErrorClass::Timeout
                    } else {
                        ErrorClass::Network
                    },
                    kind.to_string(),
                ),
            };
            std::io::Error::new(kind, f)
        })
    }
}

/// Sorts ureq's errors into caio's classes. Messages name no header value.
fn failure(e: ureq::Error) -> Failure {
    use ureq::Error as E;
    let class = match &e {
        E::Timeout(_) => ErrorClass::Timeout,
        E::HostNotFound | E::ConnectionFailed => ErrorClass::Connect,
        E::Io(io) => match io.kind() {
            ErrorKind::ConnectionRefused
            | ErrorKind::AddrNotAvailable
            | ErrorKind::NetworkUnreachable
            | ErrorKind::HostUnreachable => ErrorClass::Connect,
            ErrorKind::TimedOut | ErrorKind::WouldBlock => ErrorClass::Timeout,
            _ => ErrorClass::Network,
        },
        E::Tls(_) | E::Rustls(_) | E::Pem(_) => ErrorClass::Tls,
        E::Protocol(_) | E::TooManyRedirects | E::RedirectFailed => ErrorClass::Protocol,
        E::BadUri(_) | E::Http(_) | E::InvalidProxyUrl => ErrorClass::Request,
        E::BodyExceedsLimit(_) => ErrorClass::TooLarge,
        _ => ErrorClass::Network,
    };
    let detail = match &e {
        E::BodyExceedsLimit(_) => format!("the response is larger than {MAX_RESPONSE_BYTES} bytes"),
        other => other.to_string(),
    };
    Failure::new(class, detail)
}
