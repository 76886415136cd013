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

/// The file a rotation stages its new key in, beside `master.key`. While it exists a rotation
/// was interrupted: `serve` refuses to start and `rotate-master` finishes it first.
pub fn staged_master_key(data_dir: &Path) -> PathBuf {
    data_dir.join("master.key.new")
}

/// `digigate keys rotate-master`: re-seals everything under a new master key in one transaction.
///
/// With `master.key` in the data directory the new key is written (and synced) to
/// `master.key.new` before the database changes and renamed over `master.key` after, so an
/// interruption leaves both keys on disk; the next run finishes into the staged key whichever
/// side of the commit the interruption fell. With the current key from configuration the new
/// key must be configured too (`DIGIGATE_NEW_MASTER_KEY`): a key generated and printed here
/// would be lost if the command died between the commit and the print.
pub async fn rotate_master(
    storage: crate::storage::StorageArgs,
    current: Option<String>,
    new: Option<String>,
) -> anyhow::Result<()> {
    let store = storage.open_store().await?;
    let key_file = storage.data_dir.join("master.key");
    let staged = staged_master_key(&storage.data_dir);
    let from_file = current.is_none();
    let old = match current {
        Some(b64) => decode_key("DIGIGATE_MASTER_KEY", &b64)?,
        None => decode_key(
            "master.key",
            &std::fs::read_to_string(&key_file).context("reading master.key")?,
        )?,
    };
    if from_file && staged.exists() {
        let target = decode_key(
            "master.key.new",
            &std::fs::read_to_string(&staged).context("reading master.key.new")?,
        )?;
        let (count, already) = reseal_into(store.as_ref(), old, target).await?;
        std::fs::rename(&staged, &key_file).context("installing the new master.key")?;
        if already {
            println!("finished an interrupted rotation: the database was already re-sealed; master.key now holds the new key");
        } else {
            println!("finished an interrupted rotation: re-sealed {count} values; master.key now holds the new key");
        }
        if new.is_some() {
            println!("the key given as the new master key was not used: run the command again to rotate to it");
        }
        return Ok(());
    }
    if !from_file && new.is_none() {
        bail!(
            "the current master key comes from configuration, so the new one must too: set \
             DIGIGATE_NEW_MASTER_KEY (or DIGIGATE_NEW_MASTER_KEY_FILE) to a new base64 32-byte key \
             (e.g. openssl rand -base64 32). Nothing was changed"
        );
    }
    let new = match new {
        Some(b64) => decode_key("DIGIGATE_NEW_MASTER_KEY", &b64)?,
        None => {
            let mut k = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut k);
            k
        }
    };
    if from_file {
        write_private(&staged, &STANDARD.encode(new))?;
    }
    let (count, already) = reseal_into(store.as_ref(), old, new).await?;
    if from_file {
        std::fs::rename(&staged, &key_file).context("installing the new master.key")?;
        println!("re-sealed {count} values; master.key now holds the new key");
    } else if already {
        println!("the database was already sealed with the new key (an earlier rotation finished); set DIGIGATE_MASTER_KEY to it before restarting");
    } else {
        println!(
            "re-sealed {count} values; set DIGIGATE_MASTER_KEY to the new key before restarting"
        );
    }
    Ok(())
}

/// Re-seals every value from `old` into `new`. When some value does not open with `old`, an
/// earlier rotation into `new` may have committed: if every value opens with `new`, the
/// database is already where it should be. Answers (values re-sealed, whether it already was).
async fn reseal_into(
    store: &dyn digigate_store::Store,
    old: [u8; 32],
    new: [u8; 32],
) -> anyhow::Result<(u64, bool)> {
    use digigate_server::vault::rotate_master_key;
    use secrecy::SecretBox;
    let key = |k: [u8; 32]| SecretBox::new(Box::new(k));
    match rotate_master_key(store, &key(old), &key(new)).await {
        Ok(count) => Ok((count, false)),
        Err(digigate_store::StoreError::Corrupt(_)) => {
            // Re-sealing under the same key changes no plaintext: it only proves they all open.
            let count = rotate_master_key(store, &key(new), &key(new))
                .await
                .context("the stored values open neither with the current nor with the new master key (nothing was changed)")?;
            Ok((count, true))
        }
        Err(e) => Err(e).context("re-sealing with the new master key (nothing was changed)"),
    }
}
