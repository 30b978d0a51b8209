//! Searching rows: plain text (any case), or `/regex/` (any case), in time linear in what is
//! searched. Patterns come from the user and from links, so they are compiled with
//! `regex-lite` (a Pike VM: no backtracking, `O(m * n)` per search) under size limits, never
//! by a backtracking engine such as JavaScript's RegExp.

use thiserror::Error;

/// The longest search text read, in characters: a search is typed, and a link may carry one.
pub const MAX_SEARCH_CHARS: usize = 256;
/// The most memory a compiled pattern may take (regex-lite's `size_limit`), which bounds the
/// `m` of its `O(m * n)` search time.
pub const MAX_PATTERN_BYTES: usize = 32 << 10;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SearchError {
    #[error("the search is longer than {MAX_SEARCH_CHARS} characters")]
    TooLong,
    #[error("not a regular expression: {0}")]
    Pattern(String),
}

/// What a search text asks for.
#[derive(Debug, Clone)]
pub enum Search {
    /// Empty: everything matches.
    All,
    /// Lowercased; matches text that contains it in any case.
    Text(String),
    Regex(regex_lite::Regex),
}

impl Search {
    /// Reads a search: `/…/` is a regular expression (regex-lite's syntax, case-insensitive),
    /// anything else plain text.
    pub fn parse(text: &str) -> Result<Search, SearchError> {
        let text = text.trim();
        if text.chars().count() > MAX_SEARCH_CHARS {
            return Err(SearchError::TooLong);
        }
        if text.is_empty() {
            return Ok(Search::All);
        }
        match text.strip_prefix('/').and_then(|s| s.strip_suffix('/')).filter(|p| !p.is_empty()) {
            Some(pattern) => regex_lite::RegexBuilder::new(pattern)
                .case_insensitive(true)
                .size_limit(MAX_PATTERN_BYTES)
                .build()
                .map(Search::Regex)
                .map_err(|e| SearchError::Pattern(e.to_string().lines().last().unwrap_or_default().trim().to_string())),
            None => Ok(Search::Text(text.to_lowercase())),
        }
    }

    pub fn matches(&self, text: &str) -> bool {
        match self {
            Search::All => true,
            Search::Text(t) => text.to_lowercase().contains(t.as_str()),
            Search::Regex(re) => re.is_match(text),
        }
    }

    pub fn is_all(&self) -> bool {
        matches!(self, Search::All)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_patterns_match_in_any_case() {
        assert!(Search::parse("QUERYbackend").unwrap().matches("search.(*A).queryBackend"));
        let re = Search::parse("/pump|watchcancel/").unwrap();
        assert!(re.matches("main.pump") && re.matches("net/http.(*persistConn).watchCancel") && !re.matches("main.main"));
        assert!(Search::parse("  ").unwrap().is_all());
    }

    #[test]
    fn bad_and_oversized_patterns_are_errors() {
        assert!(matches!(Search::parse("/(/"), Err(SearchError::Pattern(_))));
        assert_eq!(Search::parse(&"a".repeat(MAX_SEARCH_CHARS + 1)).unwrap_err(), SearchError::TooLong);
        assert!(matches!(Search::parse("/a{1000}{1000}/"), Err(SearchError::Pattern(_))));
    }

    #[test]
    fn a_catastrophic_backtracking_pattern_is_linear() {
        // `(a+)+$` takes exponential time in a backtracking engine on `aaaa…b`.
        let re = Search::parse("/(a+)+$/").unwrap();
        let hay = format!("{}b", "a".repeat(100_000));
        assert!(!re.matches(&hay));
    }
}
