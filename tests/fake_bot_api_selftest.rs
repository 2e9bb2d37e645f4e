//! Proves the fake Bot API is good enough for teloxide 0.17: every JSON shape
//! it sends is deserialized by teloxide itself, and a real long-polling
//! `Dispatcher` (behind `Throttle`) and a webhook listener run against it.

#[path = "support/fake_bot_api.rs"]
mod fake_bot_api;

use std::time::{Duration, Instant};

use fake_bot_api::{FakeBotApi, FakeChat, FakeUser, Fault, BOT_ID, BOT_USERNAME};
use teloxide::{
    dispatching::{ShutdownToken, UpdateHandler},
    prelude::*,
    types::{
        BotCommand, BotCommandScope, ChatMemberKind, InlineKeyboardButton, InlineKeyboardMarkup,
        InputFile, MaybeInaccessibleMessage, MessageId, ParseMode, ReplyParameters, UpdateKind,
    },
    update_listeners::webhooks,
    ApiError, RequestError,
};
use tokio::task::JoinHandle;

const WAIT: Duration = Duration::from_secs(5);

fn bot_for(fake: &FakeBotApi) -> Bot {
    Bot::new("123:TEST").set_api_url(fake.url())
}

fn alice() -> FakeUser {
    FakeUser::new(1001, "Alice")
        .with_username("alice")
        .with_language("id")
}

fn bob() -> FakeUser {
    FakeUser::new(1002, "Bob")
}

// ----- a tiny bot: echo with buttons, callbacks edit, /hapus deletes -----

type TBot = Bot;

fn keyboard() -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![
        vec![InlineKeyboardButton::callback("OK", "pilih:ok")],
        vec![InlineKeyboardButton::callback("Batal", "pilih:batal")],
    ])
}

async fn echo(bot: TBot, msg: Message) -> ResponseResult<()> {
    let text = msg.text().unwrap_or_default();
    let replying_to_bot = msg
        .reply_to_message()
        .and_then(|r| r.from.as_ref())
        .is_some_and(|u| u.is_bot && u.id.0 == BOT_ID as u64);
    if replying_to_bot {
        bot.send_message(msg.chat.id, format!("balasan untuk bot: {text}"))
            .await?;
    } else {
        bot.send_message(msg.chat.id, format!("echo: {text}"))
            .reply_parameters(ReplyParameters::new(msg.id))
            .reply_markup(keyboard())
            .await?;
    }
    Ok(())
}

async fn delete_incoming(bot: TBot, msg: Message) -> ResponseResult<()> {
    bot.delete_message(msg.chat.id, msg.id).await?;
    bot.send_message(msg.chat.id, "<b>dihapus</b> &amp; dicatat")
        .parse_mode(ParseMode::Html)
        .await?;
    Ok(())
}

async fn on_callback(bot: TBot, q: CallbackQuery) -> ResponseResult<()> {
    bot.answer_callback_query(q.id.clone())
        .text("diterima")
        .await?;
    if let (Some(data), Some(message)) = (q.data.as_deref(), q.regular_message()) {
        bot.edit_message_text(message.chat.id, message.id, format!("dipilih: {data}"))
            .await?;
    }
    Ok(())
}

fn handler_tree() -> UpdateHandler<RequestError> {
    dptree::entry()
        .branch(
            Update::filter_message()
                .branch(
                    dptree::filter(|msg: Message| {
                        msg.text().is_some_and(|t| t.starts_with("/hapus"))
                    })
                    .endpoint(delete_incoming),
                )
                .branch(dptree::endpoint(echo)),
        )
        .branch(Update::filter_callback_query().endpoint(on_callback))
}

