//! Step 4: `select!` and cancellation safety. Runs on paused time: the writer's pauses
//! and the reader's timer take no real time. Read «select! and cancellation».

use std::time::Duration;

use concurrency::frames::FrameReader;
use tokio::io::{AsyncWriteExt, duplex};

const SECTION: &str = "select! and cancellation (book/04-concurrency/cancellation.md)";

#[tokio::test]
async fn several_frames_in_one_read_are_all_returned() {
    let (mut writer, reader) = duplex(64);
    let _ = writer.write_all(b"a\nbb\nccc\n").await;
    drop(writer);
    let mut reader = FrameReader::new(reader);
    // At most one call more than there are frames, so that a reader that never says
    // "end of stream" fails here instead of looping.
    let mut frames = Vec::new();
    for _ in 0..4 {
        match reader.read_frame().await {
            Ok(Some(frame)) => frames.push(frame),
            _ => break,
        }
    }
    assert_eq!(
        frames,
        ["a", "bb", "ccc"],
        "one read can hold several frames: each call returns the next one, then the end. The bytes after a frame's \
         newline are the next frames: keep them for the next call. Read «{SECTION}»."
    );
}

// ANCHOR: timer_wins
#[tokio::test(start_paused = true)]
async fn frames_arrive_whole_while_a_timer_keeps_winning() {
    let (mut writer, reader) = duplex(64);
    let frames = ["first", "a longer second frame", "third"];
    tokio::spawn(async move {
        for frame in frames {
            // Half a frame, a pause longer than the reader's timer, then the rest.
            let (head, tail) = frame.split_at(frame.len() / 2);
            let _ = writer.write_all(head.as_bytes()).await;
            tokio::time::sleep(Duration::from_millis(25)).await;
            let _ = writer.write_all(format!("{tail}\n").as_bytes()).await;
        }
    });

    let mut reader = FrameReader::new(reader);
    let mut received = Vec::new();
    let mut ticks = 0;
    while received.len() < frames.len() {
        tokio::select! {
            frame = reader.read_frame() => match frame {
                Ok(Some(frame)) => received.push(frame),
                other => panic!("the stream ended early: {other:?}. Read «{SECTION}»."),
            },
            // A heartbeat timer, as a real connection loop has: it often wins the race.
            () = tokio::time::sleep(Duration::from_millis(10)) => ticks += 1,
        }
    }
    assert!(ticks > 0, "the timer never won a race, so this test proved nothing");
    assert_eq!(
        received, frames,
        "when the timer wins, `select!` drops the read_frame future; bytes it had read must not be dropped with it. \
         Keep them in the reader. Read «{SECTION}»."
    );
}
// ANCHOR_END: timer_wins

#[tokio::test]
async fn a_clean_end_is_none_and_a_torn_frame_is_an_error() {
    let (writer, reader) = duplex(64);
    drop(writer);
    let frame = FrameReader::new(reader).read_frame().await;
    assert!(
        matches!(frame, Ok(None)),
        "end of stream between frames is Ok(None); got {frame:?}. Read «{SECTION}»."
    );

    let (mut writer, reader) = duplex(64);
    let _ = writer.write_all(b"half a fra").await;
    drop(writer);
    let frame = FrameReader::new(reader).read_frame().await;
    assert!(
        frame.is_err(),
        "the stream ended inside a frame: that is an error, not a frame; got {frame:?}. Read «{SECTION}»."
    );
}
