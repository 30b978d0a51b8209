//! What the page and a worker say to each other: requests about snapshots and the rows that
//! answer them (as bincode, see [`crate::agent`]). The page holds only rows; the worker holds
//! the models.

use parkview::diff::Diff;
use parkview::group::{GroupBy, LabelKey, Similarity};
use parkview::report::Report;
use parkview::rows::ChainRow;
use parkview::share::Redaction;
use serde::{Deserialize, Serialize};

/// How reports are made: what the user picked in the groups view's controls, and the snapshot
/// leak growth is measured against (the diff's base, by [`parkview::report::ReportOptions`]'s
/// rule), with its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Grouping {
    pub similarity: Similarity,
    /// Group by one label key's value instead of all labels.
    pub label_key: Option<String>,
    pub growth_base: Option<(u32, String)>,
    /// The snapshots whose growth is measured against it: those the diff may compare with it
    /// (a sample's is not measured against the user's dumps, nor theirs against it).
    #[serde(default)]
    pub growth_for: Vec<u32>,
    /// The ignore rules' text, one rule a line (already read by
    /// [`parkview::ignore::Rules::parse`]): goroutines they name are no leak suspects.
    pub ignore: String,
    /// The kind of the sample type the flame graph weighs (`alloc_space`), `None` for the
    /// default: the report carries one tree, made again for another pick (see
    /// [`parkview::report::ReportOptions::sample_type`]).
    #[serde(default)]
    pub sample_type: Option<String>,
}

impl Grouping {
    /// What the core groups by for this choice.
    pub fn group_by(&self) -> GroupBy {
        GroupBy::report(Some(self.similarity), self.label_key.clone().map(LabelKey::Key), None)
    }
}

/// What the page asks of the engine (in its worker, or on the page's thread). Snapshots are
/// named by the ids the page gave them; each request gets one [`Response`] (a read file also
/// [`Response::Progress`] on the way).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Request {
    /// Decode and keep a snapshot. The bytes cross to the worker as one block, not byte by byte.
    Load {
        id: u32,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
        grouping: Grouping,
    },
    /// The last slice of file `id` has been fed ([`crate::engine::Engine::feed`]): finish decoding, and answer
    /// as [`Request::Load`] does.
    Finish { id: u32, grouping: Grouping },
    /// Read the file sent beside this request (see [`crate::agent::read_file`]): slices,
    /// then the answer to [`Request::Finish`].
    Read { id: u32, grouping: Grouping },
    /// The report of a kept snapshot, grouped again.
    Regroup { id: u32, grouping: Grouping },
    /// Base vs new at `similarity`, with each row's timeline over all of `ids` (oldest first).
    Compare { base: u32, new: u32, ids: Vec<u32>, similarity: Similarity },
    /// The parent chain of one goroutine of a snapshot.
    Parents { id: u32, goroutine: u64 },
    /// Drop a kept snapshot.
    Forget { id: u32 },
    /// A link (fragment) holding these snapshots, redacted, and the page's view.
    Share { ids: Vec<(u32, String)>, redaction: Redaction, view: String },
    /// Read a link or share file; its snapshots get ids from `first_id` on.
    Import { text: String, first_id: u32, grouping: Grouping },
}

/// What the engine answers, rows only: the page never holds a model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Response {
    /// The report of a snapshot (loaded, read or regrouped).
    Report {
        id: u32,
        report: Box<Report>,
    },
    /// The snapshot could not be read: one sentence saying why.
    Failed {
        id: u32,
        message: String,
    },
    /// The diff asked for by [`Request::Compare`].
    Compared {
        base: u32,
        new: u32,
        diff: Box<Diff>,
        /// Whether the two look like one program's ([`parkview::capture::same_program`]).
        same_program: bool,
    },
    /// The chain asked for by [`Request::Parents`], the goroutine first.
    Parents {
        id: u32,
        goroutine: u64,
        chain: Vec<ChainRow>,
    },
    /// The snapshot was dropped.
    Forgotten {
        id: u32,
    },
    /// So many bytes of a file the worker reads have been decoded.
    Progress {
        id: u32,
        read: u64,
    },
    /// The worker has started, warmed up, and takes requests; with the report of its warm-up
    /// dump, for the page to rehearse its first load with ([`crate::rehearsal`]); `None` where
    /// the engine runs on the page's thread (or the warm-up dump gave no single report).
    Ready {
        rehearsal: Option<Box<Report>>,
    },
    Shared {
        fragment: String,
    },
    /// No link could be made of the snapshots (too large to be read back).
    ShareFailed {
        message: String,
    },
    /// A load whose input held several snapshots (several dumps one after another, or an
    /// archive's members): each with its id (`id` and the ids after it, which the page keeps
    /// free for this), its name (`#N` for the N-th dump of the input; a member's path), and its
    /// report; and the members that hold none, with why.
    Bundle {
        id: u32,
        snapshots: Vec<(u32, String, Box<Report>)>,
        skipped: Vec<(String, String)>,
    },
    /// The imported snapshots (id, name, report) in order, and the view the link carried.
    Imported {
        snapshots: Vec<(u32, String, Box<Report>)>,
        view: String,
    },
    /// A link or share file did not read; `first_id` is the id its first snapshot would have had.
    ImportFailed {
        first_id: u32,
        message: String,
    },
    /// The worker panicked (the message Rust's panic gave); it answers nothing more.
    Crashed {
        message: String,
    },
}