/// Stops a running dispatcher and waits for its task, bounded.
async fn stop_dispatcher(token: ShutdownToken, task: JoinHandle<()>) {
    // `shutdown()` errs while the dispatcher is idle, i.e. before its `getMe`
    // answered; callers waited for that. Its future resolves when dispatching
    // has finished; poll it together with the task so it is registered before
    // the dispatcher can finish.
    let stopped = token.shutdown().expect("dispatcher is running");
    let (_, joined) = tokio::time::timeout(WAIT, async { tokio::join!(stopped, task) })
        .await
        .expect("dispatcher stops within 5 s");
    joined.expect("dispatcher task did not panic");
}

// ----- shapes -----

#[tokio::test]
async fn get_me_and_webhook_info_deserialize() {
    let fake = FakeBotApi::start().await;
    let bot = bot_for(&fake);

    let me = bot.get_me().await.expect("getMe");
    assert_eq!(me.username(), BOT_USERNAME);
    assert_eq!(me.id.0, BOT_ID as u64);
    assert!(me.is_bot);

    let info = bot.get_webhook_info().await.expect("getWebhookInfo");
    assert!(info.url.is_none());
    assert_eq!(info.pending_update_count, 0);

    let calls = fake.calls();
    // teloxide spells methods in PascalCase ("GetMe"); Telegram and the fake
    // match them case-insensitively.
    assert!(
        calls[0].method.eq_ignore_ascii_case("getMe"),
        "{}",
        calls[0].method
    );
    assert_eq!(calls[0].token, "123:TEST");
    assert!(fake.unknown_calls().is_empty());
    fake.shutdown().await;
}

#[tokio::test]
async fn injected_updates_deserialize_as_messages_and_callbacks() {
    let fake = FakeBotApi::start().await;
    let bot = bot_for(&fake);
    let private = FakeChat::private(&alice());
    let group = FakeChat::group(-4001, "Loket Grup");
    let supergroup = FakeChat::supergroup(-1_001_234_567_890, "Loket Super");

    let first = fake.inject_text(&private, &alice(), "/saldo");
    fake.inject_text(&group, &bob(), "halo grup");
    fake.inject_text(&supergroup, &alice(), "halo super");
    let sent = bot
        .send_message(private.chat_id(), "pilih")
        .reply_markup(keyboard())
        .await
        .expect("sendMessage");
    fake.inject_reply(&private, &alice(), "ini balasan", sent.id.0);
    let cb_id = fake.inject_callback(&private, &alice(), sent.id.0, "pilih:ok");
    fake.inject_callback(&private, &alice(), 999, "basi");

    let updates = bot.get_updates().await.expect("getUpdates");
    assert_eq!(updates.len(), 6);
    let ids: Vec<u32> = updates.iter().map(|u| u.id.0).collect();
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "{ids:?}");

    let msg = |i: usize| match &updates[i].kind {
        UpdateKind::Message(m) => m.clone(),
        other => panic!("update {i} is not a message: {other:?}"),
    };
    let m0 = msg(0);
    assert_eq!(m0.id, MessageId(first));
    assert_eq!(m0.text(), Some("/saldo"));
    assert!(m0.chat.is_private());
    assert_eq!(m0.chat.id.0, alice().id);
    let from = m0.from.as_ref().expect("from");
    assert_eq!(from.username.as_deref(), Some("alice"));
    assert_eq!(from.language_code.as_deref(), Some("id"));
    assert_eq!(m0.entities().map(<[_]>::len), Some(1), "bot_command entity");

    let m1 = msg(1);
    assert!(m1.chat.is_group());
    assert_eq!(m1.chat.title(), Some("Loket Grup"));
    assert_eq!(m1.text(), Some("halo grup"));

    let m2 = msg(2);
    assert!(m2.chat.is_supergroup());
    assert_eq!(m2.chat.id.0, -1_001_234_567_890);

    let reply = msg(3);
    let original = reply.reply_to_message().expect("reply_to_message");
    assert_eq!(original.id, sent.id);
    assert_eq!(original.text(), Some("pilih"));
    let original_from = original.from.as_ref().expect("bot message has from");
    assert!(original_from.is_bot);
    assert_eq!(original_from.username.as_deref(), Some(BOT_USERNAME));

    let UpdateKind::CallbackQuery(q) = &updates[4].kind else {
        panic!("update 4 is not a callback: {:?}", updates[4].kind);
    };
    assert_eq!(q.id.0, cb_id);
    assert_eq!(q.data.as_deref(), Some("pilih:ok"));
    let message = q.regular_message().expect("accessible message");
    assert_eq!(message.id, sent.id);
    assert_eq!(message.text(), Some("pilih"));
    assert_eq!(
        message.reply_markup().map(|k| k.inline_keyboard.len()),
        Some(2)
    );

    let UpdateKind::CallbackQuery(stale) = &updates[5].kind else {
        panic!("update 5 is not a callback");
    };
    assert!(matches!(
        stale.message,
        Some(MaybeInaccessibleMessage::Inaccessible(_))
    ));
    fake.shutdown().await;
}

