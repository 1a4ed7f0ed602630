//! A real PostgreSQL server for the fleet-store tests (SPEC §15).
//!
//! The server is initialised with `initdb` in a temporary directory (as the
//! `postgres` user when the tests run as root: initdb refuses root), with a
//! random password (SCRAM) for TCP connections and a TLS certificate made
//! with `openssl` for `localhost` (signed by a throwaway CA), then started
//! with `pg_ctl` on a free 127.0.0.1 port.
//!
//! One server is shared by the whole test binary ([`PgServer::shared`]): it
//! starts on first use and a watchdog process stops it and removes its
//! directory once the test process has exited. A test that restarts or
//! stops a server starts its own ([`PgServer::dedicated`]), stopped when
//! dropped.
//!
//! The binaries come from `CAIO_TEST_PG_BIN` or the newest
//! `/usr/lib/postgresql/*/bin` (Debian's `postgresql` package, which
//! `.ci/run` installs). Without them a test prints why and passes, except
//! under `CI=true`, where it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct PgServer {
    /// The temporary directory: data, socket, log, certificates.
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    password: String,
    /// `postgres` when the tests run as root.
    run_as: Option<String>,
    /// Whether dropping this value stops the server (not the shared one).
    owned: bool,
}

/// The database role the tests connect as.
const USER: &str = "caio";

