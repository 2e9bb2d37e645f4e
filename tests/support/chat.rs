//! Reading the engine's answers in tests: everything a chat would see of
//! one response, and the refID a result names.
#![allow(dead_code)]

use loket::engine::Response;

/// The replies, the edited message and the toast of one response.
pub fn shown(response: &Response) -> String {
    response
        .replies
        .iter()
        .chain(response.edit_source.iter())
        .map(|r| r.text.clone())
        .chain(response.toast.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The refID after `RefID: ` in a result text.
pub fn ref_of(text: &str) -> String {
    let at = text.find("RefID: ").expect("a refID") + "RefID: ".len();
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect()
}