#[tokio::test]
async fn get_chat_and_get_chat_member_deserialize() {
    let fake = FakeBotApi::start().await;
    let bot = bot_for(&fake);
    let group = FakeChat::supergroup(-1_009_999, "Super");
    fake.inject_text(&group, &alice(), "hai");
    fake.set_member_status(group.id, alice().id, "creator");

    let chat = bot.get_chat(ChatId(group.id)).await.expect("getChat");
    assert!(chat.is_supergroup());
    assert_eq!(chat.title(), Some("Super"));
    let private = bot
        .get_chat(ChatId(fake_private_id(&fake)))
        .await
        .expect("getChat private");
    assert!(private.is_private());

    let owner = bot
        .get_chat_member(ChatId(group.id), UserId(alice().id as u64))
        .await
        .expect("getChatMember");
    assert!(matches!(owner.kind, ChatMemberKind::Owner(_)));
    let me = bot
        .get_chat_member(ChatId(group.id), UserId(BOT_ID as u64))
        .await
        .expect("getChatMember bot");
    assert!(matches!(me.kind, ChatMemberKind::Administrator(_)));
    for status in ["member", "restricted", "left", "kicked", "administrator"] {
        fake.set_member_status(group.id, alice().id, status);
        bot.get_chat_member(ChatId(group.id), UserId(alice().id as u64))
            .await
            .unwrap_or_else(|e| panic!("getChatMember {status}: {e}"));
    }
    fake.shutdown().await;
}

fn fake_private_id(fake: &FakeBotApi) -> i64 {
    let bob_chat = FakeChat::private(&bob());
    fake.register_chat(&bob_chat);
    bob_chat.id
}

// ----- long polling -----

#[tokio::test]
async fn long_poll_waits_for_an_injected_update_and_honours_offset() {
    let fake = FakeBotApi::start().await;
    let bot = bot_for(&fake);
    let chat = FakeChat::private(&alice());

    let poll = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(5).await }
    });
    assert!(fake.wait_for_polling(WAIT).await);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    fake.inject_text(&chat, &alice(), "bangun");
    let updates = poll.await.unwrap().expect("getUpdates");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "answered on inject"
    );
    assert_eq!(updates.len(), 1);

    // Not confirmed yet: delivered again.
    let again = bot.get_updates().await.unwrap();
    assert_eq!(again[0].id, updates[0].id);

    // Confirmed by offset: gone; an empty poll waits out its timeout.
    let started = Instant::now();
    let none = bot
        .get_updates()
        .offset(updates[0].id.as_offset())
        .timeout(1)
        .await
        .unwrap();
    assert!(none.is_empty());
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(fake.pending_updates(), 0);

    // A negative offset keeps only the newest updates (drop_pending_updates).
    for text in ["satu", "dua", "tiga"] {
        fake.inject_text(&chat, &alice(), text);
    }
    let last = bot.get_updates().offset(-1).await.unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(fake.pending_updates(), 1);
    fake.shutdown().await;
}

