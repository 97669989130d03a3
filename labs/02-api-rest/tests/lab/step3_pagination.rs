//! Step 3: cursor pagination. A page is found by where the last one ended, not by how
//! many rows came before it. Read «Cursor pagination».

use api_rest::cursor::{Cursor, CursorKey};
use axum::Router;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;

use super::support::{CURSOR_SECRET, Reply, create, create_many, get, send, spawn_app};

const SECTION: &str = "Cursor pagination (book/02-api-design/pagination.md)";

fn key() -> CursorKey {
    CursorKey::new(CURSOR_SECRET.to_vec())
}

fn ids(reply: &Reply) -> Vec<u64> {
    assert_eq!(reply.status, StatusCode::OK, "a page answers 200; got {:?}. Read «{SECTION}».", reply.text());
    reply.json()["items"].as_array().into_iter().flatten().filter_map(|o| o["id"].as_u64()).collect()
}

/// Whether `Cursor::decode` refuses `text` with an error. A panic counts as "not
/// refused" and is caught here, so that the test reports it with a sentence rather than
/// as a bare panic message.
fn refused(text: &str) -> bool {
    let key = key();
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Cursor::decode(text, &key)));
    matches!(decoded, Ok(Err(_)))
}

/// The first 200 characters of a body, quoted: a whole page would fill the terminal.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((end, _)) => format!("{:?}... ({} bytes in all)", &text[..end], text.len()),
        None => format!("{text:?}"),
    }
}

/// The URI of the `rel="next"` link, if the reply has one.
fn next_link(reply: &Reply) -> Option<String> {
    let link = reply.header("link")?;
    let (target, params) = link.split_once(';')?;
    params
        .contains("rel=\"next\"")
        .then(|| target.trim().trim_start_matches('<').trim_end_matches('>').to_owned())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_cursor_round_trips(after in any::<u64>()) {
        let text = Cursor { after }.encode(&key());
        prop_assert_eq!(
            Cursor::decode(&text, &key()).ok(),
            Some(Cursor { after }),
            "decode(encode(c)) is c; the cursor was {:?}. Read «{}».", text, SECTION
        );
        prop_assert!(
            text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "a cursor goes in a URL as it is: URL-safe characters only, got {:?}", text
        );
    }

    #[test]
    fn any_other_text_is_refused_never_a_panic(text in ".{0,64}") {
        prop_assert!(
            refused(&text),
            "Cursor::decode({:?}) panicked or accepted it: anything a client sends must be an Err(InvalidCursor), \
             never a panic; measure before you slice. Read «{}».",
            text, SECTION
        );
    }

    #[test]
    fn a_cursor_with_any_byte_changed_is_refused(after in any::<u64>(), index in 0usize..64, flip in 1u8..=255) {
        let text = Cursor { after }.encode(&key());
        let mut bytes = URL_SAFE_NO_PAD.decode(&text).unwrap_or_else(|_| text.clone().into_bytes());
        let index = index % bytes.len();
        bytes[index] ^= flip;
        let tampered = URL_SAFE_NO_PAD.encode(&bytes);
        prop_assert!(
            Cursor::decode(&tampered, &key()).is_err(),
            "a cursor with byte {} changed is refused: the server signs what it issues. Read «{}».", index, SECTION
        );
    }
}

#[test]
fn a_cursor_cut_short_is_refused_never_a_panic() {
    // The layout of a cursor (version 1, after 3) with a tag of zeros, then every piece
    // of it from the start: nothing, 1 byte, ..., all 25. Random text (above) seldom
    // decodes to so few bytes; these are the inputs a decoder that slices before it
    // measures panics on.
    let mut bytes = vec![1u8];
    bytes.extend_from_slice(&3u64.to_be_bytes());
    bytes.extend_from_slice(&[0u8; 16]);
    for len in 0..=bytes.len() {
        let text = URL_SAFE_NO_PAD.encode(&bytes[..len]);
        assert!(
            refused(&text),
            "Cursor::decode({text:?}) ({len} bytes once decoded) panicked or accepted it: anything a client sends \
             must be an Err(InvalidCursor), never a panic; measure before you slice. Read «{SECTION}»."
        );
    }
}

