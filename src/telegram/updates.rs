//! Updates → the engine: a message, an edited message or a button press
//! becomes a `ChatCtx` and an `Input`; what the engine answers goes to the
//! outbox. This handler tree is the seam tests run against a fake Bot API.
//!
//! Owns: reading updates (who, where, addressed or not, counted by kind),
//! deleting a secret-bearing message first, "typing" while the engine
//! works, and answering a button within Telegram's patience. Must not: call Telegram
//! itself (the outbox does) or decide anything (the engine does).

use std::time::Duration;

use teloxide::dispatching::{UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;
use teloxide::types::Me;
use teloxide::RequestError;

use super::outbox::Outbox;
use crate::app::UpdateGate;
use crate::engine::{ChatCtx, ChatKind, Engine, Input, Reply, Response};
use crate::metrics::UpdateKind;

/// How long a button press may wait for its result before it is answered
/// with "being processed".
const CALLBACK_PATIENCE: Duration = Duration::from_secs(2);

/// The handler tree: messages, edited messages and button presses.
pub fn handler_tree() -> UpdateHandler<RequestError> {
    dptree::entry()
        .branch(Update::filter_message().endpoint(on_message))
        .branch(Update::filter_edited_message().endpoint(on_edited_message))
        .branch(Update::filter_callback_query().endpoint(on_callback))
}

/// Who wrote a text message, where: `None` for messages loket does not
/// read (no text, no author, a channel, a command for another bot).
fn text_ctx<'m>(msg: &'m Message, me: &Me) -> Option<(ChatCtx, &'m str)> {
    let text = msg.text()?;
    let from = msg.from.as_ref()?;
    let kind = if msg.chat.is_private() {
        ChatKind::Private
    } else if msg.chat.is_group() || msg.chat.is_supergroup() {
        ChatKind::Group
    } else {
        return None;
    };
    if addressed_to_other_bot(text, me.username()) {
        return None;
    }
    let replied = msg.reply_to_message().and_then(|m| m.from.as_ref());
    let ctx = ChatCtx {
        chat_id: msg.chat.id.0,
        user_id: user_id(from.id),
        kind,
        message_id: Some(msg.id.0),
        addressed: replied.is_some_and(|u| u.id == me.id),
        reply_to_user: replied
            .filter(|u| u.id != me.id && !u.is_bot)
            .map(|u| user_id(u.id)),
    };
    Some((ctx, text))
}

async fn on_message(
    msg: Message,
    engine: Engine,
    outbox: Outbox,
    gate: UpdateGate,
    me: Me,
) -> Result<(), RequestError> {
    // At most `LOKET_MAX_UPDATES` updates are handled at once.
    let _turn = gate.enter().await;
    engine.metrics().update(UpdateKind::Message);
    // A group upgraded to a supergroup gets a new id; everything kept for
    // it moves along. Telegram says so in the old chat and in the new.
    let migration = match (msg.migrate_to_chat_id(), msg.migrate_from_chat_id()) {
        (Some(to), _) => Some((msg.chat.id.0, to.0)),
        (None, Some(from)) => Some((from.0, msg.chat.id.0)),
        (None, None) => None,
    };
    if let Some((from, to)) = migration {
        super::migrate(&engine, from, to).await;
        return Ok(());
    }
    let Some((ctx, text)) = text_ctx(&msg, &me) else {
        return Ok(());
    };
    let kind = ctx.kind;
    // A PIN or key is deleted before anything else happens.
    let deleted_early = engine.holds_secret(&ctx, text);
    if deleted_early {
        delete_secret(&outbox, &engine, &msg).await;
    }
    let will_answer = kind == ChatKind::Private || text.starts_with('/') || ctx.addressed;
    let typing = will_answer.then(|| tokio::spawn(keep_typing(outbox.clone(), msg.chat.id)));
    let response = engine.handle(&ctx, Input::Text(text.to_string())).await;
    if let Some(typing) = typing {
        typing.abort();
    }
    if response.delete_input && !deleted_early {
        delete_secret(&outbox, &engine, &msg).await;
    }
    // In groups, answer as a reply so it is clear who is being answered;
    // a deleted message cannot be replied to.
    let reply_to = (kind == ChatKind::Group && !response.delete_input).then_some(msg.id);
    for reply in response.replies {
        outbox.send(msg.chat.id, reply, reply_to);
    }
    Ok(())
}