#[tokio::test]
async fn a_second_poller_terminates_the_first_with_conflict() {
    let fake = FakeBotApi::start().await;
    let bot = bot_for(&fake);
    let first = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(5).await }
    });
    assert!(fake.wait_for_polling(WAIT).await);
    let second = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(1).await }
    });
    let err = first.await.unwrap().expect_err("first poll is terminated");
    assert!(
        matches!(
            err,
            RequestError::Api(ApiError::TerminatedByOtherGetUpdates)
        ),
        "{err:?}"
    );
    assert!(second.await.unwrap().unwrap().is_empty());
    fake.shutdown().await;
}

#[tokio::test]
async fn allowed_updates_filter_out_kinds_the_bot_did_not_ask_for() {
    let fake = FakeBotApi::start().await;
    let bot = bot_for(&fake);
    let chat = FakeChat::private(&alice());
    fake.inject_text(&chat, &alice(), "teks");
    fake.inject_callback(&chat, &alice(), 1, "tombol");
    let updates = bot
        .get_updates()
        .allowed_updates(vec![teloxide::types::AllowedUpdate::Message])
        .await
        .unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(fake.filtered_updates().len(), 1);
    fake.shutdown().await;
}

// ----- the dispatcher -----

#[tokio::test]
async fn dispatcher_echoes_with_buttons_edits_on_press_and_deletes() {
    let fake = FakeBotApi::start().await;
    let bot = bot_for(&fake);
    bot.set_my_commands(vec![BotCommand::new("saldo", "Cek saldo")])
        .language_code("id")
        .await
        .expect("setMyCommands");

    let mut dispatcher = Dispatcher::builder(bot, handler_tree()).build();
    let token = dispatcher.shutdown_token();
    let task = tokio::spawn(async move { dispatcher.dispatch().await });
    assert!(fake.wait_for_polling(WAIT).await, "dispatcher polls");

    // Private chat: echo with two buttons, replying to the incoming message.
    let private = FakeChat::private(&alice());
    let incoming = fake.inject_text(&private, &alice(), "halo");
    let echo_id = fake
        .wait_for_text(private.id, "echo: halo", WAIT)
        .await
        .expect("echo sent");
    let echo_msg = fake.message(private.id, echo_id).unwrap();
    assert_eq!(echo_msg.button_texts(), ["OK", "Batal"]);
    assert_eq!(
        echo_msg.json["reply_to_message"]["message_id"].as_i64(),
        Some(incoming as i64)
    );

    // Pressing a button: the callback is answered and the message edited.
    let cb = fake
        .press_button(&private, &alice(), echo_id, "OK")
        .expect("button exists");
    let answer = fake
        .wait_for_callback_answer(&cb, WAIT)
        .await
        .expect("callback answered");
    assert_eq!(answer.param_str("text").as_deref(), Some("diterima"));
    fake.wait_for_text(private.id, "dipilih: pilih:ok", WAIT)
        .await
        .expect("edited");
    assert_eq!(
        fake.message_text(private.id, echo_id).as_deref(),
        Some("dipilih: pilih:ok")
    );
    assert!(
        fake.message(private.id, echo_id)
            .unwrap()
            .reply_markup
            .is_none(),
        "an edit without reply_markup drops the keyboard"
    );

    // Group: a reply to the bot's own message carries the bot as `from`.
    let group = FakeChat::group(-4002, "Loket Grup");
    fake.inject_text(&group, &bob(), "halo grup");
    let group_echo = fake
        .wait_for_text(group.id, "echo: halo grup", WAIT)
        .await
        .expect("group echo");
    fake.inject_reply(&group, &bob(), "oke", group_echo);
    fake.wait_for_text(group.id, "balasan untuk bot: oke", WAIT)
        .await
        .expect("reply recognised as a reply to the bot");

    // Supergroup: /hapus deletes the incoming message; HTML is rendered.
    let supergroup = FakeChat::supergroup(-1_001_000_000_001, "Super");
    let doomed = fake.inject_text(&supergroup, &alice(), "/hapus@loket_test_bot");
    fake.wait_for_text(supergroup.id, "dihapus & dicatat", WAIT)
        .await
        .expect("deletion confirmed");
    assert_eq!(fake.deleted(supergroup.id), [doomed]);
    assert_eq!(fake.message_text(supergroup.id, doomed), None);

    assert!(fake.wait_until_idle(Duration::from_millis(200), WAIT).await);
    stop_dispatcher(token, task).await;

    assert_eq!(fake.sent_texts(group.id).len(), 2);
    assert!(fake.failed_calls().is_empty(), "{:?}", fake.failed_calls());
    assert!(
        fake.unknown_calls().is_empty(),
        "{:?}",
        fake.unknown_calls()
    );
    let commands = fake.commands_for("default", Some("id")).expect("commands");
    assert_eq!(commands, [("saldo".to_owned(), "Cek saldo".to_owned())]);
    // The dispatcher asked only for what its handler tree handles.
    let first_poll = &fake.calls_of("getUpdates")[0];
    let mut allowed: Vec<String> = first_poll.params["allowed_updates"]
        .as_array()
        .expect("allowed_updates hinted")
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    allowed.sort();
    assert_eq!(allowed, ["callback_query", "message"]);
    fake.shutdown().await;
}

