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
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