impl PgServer {
    /// The server shared by this test binary; `None` (after saying why)
    /// when none can be started outside CI.
    pub fn shared() -> Option<&'static PgServer> {
        static SHARED: OnceLock<Result<PgServer, String>> = OnceLock::new();
        let server = SHARED.get_or_init(|| {
            let server = PgServer::start(false)?;
            server.watch_parent()?;
            Ok(server)
        });
        match server {
            Ok(server) => Some(server),
            Err(e) => unavailable(e),
        }
    }

    /// A server of the calling test's own, stopped when dropped.
    pub fn dedicated() -> Option<PgServer> {
        match PgServer::start(true) {
            Ok(server) => Some(server),
            Err(e) => unavailable(&e),
        }
    }

    /// A URL naming `database` on this server, with the password.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{USER}:{}@127.0.0.1:{}/{database}",
            self.password, self.port
        )
    }

    /// The password in the URLs (tests check it is never printed).
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The CA certificate that signed the server's certificate (PEM).
    pub fn ca_file(&self) -> PathBuf {
        self.dir.join("ca.crt")
    }

    /// A new, empty database; returns its URL.
    pub fn create_database(&self) -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "caio_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        self.sql("postgres", &format!("CREATE DATABASE {name}"));
        self.url(&name)
    }

    /// A client connected to `url` (for setting up and inspecting state).
    pub fn client(&self, url: &str) -> postgres::Client {
        postgres::Client::connect(url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("connect to the test server: {e}"))
    }

    /// Runs `sql` (statements separated by `;`) in database `database`.
    pub fn sql(&self, database: &str, sql: &str) {
        self.client(&self.url(database))
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Restarts the server (`pg_ctl restart -m fast`): every session ends.
    pub fn restart(&self) {
        self.pg_ctl(&[
            "restart",
            "-m",
            "fast",
            "-w",
            "-t",
            "60",
            "-o",
            &self.options(),
        ])
        .unwrap_or_else(|e| panic!("restart the test server: {e}"));
    }

    fn start(owned: bool) -> Result<PgServer, String> {
        let bin = bin_dir()?;
        let dir = tempfile::Builder::new()
            .prefix("caio-pg-")
            .tempdir_in(if Path::new("/tmp").is_dir() {
                PathBuf::from("/tmp")
            } else {
                std::env::temp_dir()
            })
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?
            .keep();
        let run_as = running_as_root().then(|| "postgres".to_string());
        let password = random_hex(16)?;
        let mut server = PgServer {
            dir,
            bin,
            port: 0,
            password,
            run_as,
            owned,
        };
        let started = server.initialise().and_then(|()| {
            // A port free a moment ago may be taken before the server binds
            // it: try a few.
            let mut last = String::new();
            for _ in 0..3 {
                server.port = free_port()?;
                match server.pg_ctl(&["start", "-w", "-t", "60", "-o", &server.options()]) {
                    Ok(()) => return Ok(()),
                    Err(e) => last = e,
                }
            }
            Err(last)
        });
        match started {
            Ok(()) => Ok(server),
            // Dropping an owned server cleans up; the shared one by hand.
            Err(e) => {
                if !owned {
                    let _ = server.pg_ctl(&["stop", "-m", "immediate"]);
                    let _ = std::fs::remove_dir_all(&server.dir);
                }
                Err(e)
            }
        }
    }

    fn initialise(&self) -> Result<(), String> {
        let pwfile = self.dir.join("pwfile");
        std::fs::write(&pwfile, &self.password).map_err(|e| format!("write the pwfile: {e}"))?;
        certificates(&self.dir)?;
        if let Some(user) = &self.run_as {
            chown_tree(&self.dir, user)?;
        }
        let data = self.data();
        self.run(
            "initdb",
            &[
                "-D",
                path_str(&data)?,
                "-U",
                USER,
                &format!("--pwfile={}", path_str(&pwfile)?),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        )
    }

    fn options(&self) -> String {
        let dir = self.dir.display();
        format!(
            "-p {} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off \
             -c full_page_writes=off -c max_connections=200 -c ssl=on \
             -c ssl_cert_file={dir}/server.crt -c ssl_key_file={dir}/server.key",
            self.port
        )
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn pg_ctl(&self, args: &[&str]) -> Result<(), String> {
        let data = self.data();
        let log = self.dir.join("server.log");
        let mut all = vec!["-D", path_str(&data)?, "-l", path_str(&log)?];
        all.extend_from_slice(args);
        self.run("pg_ctl", &all).map_err(|e| {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            format!("{e}\nserver log:\n{log}")
        })
    }

    /// Runs one of the server's programs (as `postgres` when root).
    fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let exe = self.bin.join(program);
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        let out = cmd
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{program} {} failed ({}):\n{}{}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// Starts a process that waits for this test process to end, then
    /// stops the server and removes its directory.
    fn watch_parent(&self) -> Result<(), String> {
        let stop = match &self.run_as {
            Some(user) => format!("runuser -u {user} -- "),
            None => String::new(),
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; \
             {stop}'{pg_ctl}' -D '{data}' -m immediate stop >/dev/null 2>&1; rm -rf '{dir}'",
            pid = std::process::id(),
            pg_ctl = self.bin.join("pg_ctl").display(),
            data = self.data().display(),
            dir = self.dir.display(),
        );
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map(drop)
            .map_err(|e| format!("cannot start the watchdog: {e}"))
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if self.owned {
            let _ = self.pg_ctl(&["stop", "-m", "immediate", "-w"]);
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// What a test does when no server can be started: fail under CI, else
/// say so and let the test pass without checking anything.
fn unavailable<T>(reason: &str) -> Option<T> {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "CI=true: the PostgreSQL tests need a server, and none could be started: {reason}\n\
             (.ci/run installs Debian's `postgresql` package)"
        );
    }
    eprintln!("skipping a PostgreSQL test: no server could be started: {reason}");
    None
}

fn bin_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("CAIO_TEST_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|e| format!("no /usr/lib/postgresql ({e}); install the `postgresql` package"))?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| "no initdb under /usr/lib/postgresql/*/bin".to_string())
}

fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn chown_tree(dir: &Path, user: &str) -> Result<(), String> {
    let out = Command::new("chown")
        .args(["-R", user])
        .arg(dir)
        .output()
        .map_err(|e| format!("cannot run chown: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "chown -R {user} {} failed: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// A CA and a server certificate for `localhost` signed by it.
fn certificates(dir: &Path) -> Result<(), String> {
    let openssl = |args: &[&str]| -> Result<(), String> {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run openssl: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "openssl {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=caio test CA",
    ])?;
    openssl(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ])?;
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .map_err(|e| format!("write server.ext: {e}"))?;
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "server.ext",
    ])?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        dir.join("server.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .map_err(|e| format!("chmod server.key: {e}"))
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn random_hex(bytes: usize) -> Result<String, String> {
    use std::io::Read;
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| format!("read /dev/urandom: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

fn path_str(path: &Path) -> Result<&str, String> {
    path.to_str()
        .ok_or_else(|| format!("{} is not UTF-8", path.display()))
}