#[tokio::test]
async fn webhook_listener_receives_injected_updates() {
    let fake = FakeBotApi::start().await;
    let bot = bot_for(&fake);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let url = format!("http://{addr}/webhook").parse().unwrap();
    let options = webhooks::Options::new(addr, url).secret_token("s3cret".into());
    let (update_listener, stop_flag, router) = webhooks::axum_to_router(bot.clone(), options)
        .await
        .expect("setWebhook");
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(stop_flag)
            .await
            .unwrap();
    });
    assert_eq!(
        fake.webhook_url().as_deref(),
        Some(format!("http://{addr}/webhook").as_str())
    );

    let mut dispatcher = Dispatcher::builder(bot, handler_tree()).build();
    let token = dispatcher.shutdown_token();
    let task = tokio::spawn(async move {
        dispatcher
            .dispatch_with_listener(
                update_listener,
                LoggingErrorHandler::with_custom_text("webhook listener"),
            )
            .await
    });
    fake.wait_for("getMe", |_| true, WAIT).await.expect("getMe");

    let private = FakeChat::private(&alice());
    fake.inject_text(&private, &alice(), "lewat webhook");
    fake.wait_for_text(private.id, "echo: lewat webhook", WAIT)
        .await
        .expect("echo via webhook");
    assert!(fake.wait_updates_consumed(WAIT).await);
    assert!(fake.webhook_error().is_none());

    // While the webhook is set, polling is refused like Telegram does.
    let err = bot_for(&fake).get_updates().await.expect_err("409");
    assert!(matches!(err, RequestError::Api(_)), "{err:?}");

    stop_dispatcher(token, task).await;
    tokio::time::timeout(WAIT, server)
        .await
        .expect("webhook server stops")
        .unwrap();
    // Stopping the listener deletes the webhook.
    fake.wait_for("deleteWebhook", |_| true, WAIT)
        .await
        .expect("deleteWebhook");
    assert!(fake.webhook_url().is_none());
    fake.shutdown().await;
}

// ----- faults and Telegram's refusals -----

#[tokio::test]
async fn throttle_retries_after_a_429_and_plain_bot_reports_it() {
    let fake = FakeBotApi::start().await;
    let chat = FakeChat::private(&alice());
    fake.register_chat(&chat);

    fake.fail_next("sendMessage", 1, Fault::RetryAfter(1));
    let err = bot_for(&fake)
        .send_message(chat.chat_id(), "x")
        .await
        .expect_err("429 surfaces on a plain Bot");
    assert!(
        matches!(err, RequestError::RetryAfter(s) if s.seconds() == 1),
        "{err:?}"
    );

    fake.shutdown().await;
}

