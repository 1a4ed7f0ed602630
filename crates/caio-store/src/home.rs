//! Where caio keeps its state (SPEC §1): `--home DIR` > `CAIO_HOME` >
//! `$XDG_DATA_HOME/caio` > `$HOME/.local/share/caio`.

use crate::error::Error;
use std::path::{Path, PathBuf};

/// The state directory: holds `caio.db` and `keys/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    /// The directory itself.
    pub path: PathBuf,
}

/// The environment the home is resolved from, so resolution stays a pure function.
#[derive(Debug, Clone, Default)]
pub struct HomeEnv {
    xdg_data_home: Option<PathBuf>,
    home: Option<PathBuf>,
}

impl HomeEnv {
    /// `XDG_DATA_HOME` and `HOME` of this process.
    pub fn from_process() -> HomeEnv {
        HomeEnv {
            xdg_data_home: std::env::var_os("XDG_DATA_HOME").map(PathBuf::from),
            home: std::env::var_os("HOME").map(PathBuf::from),
        }
    }
}

impl Home {
    /// `explicit` is `--home` or `CAIO_HOME` (clap merges the two, flag first).
    pub fn resolve(explicit: Option<&Path>, env: &HomeEnv) -> Result<Home, Error> {
        let usable = |p: &PathBuf| !p.as_os_str().is_empty();
        let path = if let Some(p) = explicit.filter(|p| !p.as_os_str().is_empty()) {
            p.to_path_buf()
        } else if let Some(xdg) = env
            .xdg_data_home
            .as_ref()
            .filter(|p| usable(p) && p.is_absolute())
        {
            xdg.join("caio")
        } else if let Some(home) = env.home.as_ref().filter(|p| usable(p)) {
            home.join(".local/share/caio")
        } else {
            return Err(Error::NoHome);
        };
        Ok(Home { path })
    }

    /// `keys/`: the home's secret key files and published public keys.
    pub fn keys_dir(&self) -> PathBuf {
        self.path.join("keys")
    }

    /// `caio.db`, the database.
    pub fn db_path(&self) -> PathBuf {
        self.path.join("caio.db")
    }

    /// Creates the home and `keys/` with mode 0700. Idempotent: returns whether
    /// anything was created.
    pub(crate) fn create(&self) -> Result<bool, Error> {
        let mut created = false;
        for dir in [self.path.clone(), self.keys_dir()] {
            match std::fs::metadata(&dir) {
                Ok(meta) if meta.is_dir() => {}
                Ok(_) => {
                    return Err(Error::Home {
                        path: dir,
                        reason: "it exists and is not a directory".into(),
                    });
                }
                Err(_) => {
                    create_private_dir(&dir).map_err(|e| Error::Home {
                        path: dir.clone(),
                        reason: e.to_string(),
                    })?;
                    created = true;
                }
            }
        }
        Ok(created)
    }
}

#[cfg(unix)]
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn env(xdg: Option<&str>, home: Option<&str>) -> HomeEnv {
        HomeEnv {
            xdg_data_home: xdg.map(PathBuf::from),
            home: home.map(PathBuf::from),
        }
    }

    #[test]
    fn precedence() {
        let e = env(Some("/xdg"), Some("/u"));
        assert_eq!(
            Home::resolve(Some(Path::new("/flag")), &e).unwrap().path,
            PathBuf::from("/flag")
        );
        assert_eq!(
            Home::resolve(None, &e).unwrap().path,
            PathBuf::from("/xdg/caio")
        );
        assert_eq!(
            Home::resolve(None, &env(None, Some("/u"))).unwrap().path,
            PathBuf::from("/u/.local/share/caio")
        );
        // A relative XDG_DATA_HOME is invalid per the XDG spec and ignored.
        assert_eq!(
            Home::resolve(None, &env(Some("rel"), Some("/u")))
                .unwrap()
                .path,
            PathBuf::from("/u/.local/share/caio")
        );
        assert!(matches!(
            Home::resolve(None, &env(None, None)),
            Err(Error::NoHome)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn create_is_private_and_idempotent() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let home = Home {
            path: tmp.path().join("a/caio"),
        };
        assert!(home.create().unwrap());
        assert!(!home.create().unwrap());
        let mode = std::fs::metadata(&home.path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        let mode = std::fs::metadata(home.keys_dir())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }
}
