//! The operator's backups, on the machine: the nightly backup a running
//! loket writes into `$LOKET_DATA_DIR/backups/` (the last
//! `LOKET_BACKUP_KEEP` kept), and the socket in that directory through
//! which `loket backup FILE` asks a running loket for a backup — sled lets
//! one process open a database, so a second process cannot read a live
//! one; the running loket reads it (one moment of every tree, see
//! [`Store::backup`]) and streams it to the asker, who writes the file.
//! Against a stopped data dir `loket backup` reads the database itself.
//!
//! Backup files are 0600 and the directory 0700; a file is written beside
//! its name and renamed into place when complete and synced, so a backup
//! that exists is whole. The socket is 0600 inside that 0700 directory:
//! only the data dir's owner (or root) can ask for a backup.
//!
//! Owns: where backups go, their names, permissions and pruning, the
//! nightly schedule and the socket. Must not: know the format (that is
//! [`crate::store::backup`]) or reach a chat — nothing here holds the
//! engine's notices or the outbox: backups are never sent to a chat.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use tokio::io::AsyncReadExt;
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::settings::Settings;
use crate::store::backup::{backup_stopped, BackupInfo, BackupReader};
use crate::store::{Store, StoreError};

/// The directory of nightly backups (and of the socket) in the data dir.
pub const BACKUP_DIR: &str = "backups";
/// The socket a running loket answers `loket backup` on, in [`BACKUP_DIR`].
pub const SOCKET: &str = "loket.sock";
/// What `loket backup` asks on the socket.
const REQUEST: &[u8] = b"backup\n";
/// How often the nightly backup's time is looked at.
pub const NIGHTLY_CHECK_EVERY: Duration = Duration::from_secs(60);
/// How long `loket backup` waits for a running loket's next line.
const SOCKET_PATIENCE: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0} exists already: name a new file")]
    Exists(String),
    #[error(
        "a loket runs on {0} but does not answer on its socket ({SOCKET} in {BACKUP_DIR}/): \
         restart it with this version, or stop it and run loket backup again"
    )]
    NoAnswer(String),
    #[error("the running loket's backup is incomplete: {0} (see its log)")]
    Incomplete(String),
}

fn io_at(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Where a backup came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A running loket, through its socket.
    Running,
    /// A stopped data dir, read directly.
    Stopped,
}

/// The nightly backups of one data dir.
pub struct Nightly {
    store: Store,
    dir: PathBuf,
    keep: usize,
    at_minute: u16,
    clock: Arc<dyn Clock>,
}

impl Nightly {
    /// Backups of `store` into `data_dir/backups/` at `at_minute` after
    /// 00:00 WIB, keeping the newest `keep` (none at all when 0).
    pub fn new(
        store: Store,
        data_dir: &Path,
        keep: usize,
        at_minute: u16,
        clock: Arc<dyn Clock>,
    ) -> Nightly {
        Nightly {
            store,
            dir: data_dir.join(BACKUP_DIR),
            keep,
            at_minute,
            clock,
        }
    }

    /// The nightly backup of a WIB day.
    pub fn file_for(&self, day: NaiveDate) -> PathBuf {
        self.dir
            .join(format!("loket-{}.jsonl", day.format("%Y-%m-%d")))
    }

    /// Takes today's backup when its time has come (WIB) and it was not
    /// taken today — a time passed while loket was down is caught up at
    /// the next start, the same day — then keeps the newest `keep`.
    /// Returns the file written. Blocking: run it off the async threads.
    pub fn run_if_due(&self) -> Result<Option<PathBuf>, BackupError> {
        let now = self.clock.now();
        if self.keep == 0 || crate::wib::minute_of_day(now) < self.at_minute {
            return Ok(None);
        }
        let path = self.file_for(crate::wib::date(now));
        if path.exists() {
            return Ok(None);
        }
        private_dir(&self.dir)?;
        write_file(&path, true, |out| Ok(self.store.backup(out, now)?))?;
        self.prune()?;
        Ok(Some(path))
    }