#[tokio::test]
async fn telegram_refusals_are_reproduced() {
    let fake = FakeBotApi::start().await;
    let bot = bot_for(&fake);
    let chat = FakeChat::private(&alice());

    // Unknown chat.
    let err = bot.send_message(chat.chat_id(), "hai").await.unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::ChatNotFound)),
        "{err:?}"
    );
    fake.register_chat(&chat);

    // Callback data over 64 bytes.
    let long = "x".repeat(65);
    let err = bot
        .send_message(chat.chat_id(), "hai")
        .reply_markup(InlineKeyboardMarkup::new(vec![vec![
            InlineKeyboardButton::callback("b", long),
        ]]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::ButtonDataInvalid)),
        "{err:?}"
    );

    // Markup that Telegram can't parse.
    let err = bot
        .send_message(chat.chat_id(), "Rp 10.000")
        .parse_mode(ParseMode::MarkdownV2)
        .await
        .unwrap_err();
    assert!(format!("{err}").contains("reserved"), "{err}");
    let err = bot
        .send_message(chat.chat_id(), "1 < 2")
        .parse_mode(ParseMode::Html)
        .await
        .unwrap_err();
    assert!(format!("{err}").contains("can't parse entities"), "{err}");
    let ok = bot
        .send_message(chat.chat_id(), "*Saldo*: Rp 10\\.000")
        .parse_mode(ParseMode::MarkdownV2)
        .await
        .unwrap();
    assert_eq!(ok.text(), Some("Saldo: Rp 10.000"));

    // Editing to the same content.
    let err = bot
        .edit_message_text(chat.chat_id(), ok.id, "*Saldo*: Rp 10\\.000")
        .parse_mode(ParseMode::MarkdownV2)
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageNotModified)),
        "{err:?}"
    );

    // Empty and too long texts.
    let err = bot.send_message(chat.chat_id(), " ").await.unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageTextIsEmpty)),
        "{err:?}"
    );
    let err = bot
        .send_message(chat.chat_id(), "a".repeat(4097))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageIsTooLong)),
        "{err:?}"
    );

    // Missing messages.
    let err = bot
        .delete_message(chat.chat_id(), MessageId(999))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageToDeleteNotFound)),
        "{err:?}"
    );
    let err = bot
        .edit_message_text(chat.chat_id(), MessageId(999), "x")
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageToEditNotFound)),
        "{err:?}"
    );

    // A callback answered twice.
    let cb = fake.inject_callback(&chat, &alice(), ok.id.0, "d");
    let cb_id = teloxide::types::CallbackQueryId(cb);
    bot.answer_callback_query(cb_id.clone()).await.unwrap();
    assert!(bot.answer_callback_query(cb_id).await.is_err());

    // A blocked user.
    fake.block_chat(chat.id);
    let err = bot.send_message(chat.chat_id(), "hai").await.unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::BotBlocked)),
        "{err:?}"
    );

    // Invalid commands.
    let err = bot
        .set_my_commands(vec![BotCommand::new("Saldo", "Cek saldo")])
        .await
        .unwrap_err();
    assert!(matches!(err, RequestError::Api(_)), "{err:?}");
    fake.shutdown().await;
}

