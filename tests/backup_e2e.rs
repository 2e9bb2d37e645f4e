//! The operator's backup, restore and rekey on the real binary (issue
//! 14): `loket backup FILE` of a `loket run` that is following a charged
//! topup whose answer was lost, `loket restore FILE` into a new data dir
//! with the old key file copied first (a move to a new machine), `loket
//! rekey` there, and `loket run` on the restored dir, which follows the
//! topup to its end and tells the chat — against the fake Bot API and the
//! sandbox gateway, both on 127.0.0.1.

#[path = "support/chat.rs"]
mod chat;
#[path = "support/fake_bot_api.rs"]
mod fake_bot_api;
#[path = "support/loket_process.rs"]
mod loket_process;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use chat::ref_of;
use fake_bot_api::{FakeChat, FakeUser};
use loket_process::{ScratchDir, Setup, World};

/// Runs `loket ARGS` with only `env` (nothing inherited).
fn loket(args: &[&str], env: &[(&str, &Path)], extra: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_loket"));
    command.args(args).env_clear();
    for (key, value) in env {
        command.env(key, value);
    }
    for (key, value) in extra {
        command.env(key, value);
    }
    command.output().expect("run loket")
}

fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test]
async fn a_backup_of_a_running_bot_restored_on_a_new_machine_follows_the_unfinished_topup() {
    // The running bot re-checks nothing within the test: the restored one
    // must do the following.
    let mut world = World::start_with(
        Setup::default()
            .env("LOKET_RECHECK_AFTER", "3600")
            .env("LOKET_BACKUP_KEEP", "0"),
    )
    .await;
    let owner = FakeUser::new(5101, "Sari");
    let chat = FakeChat::private(&owner);
    world.login(&owner, "DEMO 0000 demo").await;
    // 08990002…: charged, then HTTP 500: the answer is lost.
    let (_, answer) = world
        .ask(&chat, &owner, "T10 089900021234", "sedang dicek")
        .await;
    let ref_id = ref_of(&world.text_of(chat.id, answer));

    let scratch = ScratchDir::new("backup");
    let file = scratch.path().join("loket-live.jsonl");
    let old_dir = world.data_dir();
    let taken = loket(
        &["backup", file.to_str().unwrap()],
        &[("LOKET_DATA_DIR", &old_dir)],
        &[],
    );
    assert!(taken.status.success(), "{}", said(&taken));
    assert!(said(&taken).contains("running loket"), "{}", said(&taken));
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the backup is the owner's only");
    let again = loket(
        &["backup", file.to_str().unwrap()],
        &[("LOKET_DATA_DIR", &old_dir)],
        &[],
    );
    assert!(
        !again.status.success(),
        "an existing file is never replaced"
    );
    world.stop("INT").await;

    // The new machine: the key file first, then the backup.
    let new_dir = scratch.path().join("new-data");
    std::fs::create_dir_all(&new_dir).unwrap();
    std::fs::copy(old_dir.join("secret.key"), new_dir.join("secret.key")).unwrap();
    let restored = loket(
        &["restore", file.to_str().unwrap()],
        &[("LOKET_DATA_DIR", &new_dir)],
        &[],
    );
    assert!(restored.status.success(), "{}", said(&restored));
    assert!(
        said(&restored).contains("1 accounts opened"),
        "{}",
        said(&restored)
    );
    let twice = loket(
        &["restore", file.to_str().unwrap()],
        &[("LOKET_DATA_DIR", &new_dir)],
        &[],
    );
    assert!(!twice.status.success(), "only into an empty data dir");
    assert!(said(&twice).contains("not empty"), "{}", said(&twice));

    // And a new key there.
    let new_key = "3c".repeat(32);
    let rekeyed = loket(
        &["rekey"],
        &[("LOKET_DATA_DIR", &new_dir)],
        &[("LOKET_NEW_SECRET_KEY", &new_key)],
    );
    assert!(rekeyed.status.success(), "{}", said(&rekeyed));
    assert!(!said(&rekeyed).contains(&new_key), "{}", said(&rekeyed));
    let key_file = std::fs::read_to_string(new_dir.join("secret.key")).unwrap();
    assert_eq!(key_file.trim(), new_key);

    world.set_env("LOKET_DATA_DIR", new_dir.to_str().unwrap());
    world.set_env("LOKET_RECHECK_AFTER", "1");
    let mark = world.fake.mark();
    world.start_again().await;
    world
        .expect_after(mark, chat.id, "Isi ulang berhasil")
        .await;
    assert_eq!(world.sandbox.charges_for(&ref_id), 1, "charged once");
    world.ask(&chat, &owner, "saldo", "Rp").await;
    world.finish().await;
}
