//! The console front end: the same engine as Telegram, one private chat,
//! lines from stdin, replies to stdout. Buttons are listed with numbers;
//! typing a button's label or number presses it. Works with a pipe.
//!
//! Owns: line I/O and the button prompt. Must not: decide anything the
//! engine decides.

use std::collections::HashMap;
use std::io::IsTerminal;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

use crate::engine::shop::RECAP_CHECK_EVERY;
use crate::engine::{Button, ChatCtx, Engine, Input, Notices, Reply, Response};

/// The console's chat and user id.
pub const CONSOLE_CHAT: i64 = 1;

/// Words that end the session.
const QUIT: [&str; 4] = ["keluar", "quit", "exit", "/keluar"];

/// Runs the console until end of input or a quit word. `echo` prints each
/// input line back (useful when input is piped, so the transcript reads
/// like a chat).
pub async fn run<R, W>(
    engine: Engine,
    mut notices: Notices,
    input: R,
    mut output: W,
    welcome: Option<String>,
    echo: bool,
) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    // After a crash, unfinished payments are followed again; their results
    // arrive as notices.
    engine.resume_unfinished();
    let recaps = engine.spawn_recap_schedule(RECAP_CHECK_EVERY);
    if let Some(welcome) = welcome {
        write_line(&mut output, &welcome).await?;
    }
    // Results the last run learned but never printed.
    for notice in engine.untold() {
        print_reply(&engine, &mut output, &notice.reply).await?;
    }
    let mut lines = input.lines();
    let mut buttons: Vec<Button> = Vec::new();
    let mut message_id: i32 = 0;
    let mut slots: HashMap<String, u64> = HashMap::new();
    loop {
        tokio::select! {
            line = lines.next_line() => {
                let Some(line) = line? else { break };
                let line = line.trim().to_string();
                if line.is_empty() {
                    continue;
                }
                if QUIT.contains(&line.to_lowercase().as_str()) {
                    break;
                }
                message_id += 1;
                let ctx = ChatCtx::private(CONSOLE_CHAT).with_message(message_id);
                let input = match press(&buttons, &line) {
                    Some(data) => Input::Button(data),
                    None => Input::Text(line.clone()),
                };
                let response = engine.handle(&ctx, input).await;
                if echo {
                    // A line that held a secret is never printed back.
                    let shown = if response.delete_input {
                        engine.text(engine.lang(CONSOLE_CHAT), "console-deleted", &[])
                    } else {
                        line
                    };
                    write_line(&mut output, &format!("> {shown}")).await?;
                }
                buttons = show(&engine, &mut output, response, buttons).await?;
            }
            Some(notice) = notices.recv() => {
                // An update older than one already shown is dropped.
                if let Some(slot) = &notice.reply.slot {
                    let newest = slots.entry(slot.key.clone()).or_insert(0);
                    if *newest > slot.version {
                        continue;
                    }
                    *newest = slot.version;
                }
                buttons = show_notice(&engine, &mut output, notice.reply, buttons).await?;
            }
        }
    }
    recaps.abort();
    output.flush().await
}

/// The data of the button the line names, by label or 1-based number.
fn press(buttons: &[Button], line: &str) -> Option<String> {
    if let Ok(n) = line.parse::<usize>() {
        if (1..=buttons.len()).contains(&n) {
            return Some(buttons[n - 1].data.clone());
        }
    }
    buttons
        .iter()
        .find(|b| b.label.eq_ignore_ascii_case(line))
        .map(|b| b.data.clone())
}

/// Prints a response; returns the buttons now on screen.
async fn show<W: AsyncWrite + Unpin>(
    engine: &Engine,
    output: &mut W,
    response: Response,
    previous: Vec<Button>,
) -> std::io::Result<Vec<Button>> {
    let lang = engine.lang(CONSOLE_CHAT);
    if let Some(toast) = &response.toast {
        write_line(output, &format!("[{toast}]")).await?;
    }
    let mut buttons = if response.edit_source.is_some() || response.toast.is_some() {
        Vec::new()
    } else {
        previous
    };
    let replies: Vec<Reply> = response
        .edit_source
        .into_iter()
        .chain(response.replies)
        .collect();
    // Buttons are numbered on through the replies of one response (a
    // summary drawn again above a receipt: both keep their buttons).
    let mut shown: Vec<Button> = Vec::new();
    for reply in replies {
        print_reply(engine, output, &reply).await?;
        if !reply.buttons.is_empty() {
            let listed: Vec<String> = reply
                .buttons
                .iter()
                .enumerate()
                .map(|(i, b)| format!("[{}] {}", shown.len() + i + 1, b.label))
                .collect();
            write_line(
                output,
                &engine.text(lang, "console-buttons", &[("buttons", listed.join("  "))]),
            )
            .await?;
            shown.extend(reply.buttons);
        }
    }
    if !shown.is_empty() {
        buttons = shown;
    }
    Ok(buttons)
}

