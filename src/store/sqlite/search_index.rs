//! Walking the full-text index for tickets that hold every word.
//!
//! A ticket is indexed in pieces (its own text, then each note, reply and
//! addition; migration 0004), rowid `ticket id << 20 | piece`, so one
//! ticket's pieces are contiguous and the index lists them in ticket order.
//! A ticket matches when each word is in some piece of it: one stream of
//! ticket ids per word, intersected by leapfrogging. A stream that is behind
//! is re-read from the other streams' position (a rowid-range seek in the
//! index), so a rare word next to a common one costs little, and the walk
//! stops as soon as enough tickets are found.

use std::collections::VecDeque;

use sqlx::SqliteConnection;

pub(super) const PIECE_BITS: u32 = 20;

/// Rows read per seek, growing while a stream keeps being read on.
const FIRST_CHUNK: i64 = 64;
const MAX_CHUNK: i64 = 4096;

/// One word's matching ticket ids, read from the index in chunks.
struct Stream {
    term: String,
    /// Ticket ids read and not yet passed, in walk order, without repeats.
    buffer: VecDeque<i64>,
    /// The last ticket id put in the buffer: a ticket's pieces can span two reads.
    last: Option<i64>,
    /// Where the next read starts, as a rowid: exclusive upper bound when
    /// descending, inclusive lower bound when ascending.
    next_rowid: i64,
    chunk: i64,
    exhausted: bool,
}

/// A person's words as FTS5 terms, one by one: each word a quoted phrase,
/// so that FTS operators typed by accident (`-`, `*`, `OR`, quotes) are
/// searched for rather than obeyed.
pub(super) fn fts_terms(words: &[&str]) -> Vec<String> {
    words
        .iter()
        .map(|word| format!("\"{}\"", word.replace('"', "\"\"")))
        .collect()
}

/// Ticket ids matching every word, in walk order, resumable.
pub(super) struct Matches {
    streams: Vec<Stream>,
    descending: bool,
}

impl Matches {
    /// Tickets after `after` (exclusive) in walk order: newest first when
    /// `descending`, else oldest first.
    pub(super) fn new(terms: &[String], descending: bool, after: Option<i64>) -> Self {
        let next_rowid = match (descending, after) {
            (true, Some(after)) => after.saturating_mul(1 << PIECE_BITS),
            (true, None) => i64::MAX,
            (false, Some(after)) => after.saturating_add(1).saturating_mul(1 << PIECE_BITS),
            (false, None) => 0,
        };
        let streams = terms
            .iter()
            .map(|term| Stream {
                term: term.clone(),
                buffer: VecDeque::new(),
                last: None,
                next_rowid,
                chunk: FIRST_CHUNK,
                exhausted: false,
            })
            .collect();
        Self {
            streams,
            descending,
        }
    }

    /// Whether `a` comes before `b` in walk order.
    fn before(&self, a: i64, b: i64) -> bool {
        if self.descending { a > b } else { a < b }
    }

    /// Up to `want` more matching ticket ids; fewer only when none are left.
    pub(super) async fn next_batch(
        &mut self,
        conn: &mut SqliteConnection,
        want: usize,
    ) -> Result<Vec<i64>, sqlx::Error> {
        let mut found = Vec::new();
        'walk: while found.len() < want {
            // The candidate: the furthest head in walk order. Every stream
            // already passed what comes before it, so nothing before it can
            // match.
            let mut target: Option<i64> = None;
            for i in 0..self.streams.len() {
                let Some(head) = self.advance_to(conn, i, target).await? else {
                    break 'walk;
                };
                if target.is_none_or(|t| self.before(t, head)) {
                    target = Some(head);
                }
            }
            let Some(target) = target else { break };
            let mut all = true;
            for i in 0..self.streams.len() {
                match self.advance_to(conn, i, Some(target)).await? {
                    None => break 'walk,
                    Some(head) if head != target => all = false,
                    Some(_) => {}
                }
            }
            if all {
                found.push(target);
                for stream in &mut self.streams {
                    stream.buffer.pop_front();
                }
            }
        }
        Ok(found)
    }

    /// Drops the stream's ids before `target` in walk order (reading from
    /// `target` on when its buffer runs out) and returns its head.
    async fn advance_to(
        &mut self,
        conn: &mut SqliteConnection,
        i: usize,
        target: Option<i64>,
    ) -> Result<Option<i64>, sqlx::Error> {
        let descending = self.descending;
        let stream = &mut self.streams[i];
        loop {
            while let Some(&head) = stream.buffer.front() {
                let behind = match target {
                    Some(t) if descending => head > t,
                    Some(t) => head < t,
                    None => false,
                };
                if !behind {
                    return Ok(Some(head));
                }
                stream.buffer.pop_front();
            }
            if stream.exhausted {
                return Ok(None);
            }
            stream.read(conn, target, descending).await?;
        }
    }
}

