//! What the worker does: keeps the decoded snapshots and answers requests about them with
//! report rows. The page never holds a model; it sends requests and renders the rows it gets.
//! The same engine runs in the Web Worker (the page) and on the page's thread (component tests).

use crate::protocol::{Grouping, Request, Response};
use parkview::archive::{self, ArchiveError};
use parkview::creators::parent_chain_rows;
use parkview::diff::compare;
use parkview::group::GroupBy;
use parkview::limits::MAX_LINK_BYTES;
use parkview::limits::{MAX_FILE_BYTES, MAX_SNAPSHOTS};
use parkview::model::Profile;
use parkview::report::{report, Report, ReportOptions};
use parkview::share::{from_fragment, redact, to_fragment, Shared};
use parkview::{decode_all, DecodeError, Decoded, Options, Stream};
use std::collections::HashMap;

#[derive(Default)]
pub struct Engine {
    snapshots: HashMap<u32, Decoded>,
    /// Files arriving in slices, decoded so far (or the error that ended them).
    arriving: HashMap<u32, Arriving>,
}

/// A file arriving in slices.
enum Arriving {
    /// Decoded as it comes.
    Stream(Stream),
    /// An archive, gathered whole (a zip's directory is at its end), up to [`MAX_FILE_BYTES`].
    Archive(archive::Kind, Vec<u8>),
    Failed(String),
}

/// What a load's input held: its snapshots (named `#N` when a text held several dumps, by
/// their path in an archive), and the archive members that hold none, with why.
type Entries = (Vec<(String, Decoded)>, Vec<(String, String)>);

/// The entries of a whole input.
fn entries(bytes: &[u8]) -> Result<Entries, String> {
    match archive::sniff(bytes) {
        Some(kind) => members(kind, bytes),
        None => decode_all(bytes, &Options::default()).map(numbered).map_err(|e| e.to_string()),
    }
}

/// The dumps of one input, `#N` from 1 when there are several (the page puts the input's
/// name in front).
fn numbered(dumps: Vec<Decoded>) -> Entries {
    (archive::named_dumps("", dumps), Vec::new())
}

fn members(kind: archive::Kind, bytes: &[u8]) -> Result<Entries, String> {
    let members = archive::read(kind, bytes, &Options::default()).map_err(|e: ArchiveError| e.to_string())?;
    let (mut snapshots, mut skipped) = (Vec::new(), Vec::new());
    for (name, entry) in archive::entries(members) {
        match entry {
            Ok(decoded) => snapshots.push((name, decoded)),
            Err(why) => skipped.push((name, why.to_string())),
        }
    }
    Ok((snapshots, skipped))
}

impl Engine {
    /// Runs a small debug=1 dump and a small proto, then a dump of a few thousand goroutines in
    /// slices, through the path a file takes (decode, report) when the worker starts: the browser
    /// compiles WebAssembly lazily, a function on its first call, and optimises it once it runs
    /// hot, so otherwise the user's first file pays for compiling its decoder and decodes its
    /// first megabytes several times slower. Returns the dump's report, which the page rehearses
    /// its own first load with (see [`crate::rehearsal`]).
    pub fn warm_up(&mut self) -> Option<Box<Report>> {
        const SAMPLE: &[u8] = include_bytes!("../../www/samples/service.s3.goroutine.debug2.txt");
        const OTHER_FORMATS: [&[u8]; 2] = [
            include_bytes!("../../tests/fixtures/go1.27/service.s1.goroutine.debug1.txt"),
            include_bytes!("../../tests/fixtures/go1.27/service.s1.goroutine.pb.gz"),
        ];
        let id = u32::MAX;
        for bytes in OTHER_FORMATS {
            self.handle(Request::Load { id, bytes: bytes.to_vec(), grouping: Grouping::default() });
            self.handle(Request::Forget { id });
        }
        for _ in 0..24 {
            self.feed(id, SAMPLE);
        }
        let answer = self.handle(Request::Finish { id, grouping: Grouping::default() });
        self.handle(Request::Forget { id });
        match answer {
            Response::Report { report, .. } => Some(report),
            _ => None,
        }
    }

    /// Decodes the next slice of file `id` (an archive is gathered instead, to be read whole).
    pub fn feed(&mut self, id: u32, bytes: &[u8]) {
        let arriving = self.arriving.entry(id).or_insert_with(|| match archive::sniff(bytes) {
            Some(kind) => Arriving::Archive(kind, Vec::new()),
            None => Arriving::Stream(Stream::new(&Options::default())),
        });
        match arriving {
            Arriving::Stream(stream) => {
                if let Err(e) = stream.feed(bytes) {
                    *arriving = Arriving::Failed(e.to_string());
                }
            }
            Arriving::Archive(_, gathered) if (gathered.len() + bytes.len()) as u64 > MAX_FILE_BYTES => {
                *arriving = Arriving::Failed(format!("the archive is larger than {} MiB, the most parkview reads (MAX_FILE_BYTES)", MAX_FILE_BYTES >> 20));
            }
            Arriving::Archive(_, gathered) => gathered.extend_from_slice(bytes),
            Arriving::Failed(_) => {}
        }
    }

