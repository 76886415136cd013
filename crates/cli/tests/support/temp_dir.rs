//! A directory that exists for one test, shared by the CLI's test binaries (`#[path]` modules).

use std::path::PathBuf;

/// A fresh directory under the system's temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// Creates `digigate-{label}-{random}`.
    pub fn new(label: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("digigate-{label}-{}", rand::random::<u64>()));
        std::fs::create_dir(&dir).unwrap();
        TempDir(dir)
    }

    /// Writes `contents` to `name` in the directory; returns its path.
    #[allow(dead_code)] // not every test binary that includes this module writes files
    pub fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// The key files a production-like `digigate serve` reads (`*_FILE` variables): a master
    /// key and a JWT secret of fixed bytes, so that several processes (instances, a restart)
    /// share them, and the DigiLocker client secret `client_secret`.
    #[allow(dead_code)] // used by the binaries that start several or restarted servers
    pub fn key_files(&self, client_secret: &str) -> [(&'static str, PathBuf); 3] {
        let b64 = |byte: u8| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode([byte; 32])
        };
        [
            (
                "DIGIGATE_MASTER_KEY_FILE",
                self.file("master.key", &format!("{}\n", b64(7))),
            ),
            (
                "DIGIGATE_JWT_SECRET_FILE",
                self.file("jwt.key", &format!("{}\n", b64(9))),
            ),
            (
                "DIGIGATE_DIGILOCKER_CLIENT_SECRET_FILE",
                self.file("client-secret", &format!("{client_secret}\n")),
            ),
        ]
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