impl Stream {
    /// Reads the next chunk, from `target` on when that is further along
    /// than where the last read stopped (a seek in the index).
    async fn read(
        &mut self,
        conn: &mut SqliteConnection,
        target: Option<i64>,
        descending: bool,
    ) -> Result<(), sqlx::Error> {
        let piece = 1i64 << PIECE_BITS;
        let (sql, bound) = if descending {
            let seek = target.map_or(i64::MAX, |t| t.saturating_add(1).saturating_mul(piece));
            (
                "SELECT rowid FROM ticket_search WHERE ticket_search MATCH ? AND rowid < ? \
                 ORDER BY rowid DESC LIMIT ?",
                self.next_rowid.min(seek),
            )
        } else {
            let seek = target.map_or(0, |t| t.saturating_mul(piece));
            (
                "SELECT rowid FROM ticket_search WHERE ticket_search MATCH ? AND rowid >= ? \
                 ORDER BY rowid ASC LIMIT ?",
                self.next_rowid.max(seek),
            )
        };
        let rowids: Vec<i64> = sqlx::query_scalar(sql)
            .bind(&self.term)
            .bind(bound)
            .bind(self.chunk)
            .fetch_all(&mut *conn)
            .await?;
        if (rowids.len() as i64) < self.chunk {
            self.exhausted = true;
        }
        if let Some(&last) = rowids.last() {
            self.next_rowid = if descending { last } else { last + 1 };
        }
        for rowid in rowids {
            let ticket = rowid >> PIECE_BITS;
            if self.last != Some(ticket) {
                self.buffer.push_back(ticket);
                self.last = Some(ticket);
            }
        }
        self.chunk = (self.chunk * 2).min(MAX_CHUNK);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection;

    #[test]
    fn search_words_are_quoted_for_fts() {
        let terms = |words: &str| fts_terms(&words.split_whitespace().collect::<Vec<_>>());
        assert_eq!(terms("rate limit").join(" "), "\"rate\" \"limit\"");
        assert_eq!(
            terms("say \"hi\" OR -x*").join(" "),
            "\"say\" \"\"\"hi\"\"\" \"OR\" \"-x*\""
        );
        assert!(terms("   ").is_empty());
    }

    /// Ticket `t`, piece `p` holds word `w` when this small hash says so:
    /// many tickets span several reads, words spread over pieces.
    fn holds(t: i64, p: i64, w: i64) -> bool {
        (t * 7 + p * 13 + w * 29 + (t * p) % 5) % (w + 2) == 0
    }

    const WORDS: [&str; 3] = ["alpha", "bravo", "charlie"];

    async fn index() -> SqliteConnection {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        sqlx::query("CREATE VIRTUAL TABLE ticket_search USING fts5 (body)")
            .execute(&mut conn)
            .await
            .unwrap();
        for t in 1..=400i64 {
            for p in 0..(t % 7) {
                let body: Vec<&str> = (0..3)
                    .filter(|&w| holds(t, p, w))
                    .map(|w| WORDS[w as usize])
                    .chain(["filler"])
                    .collect();
                sqlx::query("INSERT INTO ticket_search (rowid, body) VALUES (?, ?)")
                    .bind((t << PIECE_BITS) + p)
                    .bind(body.join(" "))
                    .execute(&mut conn)
                    .await
                    .unwrap();
            }
        }
        conn
    }

    fn expected(words: &[i64], descending: bool, after: Option<i64>) -> Vec<i64> {
        let mut ids: Vec<i64> = (1..=400i64)
            .filter(|&t| words.iter().all(|&w| (0..(t % 7)).any(|p| holds(t, p, w))))
            .filter(|&t| match (after, descending) {
                (Some(a), true) => t < a,
                (Some(a), false) => t > a,
                (None, _) => true,
            })
            .collect();
        if descending {
            ids.reverse();
        }
        ids
    }

    #[tokio::test]
    async fn finds_exactly_the_tickets_holding_every_word_across_pieces() {
        let mut conn = index().await;
        let sets: [&[i64]; 5] = [&[0], &[1, 2], &[0, 1, 2], &[2, 0], &[0, 1]];
        for words in sets {
            let terms: Vec<String> = words.iter().map(|&w| WORDS[w as usize].into()).collect();
            for descending in [true, false] {
                for after in [None, Some(200)] {
                    let want = expected(words, descending, after);
                    assert!(!want.is_empty(), "{words:?}");
                    let mut matches = Matches::new(&terms, descending, after);
                    let mut got: Vec<i64> = Vec::new();
                    // Small batches: resuming must neither skip nor repeat.
                    loop {
                        let batch = matches.next_batch(&mut conn, 7).await.unwrap();
                        got.extend(&batch);
                        if batch.len() < 7 {
                            break;
                        }
                    }
                    assert_eq!(
                        got, want,
                        "{words:?} descending={descending} after={after:?}"
                    );
                }
            }
        }
        let none = vec!["alpha".to_string(), "nowhere".to_string()];
        let mut matches = Matches::new(&none, true, None);
        assert!(matches.next_batch(&mut conn, 10).await.unwrap().is_empty());
    }
}
