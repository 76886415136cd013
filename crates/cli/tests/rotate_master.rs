//! `digigate keys rotate-master`, run as the built binary on SQLite and on PostgreSQL: every
//! sealed value opens under the new key afterwards, and a rotation interrupted on either side
//! of its database commit leaves a state that `serve` refuses to run on and that running the
//! command again finishes.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use digigate_server::vault::{kek_context, rotate_master_key, Vault};
use digigate_store::testing::{created_session, TestDatabase};
use digigate_store::{
    AuthorizationRecord, CompletedSession, DataKeyRecord, SealedKind, SessionRecord, Store,
    UpstreamTokenRecord,
};
use secrecy::SecretBox;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

const OLD: [u8; 32] = [1; 32];
const STAGED: [u8; 32] = [9; 32];
const SESSION: &str = "2f1e7c1a-rotation";

struct DataDir(PathBuf);

impl DataDir {
    fn new(old_key: [u8; 32]) -> DataDir {
        let dir = std::env::temp_dir().join(format!("digigate-rotate-{}", rand::random::<u64>()));
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("master.key"), STANDARD.encode(old_key)).unwrap();
        DataDir(dir)
    }

    fn key_file(&self, name: &str) -> Option<[u8; 32]> {
        let text = std::fs::read_to_string(self.0.join(name)).ok()?;
        Some(STANDARD.decode(text.trim()).unwrap().try_into().unwrap())
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn vault(key: [u8; 32]) -> Vault {
    Vault::new(&SecretBox::new(Box::new(key)))
}

async fn database(postgres: bool) -> TestDatabase {
    if postgres {
        TestDatabase::postgres().await
    } else {
        TestDatabase::sqlite()
    }
}

/// A finished session holding every kind of KEK-sealed value, sealed under `key`.
async fn seeded(db: &TestDatabase, key: [u8; 32]) -> Arc<dyn Store> {
    let store = digigate_store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let v = vault(key);
    let seal = |kind, text: &str| v.seal_secret(&kek_context(kind, SESSION), text.as_bytes());
    let now = 1_750_000_000_000;
    store
        .insert_session(&SessionRecord {
            expected_sealed: Some(seal(SealedKind::Expected, "expected")),
            ..created_session(SESSION, "key_test_rotation", now)
        })
        .await
        .unwrap();
    let auth = AuthorizationRecord {
        state_hash: "state".into(),
        session_id: SESSION.into(),
        binding_hash: "binding".into(),
        pkce_verifier_sealed: seal(SealedKind::PkceVerifier, "verifier"),
        created_at_ms: now,
        expires_at_ms: now + 600_000,
    };
    assert!(store.start_authorization(&auth, now).await.unwrap());
    assert!(store
        .consume_authorization("state", "binding", now + 1)
        .await
        .unwrap()
        .is_some());
    store
        .put_upstream_token(&UpstreamTokenRecord {
            session_id: SESSION.into(),
            access_token_sealed: seal(SealedKind::AccessToken, "access"),
            refresh_token_sealed: Some(seal(SealedKind::RefreshToken, "refresh")),
            expires_at_ms: None,
            revoked_at_ms: None,
        })
        .await
        .unwrap();
    let (_, wrapped) = v.new_data_key(SESSION);
    assert!(store
        .complete_session(&CompletedSession {
            session_id: SESSION.into(),
            data_key: DataKeyRecord {
                session_id: SESSION.into(),
                wrapped_key: wrapped,
                kek_id: v.kek_id().to_owned(),
                created_at_ms: now + 2,
            },
            documents: vec![],
            profile: None,
            documents_consented: vec![],
            documents_missing: vec![],
            now_ms: now + 2,
        })
        .await
        .unwrap());
    store
}

/// Whether the session's data key, expected details and DigiLocker tokens open with `key`.
async fn everything_opens_with(store: &dyn Store, key: [u8; 32]) -> bool {
    let v = vault(key);
    let open = |kind, sealed: &[u8], text: &str| {
        v.open_secret(&kek_context(kind, SESSION), sealed)
            .is_ok_and(|p| p == text.as_bytes())
    };
    let session = store.session(SESSION).await.unwrap().unwrap();
    let token = store.upstream_token(SESSION).await.unwrap().unwrap();
    let data_key = store.data_key(SESSION).await.unwrap().unwrap();
    v.unwrap_data_key(SESSION, &data_key.wrapped_key).is_ok()
        && data_key.kek_id == v.kek_id()
        && open(
            SealedKind::Expected,
            &session.expected_sealed.unwrap(),
            "expected",
        )
        && open(
            SealedKind::AccessToken,
            &token.access_token_sealed,
            "access",
        )
        && open(
            SealedKind::RefreshToken,
            &token.refresh_token_sealed.unwrap(),
            "refresh",
        )
}

fn digigate(dir: &DataDir, db: &TestDatabase, args: &[&str]) -> Output {
    digigate_with(dir, db, &[], args)
}

/// [`digigate`] with the master keys of `keys` configured in the environment, base64.
fn digigate_with(
    dir: &DataDir,
    db: &TestDatabase,
    keys: &[(&str, [u8; 32])],
    args: &[&str],
) -> Output {
    Command::new(env!("CARGO_BIN_EXE_digigate"))
        .env_clear()
        .envs(keys.iter().map(|(name, key)| (name, STANDARD.encode(key))))
        .args(args)
        .arg("--data-dir")
        .arg(&dir.0)
        .args(["--database-url", &db.url])
        .output()
        .expect("the digigate binary runs")
}

fn rotate_master(dir: &DataDir, db: &TestDatabase) -> String {
    rotate_master_with(dir, db, &[])
}

/// `digigate keys rotate-master` with the master keys of `keys` configured; must succeed.
/// Answers what it printed.
fn rotate_master_with(dir: &DataDir, db: &TestDatabase, keys: &[(&str, [u8; 32])]) -> String {
    let out = digigate_with(dir, db, keys, &["keys", "rotate-master"]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn assert_serve_refuses_to_start(dir: &DataDir, db: &TestDatabase) {
    let out = digigate(dir, db, &["serve", "--listen", "127.0.0.1:0"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("rotate-master` was interrupted"), "{err}");
}

fn assert_finished(dir: &DataDir, into: [u8; 32]) {
    assert_eq!(dir.key_file("master.key"), Some(into));
    assert!(!Path::new(&dir.0.join("master.key.new")).exists());
}

/// An interrupted rotation: `serve` refuses to start on it, and running the rotation again
/// says `says` and leaves everything opening with the staged key, which is now `master.key`.
async fn finishes_when_run_again(dir: &DataDir, db: &TestDatabase, store: &dyn Store, says: &str) {
    assert_serve_refuses_to_start(dir, db);
    let said = rotate_master(dir, db);
    assert!(said.contains(says), "{said}");
    assert_finished(dir, STAGED);
    assert!(everything_opens_with(store, STAGED).await);
}

/// A seeded database and data directory under the old key, where a rotation to [`STAGED`] was
/// begun: the new key is staged beside `master.key`.
async fn staged(postgres: bool) -> (TestDatabase, Arc<dyn Store>, DataDir) {
    let db = database(postgres).await;
    let store = seeded(&db, OLD).await;
    let dir = DataDir::new(OLD);
    std::fs::write(dir.0.join("master.key.new"), STANDARD.encode(STAGED)).unwrap();
    (db, store, dir)
}

async fn rotation_re_seals_everything_under_the_new_master_key(postgres: bool) {
    let db = database(postgres).await;
    let store = seeded(&db, OLD).await;
    let dir = DataDir::new(OLD);
    let said = rotate_master(&dir, &db);
    assert!(said.contains("re-sealed 5 values"), "{said}");
    let new = dir.key_file("master.key").unwrap();
    assert_ne!(new, OLD);
    assert_finished(&dir, new);
    assert!(everything_opens_with(store.as_ref(), new).await);
    assert!(!everything_opens_with(store.as_ref(), OLD).await);
}

async fn a_rotation_interrupted_before_its_commit_is_finished_by_running_it_again(postgres: bool) {
    // Killed after staging its new key, before the database changed.
    let (db, store, dir) = staged(postgres).await;
    assert!(
        everything_opens_with(store.as_ref(), OLD).await,
        "still opens"
    );
    finishes_when_run_again(
        &dir,
        &db,
        store.as_ref(),
        "finished an interrupted rotation: re-sealed 5 values",
    )
    .await;
}

async fn a_rotation_interrupted_after_its_commit_is_finished_by_running_it_again(postgres: bool) {
    // Killed after the database committed, before the staged key replaced master.key.
    let (db, store, dir) = staged(postgres).await;
    let key = |k: [u8; 32]| SecretBox::new(Box::new(k));
    rotate_master_key(store.as_ref(), &key(OLD), &key(STAGED))
        .await
        .unwrap();
    assert!(
        everything_opens_with(store.as_ref(), STAGED).await,
        "opens with the staged key"
    );
    finishes_when_run_again(
        &dir,
        &db,
        store.as_ref(),
        "the database was already re-sealed",
    )
    .await;
}

async fn a_configured_master_key_is_not_rotated_to_a_key_that_could_be_lost(postgres: bool) {
    let db = database(postgres).await;
    let store = seeded(&db, OLD).await;
    let dir = DataDir::new(OLD);
    let configured = ("DIGIGATE_MASTER_KEY", OLD);
    let out = digigate_with(&dir, &db, &[configured], &["keys", "rotate-master"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("DIGIGATE_NEW_MASTER_KEY"), "{err}");
    assert!(
        !err.contains(&STANDARD.encode(OLD)),
        "the key in the error: {err}"
    );
    assert!(
        everything_opens_with(store.as_ref(), OLD).await,
        "nothing changed"
    );
    let both = [configured, ("DIGIGATE_NEW_MASTER_KEY", STAGED)];
    rotate_master_with(&dir, &db, &both);
    assert!(everything_opens_with(store.as_ref(), STAGED).await);
    assert_eq!(
        dir.key_file("master.key"),
        Some(OLD),
        "the file was not used"
    );
}

macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() { super::$name(false).await })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() { super::$name(true).await })*
        }
    };
}

on_both_databases!(
    rotation_re_seals_everything_under_the_new_master_key,
    a_rotation_interrupted_before_its_commit_is_finished_by_running_it_again,
    a_rotation_interrupted_after_its_commit_is_finished_by_running_it_again,
    a_configured_master_key_is_not_rotated_to_a_key_that_could_be_lost,
);