/// Prints a result that came later. Its buttons are numbered after the
/// ones already on screen, which keep their numbers: a summary redrawn
/// while a bill is shown never turns that bill's `1` into another's.
async fn show_notice<W: AsyncWrite + Unpin>(
    engine: &Engine,
    output: &mut W,
    reply: Reply,
    mut buttons: Vec<Button>,
) -> std::io::Result<Vec<Button>> {
    print_reply(engine, output, &reply).await?;
    let mut listed = Vec::with_capacity(reply.buttons.len());
    for button in reply.buttons {
        let n = match buttons.iter().position(|b| b.data == button.data) {
            Some(i) => i + 1,
            None => {
                buttons.push(button.clone());
                buttons.len()
            }
        };
        listed.push(format!("[{n}] {}", button.label));
    }
    if !listed.is_empty() {
        let lang = engine.lang(CONSOLE_CHAT);
        write_line(
            output,
            &engine.text(lang, "console-buttons", &[("buttons", listed.join("  "))]),
        )
        .await?;
    }
    Ok(buttons)
}

/// Prints a reply's text and names its file; a result it tells is
/// marked told once written.
async fn print_reply<W: AsyncWrite + Unpin>(
    engine: &Engine,
    output: &mut W,
    reply: &Reply,
) -> std::io::Result<()> {
    write_line(output, &reply.text).await?;
    if let Some(file) = &reply.attachment {
        // A terminal cannot show it: it is written to a file whose path is
        // printed (a receipt to print, a CSV to open).
        let lang = engine.lang(CONSOLE_CHAT);
        let line = match save_attachment(file).await {
            Ok(path) => engine.text(
                lang,
                "attachment-line",
                &[
                    ("name", file.name().to_string()),
                    ("bytes", file.bytes().len().to_string()),
                    ("path", path.display().to_string()),
                ],
            ),
            Err(error) => engine.text(
                lang,
                "attachment-failed",
                &[
                    ("name", file.name().to_string()),
                    ("error", error.to_string()),
                ],
            ),
        };
        write_line(output, &line).await?;
    }
    if let Some(slot) = &reply.slot {
        engine.slot_shown(slot).await;
    }
    if let Some(tells) = &reply.tells {
        engine.told(tells).await;
    }
    Ok(())
}

/// Where the console writes the files replies carry (receipts, exports
/// with customers' numbers): `LOKET_CONSOLE_FILES`, else `files` in
/// the data dir when `LOKET_DATA_DIR` is set, else a `loket-<user>`
/// directory under the system's temporary one. Created readable by this
/// user only.
pub fn files_dir() -> std::path::PathBuf {
    if let Some(dir) = std::env::var_os("LOKET_CONSOLE_FILES") {
        return dir.into();
    }
    if let Some(dir) = std::env::var_os("LOKET_DATA_DIR") {
        return std::path::PathBuf::from(dir).join("files");
    }
    let user = std::env::var("USER").unwrap_or_else(|_| "user".into());
    std::env::temp_dir().join(format!("loket-{user}"))
}

async fn save_attachment(file: &crate::engine::Attachment) -> std::io::Result<std::path::PathBuf> {
    let dir = files_dir();
    let mut builder = tokio::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder.create(&dir).await?;
    // The name is loket's own (`struk-REFID.png`); only its last part is used.
    let name = std::path::Path::new(file.name())
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "loket.bin".into());
    let path = dir.join(name);
    tokio::fs::write(&path, file.bytes()).await?;
    Ok(path)
}

async fn write_line<W: AsyncWrite + Unpin>(output: &mut W, text: &str) -> std::io::Result<()> {
    output.write_all(text.as_bytes()).await?;
    output.write_all(b"\n").await?;
    output.flush().await
}

/// Whether stdin is a pipe (echo the input lines then).
pub fn stdin_is_piped() -> bool {
    !std::io::stdin().is_terminal()
}