    fn profile(&self, id: u32) -> Option<&Profile> {
        self.snapshots.get(&id).map(|d| &d.profile)
    }

    /// The report of snapshot `id`. Its leak suspects weigh growth since the grouping's growth
    /// base (the diff's base), unless that is this snapshot or `id` is not among those it is
    /// for (the core also leaves out a base of another program).
    fn report(&self, id: u32, grouping: &Grouping) -> Response {
        match self.snapshots.get(&id) {
            Some(decoded) => {
                let base = grouping
                    .growth_base
                    .as_ref()
                    .filter(|(b, _)| *b != id && grouping.growth_for.contains(&id))
                    .and_then(|(b, name)| self.profile(*b).map(|p| (p, name.clone())));
                // The page sends only rules that read; a message that does not read silences nothing.
                let ignore = parkview::ignore::Rules::parse(&grouping.ignore).unwrap_or_default();
                let options = ReportOptions { by: grouping.group_by(), base, ignore, sample_type: grouping.sample_type.clone(), ..ReportOptions::default() };
                Response::Report { id, report: Box::new(report(decoded, &options)) }
            }
            None => Response::Failed { id, message: "this snapshot is no longer loaded".into() },
        }
    }

    /// Keeps what a load's input held: one snapshot under `id` (answered with its report), or
    /// several under `id` and the ids after it (answered as a bundle; past [`MAX_SNAPSHOTS`]
    /// they are listed as skipped).
    fn load(&mut self, id: u32, entries: Result<Entries, String>, grouping: &Grouping) -> Response {
        let (mut snapshots, mut skipped) = match entries {
            Ok(entries) => entries,
            Err(message) => return Response::Failed { id, message },
        };
        if snapshots.len() == 1 && skipped.is_empty() {
            let (_, decoded) = snapshots.remove(0);
            self.snapshots.insert(id, decoded);
            return self.report(id, grouping);
        }
        if snapshots.is_empty() {
            let message = skipped.first().map_or("the input holds no profile".into(), |(name, why)| format!("no member holds a profile ({name}: {why})"));
            return Response::Failed { id, message };
        }
        for (name, _) in snapshots.drain(MAX_SNAPSHOTS.min(snapshots.len())..) {
            skipped.push((name, format!("not read: the input holds more than {MAX_SNAPSHOTS} snapshots (MAX_SNAPSHOTS)")));
        }
        let mut out = Vec::new();
        for (i, (name, decoded)) in snapshots.into_iter().enumerate() {
            let at = id + i as u32;
            self.snapshots.insert(at, decoded);
            if let Response::Report { report, .. } = self.report(at, grouping) {
                out.push((at, name, report));
            }
        }
        Response::Bundle { id, snapshots: out, skipped }
    }