#[test]
fn a_cursor_from_another_key_is_refused() {
    let text = Cursor { after: 3 }.encode(&CursorKey::new(b"another server's key".to_vec()));
    assert!(
        Cursor::decode(&text, &key()).is_err(),
        "only cursors signed with our key are accepted. Read «{SECTION}»."
    );
    let shown = format!("{:?}", key());
    assert!(
        shown.contains("CursorKey") && !shown.contains(&format!("{:?}", CURSOR_SECRET)),
        "the key's Debug output says that it is a CursorKey and never shows the secret (it ends up in logs and \
         panic messages); got {shown:?}. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn pages_walk_the_list_in_order_with_a_next_link() {
    let (router, _, _) = spawn_app();
    create_many(&router, 7).await;
    let first = get(&router, "/v2/orders?limit=3").await;
    assert_eq!(ids(&first), [1, 2, 3], "the first page is the three oldest orders. Read «{SECTION}».");
    let next = next_link(&first).unwrap_or_else(|| {
        panic!("more pages follow: `Link: <...>; rel=\"next\"`; got {:?}. Read «{SECTION}».", first.headers)
    });
    let cursor = first.json()["next_cursor"].as_str().unwrap_or_default().to_owned();
    assert!(
        !cursor.is_empty() && next.contains(&cursor),
        "the body's `next_cursor` is the cursor of the next link ({next:?}, {cursor:?}). Read «{SECTION}»."
    );
    let second = get(&router, &next).await;
    assert_eq!(ids(&second), [4, 5, 6], "the link leads to the next page, same limit. Read «{SECTION}».");
    let last = get(&router, &next_link(&second).unwrap_or_default()).await;
    assert_eq!(ids(&last), [7], "then the rest. Read «{SECTION}».");
    assert_eq!(next_link(&last), None, "the last page has no next link. Read «{SECTION}».");
    assert!(last.json()["next_cursor"].is_null(), "...and a null next_cursor: {}", last.text());
}

#[tokio::test]
async fn a_full_last_page_has_no_next_link() {
    let (router, _, _) = spawn_app();
    create_many(&router, 3).await;
    let page = get(&router, "/v2/orders?limit=3").await;
    assert_eq!(ids(&page), [1, 2, 3]);
    assert_eq!(
        next_link(&page),
        None,
        "nothing follows: a next link would send the client for an empty page. Read «{SECTION}»."
    );
}

async fn delete(router: &Router, id: u64) {
    let uri = format!("/v2/orders/{id}");
    let reply = send(router, super::support::request(axum::http::Method::DELETE, &uri, &[], None)).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "the test could not delete {uri}: {:?}", reply.text());
}

#[tokio::test]
async fn rows_inserted_and_deleted_between_pages_are_neither_skipped_nor_repeated() {
    let (router, _, _) = spawn_app();
    create_many(&router, 6).await;
    let first = get(&router, "/v2/orders?limit=3").await;
    let mut seen = ids(&first);
    // While the client reads page 1, others delete two orders it has already seen and
    // add a new one.
    delete(&router, 1).await;
    delete(&router, 2).await;
    create(&router, "late order", 1).await;
    let mut next = next_link(&first);
    while let Some(uri) = next {
        let page = get(&router, &uri).await;
        seen.extend(ids(&page));
        next = next_link(&page);
    }
    assert_eq!(
        seen,
        [1, 2, 3, 4, 5, 6, 7],
        "every order is listed once, in order: none skipped because rows before it went away, none repeated. \
         An offset would have skipped 4 and 5. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_tampered_cursor_is_a_400_not_a_panic() {
    let (router, _, _) = spawn_app();
    create_many(&router, 4).await;
    let genuine = Cursor { after: 1 }.encode(&key());
    let mut forged = URL_SAFE_NO_PAD.decode(&genuine).unwrap_or_default();
    // The same cursor, pointing at another position: a client guessing the format.
    if let Some(byte) = forged.get_mut(8) {
        *byte = 3;
    }
    let forged = URL_SAFE_NO_PAD.encode(forged);
    // The genuine cursor with the last bytes of its signature cut off.
    let mut short = URL_SAFE_NO_PAD.decode(&genuine).unwrap_or_default();
    short.truncate(short.len().saturating_sub(3));
    let short = URL_SAFE_NO_PAD.encode(short);
    // "3" is what a client tries after seeing that order 2 ended the page.
    for cursor in ["garbage", "", "!!!!", "AAAA", "3", forged.as_str(), short.as_str(), &genuine[1..]] {
        let reply = get(&router, &format!("/v2/orders?limit=2&cursor={cursor}")).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "cursor {cursor:?} was not issued by this server: 400, got {} {:?}. Read «{SECTION}».",
            reply.status,
            reply.text()
        );
        assert_eq!(reply.problem_slug(), "invalid-cursor", "cursor {cursor:?}");
    }
}

#[tokio::test]
async fn the_page_size_has_a_default_and_a_maximum() {
    let (router, _, _) = spawn_app();
    create_many(&router, 25).await;
    assert_eq!(ids(&get(&router, "/v2/orders").await).len(), 20, "without `limit`, a page has 20 orders.");
    assert_eq!(
        ids(&get(&router, "/v2/orders?limit=100").await).len(),
        25,
        "100 is the largest page allowed."
    );
    for limit in ["0", "101", "1000000", "-1", "ten"] {
        let reply = get(&router, &format!("/v2/orders?limit={limit}")).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "limit={limit} is outside 1..=100: 400 that names the range, got {} {}. Read «{SECTION}».",
            reply.status,
            excerpt(&reply.text())
        );
        assert_eq!(
            reply.problem_slug(),
            "invalid-page-size",
            "limit={limit} is not a page size in 1..=100: its type is invalid-page-size, even when it does not parse \
             as a number (then it arrives as the `Query` extractor's rejection). Read «{SECTION}»."
        );
        let detail = reply.json()["detail"].as_str().unwrap_or_default().to_owned();
        assert!(
            detail.contains("100"),
            "the detail tells the client the range it may use (1 to 100); got {detail:?}. Read «{SECTION}»."
        );
    }
}
