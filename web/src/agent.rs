//! The Web Worker that runs the core, so that decoding a big dump never blocks the page.

use parkview::report::{report, Report, ReportOptions};
use parkview::{decode, Options};
use serde::{Deserialize, Serialize};
use yew_agent::oneshot::oneshot;

/// A file (or pasted text) to analyse.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalyseInput {
    pub bytes: Vec<u8>,
}

/// The report rows, or the one sentence that says why the input could not be read.
pub type AnalyseOutput = Result<Report, String>;

/// Decodes and reports; the same call runs in the worker and, for component tests, in the page.
pub fn analyse(bytes: &[u8]) -> AnalyseOutput {
    decode(bytes, &Options::default()).map(|decoded| report(&decoded, &ReportOptions::default())).map_err(|e| e.to_string())
}

#[oneshot]
pub async fn Analyser(input: AnalyseInput) -> AnalyseOutput {
    analyse(&input.bytes)
}