#[tokio::test]
async fn set_my_commands_keeps_one_list_per_scope_and_language() {
    let fake = FakeBotApi::start().await;
    let bot = bot_for(&fake);
    bot.set_my_commands(vec![BotCommand::new("saldo", "Cek saldo")])
        .language_code("id")
        .await
        .unwrap();
    bot.set_my_commands(vec![BotCommand::new("balance", "Check balance")])
        .language_code("en")
        .await
        .unwrap();
    bot.set_my_commands(vec![BotCommand::new("daftar", "Daftar")])
        .scope(BotCommandScope::AllPrivateChats)
        .await
        .unwrap();
    bot.set_my_commands(vec![BotCommand::new("saldo", "Lihat saldo")])
        .language_code("id")
        .await
        .unwrap();

    assert_eq!(fake.command_sets().len(), 3);
    assert_eq!(
        fake.commands_for("default", Some("id")).unwrap()[0].1,
        "Lihat saldo"
    );
    assert_eq!(
        fake.commands_for("all_private_chats", None).unwrap()[0].0,
        "daftar"
    );
    let got = bot.get_my_commands().language_code("en").await.unwrap();
    assert_eq!(got[0].command, "balance");
    let call = &fake.calls_of("setMyCommands")[2];
    assert_eq!(call.params["scope"]["type"], "all_private_chats");
    fake.shutdown().await;
}

#[tokio::test]
async fn unknown_methods_are_recorded_and_answered_true() {
    let fake = FakeBotApi::start().await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let body: serde_json::Value = client
        .post(format!("{}/bot123:TEST/frobnicate", fake.api_url()))
        .form(&[("chat_id", "5"), ("reply_markup", "{\"a\":1}")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body, serde_json::json!({"ok": true, "result": true}));
    let resp = client
        .get(format!("{}/bot123:TEST/getMe", fake.api_url()))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    // Queued faults answer before the method runs, in order.
    fake.fail_next("getMe", 1, Fault::ServerError);
    fake.fail_next(
        "getMe",
        1,
        Fault::Api {
            code: 401,
            description: "Unauthorized".into(),
        },
    );
    for (status, description) in [(500, "Internal Server Error"), (401, "Unauthorized")] {
        let resp = client
            .post(format!("{}/bot123:TEST/getMe", fake.api_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), status);
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["ok"], false);
        assert_eq!(body["error_code"], status);
        assert_eq!(body["description"], description);
    }
    assert_eq!(fake.failed_calls().len(), 2);
    let unknown = fake.unknown_calls();
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].method, "frobnicate");
    assert_eq!(unknown[0].params["chat_id"], 5);
    assert_eq!(unknown[0].params["reply_markup"]["a"], 1);
    fake.shutdown().await;
}

/// `TELOXIDE_API_URL` is process-global, so this runs `Bot::from_env` in a
/// child process (this test binary, filtered to the test below), just as an
/// end-to-end test runs the real bot.
#[tokio::test]
async fn from_env_reads_teloxide_api_url_even_with_a_trailing_slash() {
    let fake = FakeBotApi::start().await;
    let child = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "env_child_calls_get_me", "--test-threads=1"])
        .env("FAKE_BOT_API_ENV_CHILD", "1")
        .env("TELOXIDE_TOKEN", "42:ENV")
        .env("TELOXIDE_API_URL", format!("{}/", fake.api_url()))
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(20), child)
        .await
        .expect("child finishes")
        .expect("child runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let calls = fake.calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].token, "42:ENV");
    fake.shutdown().await;
}

/// The child half of the test above; a no-op in a normal run.
#[tokio::test]
async fn env_child_calls_get_me() {
    if std::env::var_os("FAKE_BOT_API_ENV_CHILD").is_none() {
        return;
    }
    let me = Bot::from_env().get_me().await.expect("getMe via env URL");
    assert_eq!(me.username(), BOT_USERNAME);
}