    pub fn handle(&mut self, request: Request) -> Response {
        match request {
            Request::Load { id, bytes, grouping } => self.load(id, entries(&bytes), &grouping),
            Request::Read { id, .. } => Response::Failed { id, message: "no file came with the request to read it".into() },
            Request::Finish { id, grouping } => {
                let entries = match self.arriving.remove(&id) {
                    Some(Arriving::Stream(stream)) => stream.finish_all().map(numbered).map_err(|e: DecodeError| e.to_string()),
                    Some(Arriving::Archive(kind, bytes)) => members(kind, &bytes),
                    Some(Arriving::Failed(message)) => Err(message),
                    None => Err(DecodeError::Empty.to_string()),
                };
                self.load(id, entries, &grouping)
            }
            Request::Regroup { id, grouping } => self.report(id, &grouping),
            Request::Compare { base, new, ids, similarity } => {
                let ids: Vec<u32> = ids.into_iter().filter(|&i| self.snapshots.contains_key(&i)).collect();
                let at = |id: u32| ids.iter().position(|&i| i == id);
                match (at(base), at(new)) {
                    (Some(b), Some(n)) => {
                        let by = GroupBy::comparison(Some(similarity), false, None, None);
                        let profiles: Vec<&Profile> = ids.iter().filter_map(|&i| self.profile(i)).collect();
                        let same_program = parkview::capture::same_program(profiles[b], profiles[n]);
                        Response::Compared { base, new, diff: Box::new(compare(&profiles, b, n, &by)), same_program }
                    }
                    _ => Response::Failed { id: new, message: "pick two loaded snapshots to compare".into() },
                }
            }
            Request::Parents { id, goroutine } => {
                let chain = self.profile(id).map_or_else(Vec::new, |p| parent_chain_rows(p, goroutine));
                Response::Parents { id, goroutine, chain }
            }
            Request::Forget { id } => {
                self.snapshots.remove(&id);
                self.arriving.remove(&id);
                Response::Forgotten { id }
            }
            Request::Share { ids, redaction, view } => {
                let named: Vec<(&str, &Decoded)> = ids.iter().filter_map(|(id, name)| self.snapshots.get(id).map(|d| (name.as_str(), d))).collect();
                match to_fragment(&Shared { view, snapshots: redact(&named, &redaction) }) {
                    Ok(fragment) => Response::Shared { fragment },
                    Err(e) => Response::ShareFailed { message: e.to_string() },
                }
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
    use parkview::group::Similarity;
    use parkview::share::Redaction;
    use wasm_bindgen_test::wasm_bindgen_test;

    const S1: &[u8] = include_bytes!("../../tests/fixtures/go1.27/service.s1.goroutine.debug2.txt");
    const S3: &[u8] = include_bytes!("../../tests/fixtures/go1.27/service.s3.goroutine.debug2.txt");

    #[wasm_bindgen_test]
    fn a_zip_and_a_text_of_several_dumps_load_as_bundles_whole_or_in_slices() {
        const ZIP: &[u8] = include_bytes!("../../tests/fixtures/bundle/debug-zip.zip");
        const RUNS: &[u8] = include_bytes!("../../tests/fixtures/wild2/091-fcavani-droute-panic-log-6-runs-appended-custom-log-header.txt");
        let mut e = Engine::default();
        let Response::Bundle { id, snapshots, skipped } = e.handle(Request::Load { id: 100, bytes: ZIP.to_vec(), grouping: Grouping::default() }) else {
            panic!()
        };
        assert_eq!(id, 100);
        let read: Vec<(u32, &str, Option<i64>)> = snapshots.iter().map(|(i, n, r)| (*i, n.as_str(), r.goroutines)).collect();
        assert_eq!(read, [(100, "nodes/1/goroutines.txt", Some(53)), (101, "nodes/2/goroutine.pb.gz", Some(112))]);
        assert_eq!(skipped.len(), 1);
        assert!(skipped[0].1.contains("JSON"));
        // In slices, as the worker reads a file.
        for piece in RUNS.chunks(1000) {
            e.feed(200, piece);
        }
        let Response::Bundle { snapshots, .. } = e.handle(Request::Finish { id: 200, grouping: Grouping::default() }) else { panic!() };
        assert_eq!(snapshots.iter().map(|(i, n, _)| (*i, n.clone())).collect::<Vec<_>>(), (0..6).map(|i| (200 + i, format!("#{}", i + 1))).collect::<Vec<_>>());
        for piece in ZIP.chunks(1000) {
            e.feed(300, piece);
        }
        assert!(matches!(e.handle(Request::Finish { id: 300, grouping: Grouping::default() }), Response::Bundle { .. }));
        // Two snapshots of the zip compare as any two do.
        assert!(matches!(
            e.handle(Request::Compare { base: 100, new: 101, ids: vec![100, 101], similarity: Similarity::Functions }),
            Response::Compared { .. }
        ));
    }

    #[wasm_bindgen_test]
    fn loads_regroups_compares_and_forgets() {
        let mut e = Engine::default();
        let Response::Report { report, .. } = e.handle(Request::Load { id: 1, bytes: S1.to_vec(), grouping: Grouping::default() }) else { panic!() };
        assert_eq!(report.goroutines, Some(53));
        e.handle(Request::Load { id: 2, bytes: S3.to_vec(), grouping: Grouping::default() });
        let by_fn = Grouping {
            similarity: Similarity::Functions,
            label_key: Some("tenant".into()),
            growth_base: Some((1, "s1".into())),
            growth_for: vec![1, 2],
            ignore: String::new(),
            sample_type: None,
        };
        let Response::Report { report, .. } = e.handle(Request::Regroup { id: 2, grouping: by_fn }) else { panic!() };
        assert!(report.leak_suspects[0].delta.is_some());
        let Response::Compared { diff, .. } = e.handle(Request::Compare { base: 1, new: 2, ids: vec![1, 2], similarity: Similarity::Functions }) else {
            panic!()
        };
        assert_eq!(diff.rows[0].delta, 42);
        assert_eq!(diff.rows[0].timeline, None);
        let Response::Parents { chain, .. } = e.handle(Request::Parents { id: 2, goroutine: 23 }) else { panic!() };
        assert_eq!(chain.iter().map(|c| c.goroutine).collect::<Vec<_>>(), vec![23, 1]);
        let Response::Shared { fragment } =
            e.handle(Request::Share { ids: vec![(1, "a".into()), (2, "b".into())], redaction: Redaction::default(), view: "{}".into() })
        else {
            panic!()
        };
        let Response::Imported { snapshots, view } = e.handle(Request::Import { text: fragment, first_id: 10, grouping: Grouping::default() }) else {
            panic!()
        };
        assert_eq!((snapshots.len(), snapshots[1].0, view.as_str()), (2, 11, "{}"));
        assert!(matches!(e.handle(Request::Import { text: "#v1.!!".into(), first_id: 20, grouping: Grouping::default() }), Response::ImportFailed { .. }));
        e.handle(Request::Forget { id: 1 });
        assert!(matches!(e.handle(Request::Compare { base: 1, new: 2, ids: vec![], similarity: Similarity::Functions }), Response::Failed { .. }));
    }
}
