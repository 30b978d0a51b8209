//! What the worker does: keeps the decoded snapshots and answers requests about them with
//! report rows. The page never holds a model; it sends requests and renders the rows it gets.
//! The same engine runs in the Web Worker (the page) and on the page's thread (component tests).

use parkview::creators::parent_chain;
use parkview::diff::{diff, series, Diff, Series};
use parkview::group::{GroupBy, LabelKey, Similarity};
use parkview::leaks::first_user_frame;
use parkview::model::Profile;
use parkview::report::{frame_row, report, FrameRow, Report, ReportOptions};
use parkview::limits::MAX_LINK_BYTES;
use parkview::share::{from_fragment, redact, to_fragment, Redaction, Shared};
use parkview::{decode, DecodeError, Decoded, Options, Stream};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How the groups view groups: what the user picked in its controls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Grouping {
    pub similarity: Similarity,
    /// Group by one label key's value instead of all labels.
    pub label_key: Option<String>,
}

impl Grouping {
    fn group_by(&self) -> GroupBy {
        GroupBy {
            similarity: self.similarity,
            labels: self.label_key.clone().map_or(LabelKey::All, LabelKey::Key),
            ..GroupBy::default()
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Request {
    /// Decode and keep a snapshot. The bytes cross to the worker as one block, not byte by byte.
    Load {
        id: u32,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
        grouping: Grouping,
    },
    /// The last slice of file `id` has been fed ([`Engine::feed`]): finish decoding, and answer
    /// as [`Request::Load`] does.
    Finish { id: u32, grouping: Grouping },
    /// Read the file sent beside this request (see [`crate::agent::read_file`]): slices,
    /// then the answer to [`Request::Finish`].
    Read { id: u32, grouping: Grouping },
    /// The report of a kept snapshot, grouped again.
    Regroup { id: u32, grouping: Grouping },
    /// Base vs new, and the series over all of `ids` (oldest first).
    Compare { base: u32, new: u32, ids: Vec<u32> },
    /// The parent chain of one goroutine of a snapshot.
    Parents { id: u32, goroutine: u64 },
    Forget { id: u32 },
    /// A link (fragment) holding these snapshots, redacted, and the page's view.
    Share { ids: Vec<(u32, String)>, redaction: Redaction, view: String },
    /// Read a link or share file; its snapshots get ids from `first_id` on.
    Import { text: String, first_id: u32, grouping: Grouping },
}

/// One goroutine of a parent chain, as the creators view lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainLink {
    pub goroutine: u64,
    /// `None` when the dump does not hold this goroutine (it exited, or is another dump's).
    pub state: Option<String>,
    pub site: Option<FrameRow>,
    pub created_by: Option<FrameRow>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Response {
    Report { id: u32, report: Box<Report> },
    Failed { id: u32, message: String },
    Compared { base: u32, new: u32, diff: Box<Diff>, series: Option<Box<Series>> },
    Parents { id: u32, goroutine: u64, chain: Vec<ChainLink> },
    Forgotten { id: u32 },
    /// So many bytes of a file the worker reads have been decoded.
    Progress { id: u32, read: u64 },
    /// The worker has started and takes requests.
    Ready,
    Shared { fragment: String },
    /// The imported snapshots (id, name, report) in order, and the view the link carried.
    Imported { snapshots: Vec<(u32, String, Box<Report>)>, view: String },
    /// A link or share file did not read; `first_id` is the id its first snapshot would have had.
    ImportFailed { first_id: u32, message: String },
    /// The worker panicked (the message Rust's panic gave); it answers nothing more.
    Crashed { message: String },
}

#[derive(Default)]
pub struct Engine {
    snapshots: HashMap<u32, Decoded>,
    /// Files arriving in slices, decoded so far (or the error that ended them).
    arriving: HashMap<u32, Result<Stream, DecodeError>>,
}

impl Engine {
    /// Runs a dump of a few thousand goroutines through the path a file takes (slices, decode,
    /// report) when the worker starts, so that the browser has optimised that code before the
    /// user's file arrives: otherwise its first megabytes decode several times slower.
    pub fn warm_up(&mut self) {
        const SAMPLE: &[u8] = include_bytes!("../../www/samples/service.s3.goroutine.debug2.txt");
        let id = u32::MAX;
        for _ in 0..24 {
            self.feed(id, SAMPLE);
        }
        self.handle(Request::Finish { id, grouping: Grouping::default() });
        self.handle(Request::Forget { id });
    }

    /// Decodes the next slice of file `id`.
    pub fn feed(&mut self, id: u32, bytes: &[u8]) {
        let arriving = self.arriving.entry(id).or_insert_with(|| Ok(Stream::new(&Options::default())));
        if let Ok(stream) = arriving {
            if let Err(e) = stream.feed(bytes) {
                *arriving = Err(e);
            }
        }
    }

    fn profile(&self, id: u32) -> Option<&Profile> {
        self.snapshots.get(&id).map(|d| &d.profile)
    }

    /// The report of snapshot `id`. Its leak suspects weigh growth since the oldest snapshot
    /// kept before it (ids grow with loading order), as the diff's default base does.
    fn report(&self, id: u32, grouping: &Grouping) -> Response {
        match self.snapshots.get(&id) {
            Some(decoded) => {
                let base = self.snapshots.keys().copied().filter(|&b| b < id).min().and_then(|b| self.profile(b));
                let options = ReportOptions { by: grouping.group_by(), base, wrappers: Vec::new() };
                Response::Report { id, report: Box::new(report(decoded, &options)) }
            }
            None => Response::Failed { id, message: "this snapshot is no longer loaded".into() },
        }
    }

    fn load(&mut self, id: u32, decoded: Result<Decoded, DecodeError>, grouping: &Grouping) -> Response {
        match decoded {
            Ok(decoded) => {
                self.snapshots.insert(id, decoded);
                self.report(id, grouping)
            }
            Err(e) => Response::Failed { id, message: e.to_string() },
        }
    }

    pub fn handle(&mut self, request: Request) -> Response {
        match request {
            Request::Load { id, bytes, grouping } => self.load(id, decode(&bytes, &Options::default()), &grouping),
            Request::Read { id, .. } => Response::Failed { id, message: "no file came with the request to read it".into() },
            Request::Finish { id, grouping } => {
                let stream = self.arriving.remove(&id).unwrap_or_else(|| Ok(Stream::new(&Options::default())));
                self.load(id, stream.and_then(Stream::finish), &grouping)
            }
            Request::Regroup { id, grouping } => self.report(id, &grouping),
            Request::Compare { base, new, ids } => match (self.profile(base), self.profile(new)) {
                (Some(b), Some(n)) => {
                    let by = parkview::diff::default_key();
                    let profiles: Vec<&Profile> = ids.iter().filter_map(|&i| self.profile(i)).collect();
                    let series = (profiles.len() >= 3).then(|| Box::new(series(&profiles, &by)));
                    Response::Compared { base, new, diff: Box::new(diff(b, n, &by)), series }
                }
                _ => Response::Failed { id: new, message: "pick two loaded snapshots to compare".into() },
            },
            Request::Parents { id, goroutine } => {
                let chain = self.profile(id).map_or_else(Vec::new, |p| {
                    parent_chain(p, goroutine)
                        .into_iter()
                        .map(|gid| match p.goroutines.iter().find(|g| g.id == gid) {
                            Some(g) => ChainLink {
                                goroutine: gid,
                                state: Some(p.strings.get(g.state).to_string()),
                                site: first_user_frame(p, g.stack).map(|f| frame_row(p, f)),
                                created_by: g.created_by.map(|f| frame_row(p, f)),
                            },
                            None => ChainLink { goroutine: gid, state: None, site: None, created_by: None },
                        })
                        .collect()
                });
                Response::Parents { id, goroutine, chain }
            }
            Request::Forget { id } => {
                self.snapshots.remove(&id);
                self.arriving.remove(&id);
                Response::Forgotten { id }
            }
            Request::Share { ids, redaction, view } => {
                let named: Vec<(&str, &Decoded)> = ids.iter().filter_map(|(id, name)| self.snapshots.get(id).map(|d| (name.as_str(), d))).collect();
                Response::Shared { fragment: to_fragment(&Shared { view, snapshots: redact(&named, &redaction) }) }
            }
            Request::Import { text, first_id, grouping } => match from_fragment(&text, MAX_LINK_BYTES) {
                Ok(shared) => {
                    let mut out = Vec::new();
                    for (i, s) in shared.snapshots.into_iter().enumerate() {
                        let id = first_id + i as u32;
                        self.snapshots.insert(id, s.decoded);
                        if let Response::Report { report, .. } = self.report(id, &grouping) {
                            out.push((id, s.name, report));
                        }
                    }
                    Response::Imported { snapshots: out, view: shared.view }
                }
                Err(e) => Response::ImportFailed { first_id, message: e.to_string() },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const S1: &[u8] = include_bytes!("../../tests/fixtures/go1.27/service.s1.goroutine.debug2.txt");
    const S3: &[u8] = include_bytes!("../../tests/fixtures/go1.27/service.s3.goroutine.debug2.txt");

    #[wasm_bindgen_test]
    fn loads_regroups_compares_and_forgets() {
        let mut e = Engine::default();
        let Response::Report { report, .. } = e.handle(Request::Load { id: 1, bytes: S1.to_vec(), grouping: Grouping::default() }) else { panic!() };
        assert_eq!(report.goroutines, Some(53));
        e.handle(Request::Load { id: 2, bytes: S3.to_vec(), grouping: Grouping::default() });
        let by_fn = Grouping { similarity: Similarity::Functions, label_key: Some("tenant".into()) };
        let Response::Report { report, .. } = e.handle(Request::Regroup { id: 2, grouping: by_fn }) else { panic!() };
        assert!(report.leak_suspects[0].delta.is_some());
        let Response::Compared { diff, .. } = e.handle(Request::Compare { base: 1, new: 2, ids: vec![1, 2] }) else { panic!() };
        assert_eq!(diff.rows[0].delta, 42);
        let Response::Parents { chain, .. } = e.handle(Request::Parents { id: 2, goroutine: 23 }) else { panic!() };
        assert_eq!(chain.iter().map(|c| c.goroutine).collect::<Vec<_>>(), vec![23, 1]);
        let Response::Shared { fragment } = e.handle(Request::Share { ids: vec![(1, "a".into()), (2, "b".into())], redaction: Redaction::default(), view: "{}".into() }) else { panic!() };
        let Response::Imported { snapshots, view } = e.handle(Request::Import { text: fragment, first_id: 10, grouping: Grouping::default() }) else { panic!() };
        assert_eq!((snapshots.len(), snapshots[1].0, view.as_str()), (2, 11, "{}"));
        assert!(matches!(e.handle(Request::Import { text: "#v1.!!".into(), first_id: 20, grouping: Grouping::default() }), Response::ImportFailed { .. }));
        e.handle(Request::Forget { id: 1 });
        assert!(matches!(e.handle(Request::Compare { base: 1, new: 2, ids: vec![] }), Response::Failed { .. }));
    }
}
