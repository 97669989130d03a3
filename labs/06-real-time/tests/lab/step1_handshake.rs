//! Step 1: security before the upgrade: who is calling, and from which page. Plain
//! functions on headers, no socket. Read «Security before the upgrade».

use axum::http::HeaderMap;
use real_time::handshake::{Refusal, User, authorize};

use super::support::{ALICE, BOB, CHAT_ORIGIN, config, header};

const SECTION: &str = "Security before the upgrade (book/06-real-time/handshake.md)";

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(*name, header(value));
    }
    map
}

#[test]
fn a_foreign_page_is_refused_even_with_valid_credentials() {
    // The attack: evil.example's script opens a WebSocket to the chat, and the browser
    // attaches the victim's session cookie to the handshake.
    let request = headers(&[("origin", "https://evil.example"), ("cookie", &format!("session={ALICE}"))]);
    assert_eq!(
        authorize(&request, None, &config()),
        Err(Refusal::ForeignOrigin),
        "a handshake from https://evil.example carrying alice's session cookie is cross-site WebSocket \
         hijacking: it must be refused, whatever the credentials. Read «{SECTION}»."
    );
}

#[test]
fn the_chat_page_with_a_valid_token_is_let_in() {
    let request = headers(&[("origin", CHAT_ORIGIN), ("authorization", &format!("Bearer {ALICE}"))]);
    assert_eq!(
        authorize(&request, None, &config()),
        Ok(User("alice".to_owned())),
        "Origin {CHAT_ORIGIN} is on the allow-list and the bearer token is alice's. Read «{SECTION}»."
    );
}

#[test]
fn origins_are_compared_exactly() {
    for origin in [
        "https://chat.example.evil.example",
        "https://chat.example:8443",
        "http://chat.example",
        "https://evil.example/https://chat.example",
        "null",
        "",
    ] {
        let request = headers(&[("origin", origin), ("authorization", &format!("Bearer {ALICE}"))]);
        assert_eq!(
            authorize(&request, None, &config()),
            Err(Refusal::ForeignOrigin),
            "Origin {origin:?} is not {CHAT_ORIGIN:?}: an origin is scheme, host and port, compared whole \
             (no prefix, no suffix, no `contains`). Read «{SECTION}»."
        );
    }
}

#[test]
fn without_an_origin_the_credentials_decide() {
    // Browsers always send Origin on a WebSocket handshake; a command-line client or
    // another service sends none, and there is no page to distrust.
    let with_token = headers(&[("authorization", &format!("Bearer {ALICE}"))]);
    assert_eq!(
        authorize(&with_token, None, &config()),
        Ok(User("alice".to_owned())),
        "no Origin header means no browser page: a valid token is enough. Read «{SECTION}»."
    );
    assert_eq!(
        authorize(&HeaderMap::new(), None, &config()),
        Err(Refusal::MissingCredentials),
        "no Origin and no credentials: 401 (MissingCredentials). Read «{SECTION}»."
    );
}

#[test]
fn a_browser_may_pass_the_token_in_the_query_or_the_session_cookie() {
    let page = headers(&[("origin", CHAT_ORIGIN)]);
    assert_eq!(
        authorize(&page, Some(ALICE), &config()),
        Ok(User("alice".to_owned())),
        "a browser's WebSocket and EventSource cannot set headers: `?access_token=` (RFC 6750 §2.3) is \
         the token. Read «{SECTION}»."
    );
    let with_cookie =
        headers(&[("origin", CHAT_ORIGIN), ("cookie", &format!("theme=dark; session={ALICE}"))]);
    assert_eq!(
        authorize(&with_cookie, None, &config()),
        Ok(User("alice".to_owned())),
        "the `session` cookie is the token too (`handshake::cookie` reads one). Read «{SECTION}»."
    );
}

#[test]
fn the_authorization_header_comes_first() {
    let both = headers(&[
        ("origin", CHAT_ORIGIN),
        ("authorization", &format!("Bearer {BOB}")),
        ("cookie", &format!("session={ALICE}")),
    ]);
    assert_eq!(
        authorize(&both, Some(ALICE), &config()),
        Ok(User("bob".to_owned())),
        "the Authorization header names bob, the query and the session cookie alice: the header wins, then \
         the query, then the cookie. A caller who names an identity explicitly gets it. Read «{SECTION}»."
    );
}

#[test]
fn an_unknown_or_malformed_token_is_refused() {
    for value in ["Bearer nobody", "Basic YWxpY2U6c2VjcmV0", "Bearer", ALICE] {
        let request = headers(&[("origin", CHAT_ORIGIN), ("authorization", value)]);
        let refused = authorize(&request, None, &config());
        assert!(
            matches!(refused, Err(Refusal::UnknownToken | Refusal::MissingCredentials)),
            "`Authorization: {value}` names nobody: expected a refusal (401), got {refused:?}. Read «{SECTION}»."
        );
    }
    assert_eq!(
        authorize(&headers(&[("origin", CHAT_ORIGIN)]), Some("forged"), &config()),
        Err(Refusal::UnknownToken),
        "a token that is in no table is UnknownToken. Read «{SECTION}»."
    );
}
