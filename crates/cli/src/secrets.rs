//! Keys and secrets the gateway needs: read from configuration (the value in `VAR`, or a file
//! named by `VAR_FILE`), or in development mode generated once into the data directory.

use anyhow::{bail, Context};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;
use std::path::{Path, PathBuf};

/// A secret as configured: its value, and the file it was read from when it came from `VAR_FILE`.
pub struct ConfiguredSecret {
    /// The secret (trailing line break removed when read from a file).
    pub value: String,
    /// The file named by `VAR_FILE`, if that is where the value came from.
    pub file: Option<PathBuf>,
}

/// The secret configured as `var` (its flag or environment variable, passed in as `value`) or
/// as the file named by the environment variable `{var}_FILE`, as lldap reads its secrets.
/// Both at once is an error, so it is never unclear which one is in force.
pub fn configured_secret(
    var: &str,
    value: Option<String>,
) -> anyhow::Result<Option<ConfiguredSecret>> {
    let file_var = format!("{var}_FILE");
    let file = std::env::var_os(&file_var).filter(|f| !f.is_empty());
    match (value, file) {
        (Some(_), Some(_)) => {
            bail!("{var} and {file_var} are both set: configure the secret one way only")
        }
        (Some(value), None) => Ok(Some(ConfiguredSecret { value, file: None })),
        (None, Some(file)) => {
            let path = PathBuf::from(file);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {file_var} ({})", path.display()))?;
            let value = text
                .strip_suffix('\n')
                .map(|t| t.strip_suffix('\r').unwrap_or(t))
                .unwrap_or(&text)
                .to_owned();
            if value.is_empty() {
                bail!("{file_var} ({}) is empty", path.display());
            }
            Ok(Some(ConfiguredSecret {
                value,
                file: Some(path),
            }))
        }
        (None, None) => Ok(None),
    }
}

/// Decodes a base64 32-byte key.
pub fn decode_key(name: &str, b64: &str) -> anyhow::Result<[u8; 32]> {
    let raw = STANDARD
        .decode(b64.trim())
        .with_context(|| format!("{name} is not valid base64"))?;
    raw.try_into()
        .map_err(|_| anyhow::anyhow!("{name} must decode to exactly 32 bytes"))
}

/// The key configured as `name` (or `name_FILE`), else in development the key in `path`, else
/// (development only) a new random key written to `path` with owner-only permissions.
///
/// Production never reads `path`: a key generated there by development would otherwise be
/// silently reused, sitting beside the database it decrypts. Production refuses to start
/// while such a file is present, unless `name_FILE` names that very file.
pub fn load_or_create_key(
    name: &str,
    configured: Option<&ConfiguredSecret>,
    path: &Path,
    development: bool,
) -> anyhow::Result<[u8; 32]> {
    if !development {
        let configured_here = configured
            .and_then(|c| c.file.as_deref())
            .is_some_and(|f| same_file(f, path));
        if path.exists() && !configured_here {
            bail!(
                "refusing to start in production mode: {} is a key file generated in development \
                 mode. Production keys come only from {name} or {name}_FILE; move the file out \
                 of the data directory (keep it only if data sealed with it must still be read)",
                path.display()
            );
        }
        let Some(configured) = configured else {
            bail!("{name} (or {name}_FILE) is not configured (required in production mode)");
        };
        return decode_key(name, &configured.value);
    }
    if let Some(configured) = configured {
        return decode_key(name, &configured.value);
    }
    if path.exists() {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        return decode_key(name, &text);
    }
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    write_private(path, &STANDARD.encode(key))?;
    tracing::info!(path = %path.display(), "generated {name} for development");
    Ok(key)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

/// `digigate keys rotate-master`: re-seals everything under a new master key in one transaction.
/// The new key file is written (and synced) as `master.key.new` before the database changes and
/// renamed over `master.key` after, so a crash in between leaves both keys on disk.
pub async fn rotate_master(
    storage: crate::serve::StorageArgs,
    current: Option<String>,
    new: Option<String>,
) -> anyhow::Result<()> {
    use secrecy::SecretBox;
    let store = storage.open_store().await?;
    let key_file = storage.data_dir.join("master.key");
    let from_file = current.is_none();
    let old = match current {
        Some(b64) => decode_key("DIGIGATE_MASTER_KEY", &b64)?,
        None => decode_key(
            "master.key",
            &std::fs::read_to_string(&key_file).context("reading master.key")?,
        )?,
    };
    let generated = new.is_none();
    let new = match new {
        Some(b64) => decode_key("DIGIGATE_NEW_MASTER_KEY", &b64)?,
        None => {
            let mut k = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut k);
            k
        }
    };
    let staged = storage.data_dir.join("master.key.new");
    if staged.exists() {
        // A previous rotation may have committed under this key before it could be installed;
        // deleting it could lose every document.
        anyhow::bail!(
            "{} exists: an earlier rotation did not finish. If the database was re-sealed, it is \
             the current key: move it over master.key; otherwise remove it. Then run again.",
            staged.display()
        );
    }
    if from_file {
        write_private(&staged, &STANDARD.encode(new))?;
    }
    let count = digigate_server::vault::rotate_master_key(
        store.as_ref(),
        &SecretBox::new(Box::new(old)),
        &SecretBox::new(Box::new(new)),
    )
    .await
    .context("re-sealing with the new master key (nothing was changed)")?;
    if from_file {
        std::fs::rename(&staged, &key_file).context("installing the new master.key")?;
        println!("re-sealed {count} values; master.key now holds the new key");
    } else if generated {
        println!(
            "re-sealed {count} values; set DIGIGATE_MASTER_KEY to the new key:\n{}",
            STANDARD.encode(new)
        );
    } else {
        println!(
            "re-sealed {count} values; set DIGIGATE_MASTER_KEY to the new key before restarting"
        );
    }
    Ok(())
}