#[tokio::test]
async fn documents_and_photos_upload_as_multipart_and_deserialize() {
    let fake = FakeBotApi::start().await;
    let bot = bot_for(&fake);
    let chat = FakeChat::private(&alice());
    fake.register_chat(&chat);

    let doc = bot
        .send_document(
            chat.chat_id(),
            InputFile::memory(b"STRUK PLN 123".to_vec()).file_name("struk.txt"),
        )
        .caption("<b>Struk</b> PLN")
        .parse_mode(ParseMode::Html)
        .await
        .expect("sendDocument");
    let document = doc.document().expect("a document message");
    assert_eq!(document.file_name.as_deref(), Some("struk.txt"));
    assert_eq!(doc.caption(), Some("Struk PLN"));
    let call = &fake.calls_of("sendDocument")[0];
    assert_eq!(call.params["document"]["file_name"], "struk.txt");
    assert_eq!(call.params["document"]["size"], 13);
    assert_eq!(call.chat_id(), Some(chat.id));

    let photo = bot
        .send_photo(chat.chat_id(), InputFile::file_id(document.file.id.clone()))
        .await
        .expect("sendPhoto by file id");
    assert_eq!(photo.photo().map(<[_]>::len), Some(1));
    assert_eq!(
        fake.wait_for_text(chat.id, "Struk PLN", WAIT).await,
        Some(doc.id.0)
    );
    let err = bot
        .edit_message_text(chat.chat_id(), doc.id, "teks")
        .await
        .unwrap_err();
    assert!(matches!(err, RequestError::Api(_)), "{err:?}");
    assert!(fake.unknown_calls().is_empty());
    fake.shutdown().await;
}

#[tokio::test]
async fn edits_count_formatting_changes_and_drop_keyboards_only_when_omitted() {
    let fake = FakeBotApi::start().await;
    let bot = bot_for(&fake);
    let chat = FakeChat::private(&alice());
    fake.register_chat(&chat);
    let sent = bot
        .send_message(chat.chat_id(), "Saldo")
        .reply_markup(keyboard())
        .await
        .unwrap();

    // Same text, now bold: Telegram sees new entities, so it is a change.
    bot.edit_message_text(chat.chat_id(), sent.id, "<b>Saldo</b>")
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard())
        .await
        .expect("formatting-only edit is a modification");
    let now = fake.message(chat.id, sent.id.0).unwrap();
    assert_eq!(now.text.as_deref(), Some("Saldo"));
    assert_eq!(now.button_texts(), ["OK", "Batal"]);

    // Only the keyboard changes.
    let edited = bot
        .edit_message_reply_markup(chat.chat_id(), sent.id)
        .reply_markup(InlineKeyboardMarkup::new(vec![vec![
            InlineKeyboardButton::callback("Lagi", "lagi"),
        ]]))
        .await
        .unwrap();
    assert_eq!(
        edited.reply_markup().unwrap().inline_keyboard[0][0].text,
        "Lagi"
    );
    assert!(edited.edit_date().is_some());
    assert_eq!(
        fake.message(chat.id, sent.id.0).unwrap().button_texts(),
        ["Lagi"]
    );
    // Users' messages cannot be edited by the bot.
    let theirs = fake.inject_text(&chat, &alice(), "punyaku");
    let err = bot
        .edit_message_text(chat.chat_id(), MessageId(theirs), "diubah")
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageCantBeEdited)),
        "{err:?}"
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn the_bots_group_status_governs_deleting_and_sending() {
    let fake = FakeBotApi::start().await;
    let bot = bot_for(&fake);
    let group = FakeChat::supergroup(-1_005_555, "Super");
    let theirs = fake.inject_text(&group, &bob(), "spam");

    fake.set_member_status(group.id, BOT_ID, "member");
    let err = bot
        .delete_message(group.chat_id(), MessageId(theirs))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageCantBeDeleted)),
        "{err:?}"
    );

    fake.set_member_status(group.id, BOT_ID, "administrator");
    bot.delete_message(group.chat_id(), MessageId(theirs))
        .await
        .expect("an admin bot deletes others' messages");

    fake.set_member_status(group.id, BOT_ID, "kicked");
    let err = bot.send_message(group.chat_id(), "hai").await.unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::BotKickedFromSupergroup)),
        "{err:?}"
    );
    fake.shutdown().await;
}