/// An edited message: never run (a command edited in is not a new
/// command); deleted when it now holds a login form.
async fn on_edited_message(
    msg: Message,
    engine: Engine,
    outbox: Outbox,
    gate: UpdateGate,
    me: Me,
) -> Result<(), RequestError> {
    let _turn = gate.enter().await;
    engine.metrics().update(UpdateKind::EditedMessage);
    let Some((ctx, text)) = text_ctx(&msg, &me) else {
        return Ok(());
    };
    let response = engine.handle_edit(&ctx, text);
    if response.delete_input {
        delete_secret(&outbox, &engine, &msg).await;
    }
    for reply in response.replies {
        outbox.send(msg.chat.id, reply, None);
    }
    Ok(())
}

/// Deletes a message holding a PIN or key; if the bot may not (a group
/// where it is not an admin), it asks the user to delete it.
async fn delete_secret(outbox: &Outbox, engine: &Engine, msg: &Message) {
    if let Err(e) = outbox.delete(msg.chat.id, msg.id).await {
        tracing::warn!(error = %e, chat = msg.chat.id.0, "could not delete a message holding a secret");
        let ask = engine.text(engine.lang(msg.chat.id.0), "secret-not-deleted", &[]);
        outbox.send(msg.chat.id, Reply::text(ask), Some(msg.id));
    }
}

async fn on_callback(
    query: CallbackQuery,
    engine: Engine,
    outbox: Outbox,
    gate: UpdateGate,
) -> Result<(), RequestError> {
    let _turn = gate.enter().await;
    engine.metrics().update(UpdateKind::CallbackQuery);
    let (Some(data), Some(message)) = (query.data.as_deref(), query.regular_message()) else {
        outbox.answer(query.id.clone(), None).await;
        return Ok(());
    };
    let kind = if message.chat.is_private() {
        ChatKind::Private
    } else {
        ChatKind::Group
    };
    let ctx = ChatCtx {
        chat_id: message.chat.id.0,
        user_id: user_id(query.from.id),
        kind,
        message_id: Some(message.id.0),
        addressed: true,
        reply_to_user: None,
    };
    let typing = tokio::spawn(keep_typing(outbox.clone(), message.chat.id));
    let handling = engine.handle(&ctx, Input::Button(data.to_string()));
    tokio::pin!(handling);
    // Telegram wants a button answered within seconds. A refusal is quick
    // and answered with its toast; a slow gateway call gets "being
    // processed" now and its result as an edit of the message later.
    let (response, answered) = tokio::select! {
        response = &mut handling => (response, false),
        () = tokio::time::sleep(CALLBACK_PATIENCE) => {
            let busy = engine.text(engine.lang(ctx.chat_id), "button-working", &[]);
            outbox.answer(query.id.clone(), Some(&busy)).await;
            (handling.await, true)
        }
    };
    typing.abort();
    show_button_response(&outbox, &query, message, response, answered).await;
    Ok(())
}

async fn show_button_response(
    outbox: &Outbox,
    query: &CallbackQuery,
    message: &Message,
    response: Response,
    answered: bool,
) {
    if !answered {
        outbox
            .answer(query.id.clone(), response.toast.as_deref())
            .await;
    } else if let (Some(toast), None) = (&response.toast, &response.edit_source) {
        // The press was already answered; a late toast becomes a message,
        // unless the pressed message shows the result itself.
        outbox.send(
            message.chat.id,
            Reply::text(toast.clone()),
            Some(message.id),
        );
    }
    if let Some(edit) = response.edit_source {
        outbox.edit(message.chat.id, message.id, edit);
    }
    for reply in response.replies {
        outbox.send(message.chat.id, reply, Some(message.id));
    }
}

/// "typing…" until aborted (Telegram shows it for about 5 s per call).
async fn keep_typing(outbox: Outbox, chat: ChatId) {
    // Fast answers need no indicator.
    tokio::time::sleep(Duration::from_millis(300)).await;
    loop {
        outbox.typing(chat).await;
        tokio::time::sleep(Duration::from_secs(4)).await;
    }
}

/// `/saldo@otherbot` is for another bot in the group.
pub(super) fn addressed_to_other_bot(text: &str, my_username: &str) -> bool {
    let Some(first) = text.split_whitespace().next() else {
        return false;
    };
    match first.strip_prefix('/').and_then(|c| c.split_once('@')) {
        Some((_, name)) => !name.eq_ignore_ascii_case(my_username),
        None => false,
    }
}

fn user_id(id: UserId) -> i64 {
    i64::try_from(id.0).unwrap_or(i64::MAX)
}