    /// Removes all but the newest `keep` nightly backups (only files
    /// named as nightly ones: others in the directory are the operator's).
    fn prune(&self) -> Result<(), BackupError> {
        let mut nightly: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map_err(io_at(&self.dir))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(is_nightly)
            })
            .collect();
        nightly.sort();
        let surplus = nightly.len().saturating_sub(self.keep);
        for old in &nightly[..surplus] {
            std::fs::remove_file(old).map_err(io_at(old))?;
        }
        Ok(())
    }

    /// Looks every `every` whether the nightly backup is due, for as long
    /// as the task lives.
    pub fn spawn(self, every: Duration) -> JoinHandle<()> {
        let nightly = Arc::new(self);
        tokio::spawn(async move {
            loop {
                let due = nightly.clone();
                match tokio::task::spawn_blocking(move || due.run_if_due()).await {
                    Ok(Ok(Some(path))) => {
                        tracing::info!(file = %path.display(), "nightly backup written")
                    }
                    Ok(Ok(None)) => {}
                    Ok(Err(e)) => tracing::error!(error = %e, "nightly backup failed"),
                    Err(e) => tracing::error!(error = %e, "nightly backup task failed"),
                }
                tokio::time::sleep(every).await;
            }
        })
    }
}

/// `loket-2026-11-30.jsonl`.
fn is_nightly(name: &str) -> bool {
    name.strip_prefix("loket-")
        .and_then(|rest| rest.strip_suffix(".jsonl"))
        .is_some_and(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok())
}

/// Creates `dir` if needed and makes it the owner's only (0700).
fn private_dir(dir: &Path) -> Result<(), BackupError> {
    std::fs::create_dir_all(dir).map_err(io_at(dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(io_at(dir))?;
    }
    Ok(())
}

/// Writes a backup file: 0600, written as `NAME.partial` and renamed to
/// `path` once complete and synced (nothing is left on a failure).
/// `replace` says whether an earlier `path` may be replaced.
fn write_file(
    path: &Path,
    replace: bool,
    write: impl FnOnce(&mut dyn Write) -> Result<BackupInfo, BackupError>,
) -> Result<BackupInfo, BackupError> {
    if !replace && path.exists() {
        return Err(BackupError::Exists(path.display().to_string()));
    }
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let written = (|| {
        match std::fs::remove_file(&partial) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_at(&partial)(e)),
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&partial).map_err(io_at(&partial))?;
        let mut out = std::io::BufWriter::new(file);
        let info = write(&mut out)?;
        let file = out
            .into_inner()
            .map_err(|e| io_at(&partial)(e.into_error()))?;
        file.sync_all().map_err(io_at(&partial))?;
        if !replace && path.exists() {
            return Err(BackupError::Exists(path.display().to_string()));
        }
        std::fs::rename(&partial, path).map_err(io_at(path))?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::File::open(parent)
                .and_then(|d| d.sync_all())
                .map_err(io_at(parent))?;
        }
        Ok(info)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// `loket backup FILE`: a backup of the loket running on `data_dir`
/// (asked through its socket), or of the stopped data dir. `FILE` must not
/// exist; it is 0600.
pub fn backup_to_file(
    data_dir: &Path,
    file: &Path,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(BackupInfo, Source), BackupError> {
    if file.exists() {
        return Err(BackupError::Exists(file.display().to_string()));
    }
    let socket = data_dir.join(BACKUP_DIR).join(SOCKET);
    match std::os::unix::net::UnixStream::connect(&socket) {
        Ok(stream) => {
            let info = write_file(file, false, |out| from_running(stream, out))?;
            return Ok((info, Source::Running));
        }
        // Not there, or left by a loket that was killed: read the
        // database itself (which fails if a loket holds it after all).
        Err(e) if e.kind() != std::io::ErrorKind::PermissionDenied => {}
        Err(e) => return Err(io_at(&socket)(e)),
    }
    let info = write_file(file, false, |out| {
        backup_stopped(data_dir, out, now).map_err(|e| match e {
            StoreError::InUse(_) => BackupError::NoAnswer(data_dir.display().to_string()),
            e => e.into(),
        })
    })?;
    Ok((info, Source::Stopped))
}

/// Asks the running loket for a backup and copies it to `out`, checking
/// every line as it comes (a backup cut short is an error, not a file).
fn from_running(
    mut stream: std::os::unix::net::UnixStream,
    out: &mut dyn Write,
) -> Result<BackupInfo, BackupError> {
    let incomplete = |e: std::io::Error| BackupError::Incomplete(e.to_string());
    stream
        .set_read_timeout(Some(SOCKET_PATIENCE))
        .map_err(incomplete)?;
    stream.write_all(REQUEST).map_err(incomplete)?;
    let mut input = BufReader::new(stream);
    let mut reader = BackupReader::default();
    let mut raw = Vec::new();
    loop {
        raw.clear();
        if input.read_until(b'\n', &mut raw).map_err(incomplete)? == 0 {
            break;
        }
        reader
            .line(&raw)
            .map_err(|e| BackupError::Incomplete(e.to_string()))?;
        out.write_all(&raw).map_err(|e| BackupError::Io {
            path: "the backup file".into(),
            source: e,
        })?;
    }
    reader
        .finish()
        .map_err(|e| BackupError::Incomplete(e.to_string()))
}

/// The socket a running loket answers `loket backup` on; removed when
/// dropped.
pub struct BackupSocket {
    path: PathBuf,
    task: JoinHandle<()>,
}

impl BackupSocket {
    /// Listens on `data_dir/backups/loket.sock` (0600, in a 0700
    /// directory). A socket file already there was left by a loket that
    /// died: the store is open, so no other loket runs on this data dir.
    pub fn serve(
        store: Store,
        data_dir: &Path,
        clock: Arc<dyn Clock>,
    ) -> Result<BackupSocket, BackupError> {
        let dir = data_dir.join(BACKUP_DIR);
        private_dir(&dir)?;
        let path = dir.join(SOCKET);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_at(&path)(e)),
        }
        let listener = tokio::net::UnixListener::bind(&path).map_err(io_at(&path))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(io_at(&path))?;
        }
        let task = tokio::spawn(async move {
            loop {
                match listener.accept().await {
                    Ok((stream, _)) => {
                        tokio::spawn(answer(stream, store.clone(), clock.clone()));
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "backup socket stopped accepting");
                        return;
                    }
                }
            }
        });
        Ok(BackupSocket { path, task })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for BackupSocket {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Answers one `loket backup`: the whole backup, then the socket closes.
async fn answer(mut stream: tokio::net::UnixStream, store: Store, clock: Arc<dyn Clock>) {
    let mut request = [0u8; REQUEST.len()];
    let asked = tokio::time::timeout(SOCKET_PATIENCE, stream.read_exact(&mut request)).await;
    if !matches!(asked, Ok(Ok(_))) || request != REQUEST {
        tracing::warn!("backup socket: a request that is not a backup, ignored");
        return;
    }
    let stream = match stream.into_std() {
        Ok(stream) => stream,
        Err(e) => {
            tracing::error!(error = %e, "backup socket: cannot take the connection");
            return;
        }
    };
    let written = tokio::task::spawn_blocking(move || {
        stream.set_nonblocking(false)?;
        let mut out = std::io::BufWriter::new(stream);
        store
            .backup(&mut out, clock.now())
            .map_err(std::io::Error::other)
    })
    .await;
    match written {
        Ok(Ok(info)) => tracing::info!(records = info.records, "backup sent to loket backup"),
        Ok(Err(e)) => tracing::error!(error = %e, "backup for loket backup failed"),
        Err(e) => tracing::error!(error = %e, "backup for loket backup failed"),
    }
}

/// What a running loket does for backups: the nightly backup and the
/// socket. Stops both when dropped.
pub struct Backups {
    nightly: Option<JoinHandle<()>>,
    _socket: Option<BackupSocket>,
}

impl Drop for Backups {
    fn drop(&mut self) {
        if let Some(nightly) = self.nightly.take() {
            nightly.abort();
        }
    }
}

/// Starts the nightly backup (unless `LOKET_BACKUP_KEEP=0`) and the
/// socket for `store` on `data_dir`. A socket that cannot be made is
/// logged, not fatal: loket runs on, and `loket backup` says it got no
/// answer.
pub fn start(
    settings: &Settings,
    store: &Store,
    data_dir: &Path,
    clock: Arc<dyn Clock>,
) -> Backups {
    let nightly = (settings.backup_keep > 0).then(|| {
        Nightly::new(
            store.clone(),
            data_dir,
            settings.backup_keep,
            settings.backup_at,
            clock.clone(),
        )
        .spawn(NIGHTLY_CHECK_EVERY)
    });
    let socket = match BackupSocket::serve(store.clone(), data_dir, clock) {
        Ok(socket) => Some(socket),
        Err(e) => {
            tracing::warn!(error = %e, "cannot open the backup socket: loket backup will not reach this loket");
            None
        }
    };
    Backups {
        nightly,
        _socket: socket,
    }
}
