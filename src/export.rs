//! Exports of a report for places outside parkview: a Markdown summary for incident notes and
//! issue trackers, and the wait-state chart as a standalone SVG. Everything they quote comes
//! from the input (function names, states, labels, panic text), so it is escaped for where it
//! lands: Markdown so that no quoted text becomes markup, a link, HTML or a table cell of its
//! own; SVG so that the file is well-formed XML whatever it quotes.

use crate::gofunc::Family;
use crate::report::Report;

/// Text as Markdown shows it literally: every ASCII punctuation character that CommonMark or
/// GitHub's tables give a meaning (`\ ` * _ [ ] < > # | ! ( ) ~ &`) is backslash-escaped, and
/// line breaks become spaces so that a table row stays one line.
pub fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '(' | ')' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Text as a Markdown code span: fenced with more backticks than it holds in a row (the
/// CommonMark rule), pipes escaped (GitHub ends a table cell at any unescaped `|`, also inside
/// code), line breaks as spaces.
pub fn markdown_code(text: &str) -> String {
    let text: String = text.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).filter(|c| !c.is_control()).collect();
    let text = text.replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // A space inside the fence when the text starts or ends with a backtick (or the fence
    // would run into it).
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A Markdown summary of a snapshot named `name`: totals, the crash, wait states, leak
/// suspects, the groups at `groups` (indexes into `r.groups`, at most 20), top functions.
pub fn markdown(name: &str, r: &Report, groups: &[usize]) -> String {
    let mut out = format!("### parkview: {}\n\n", markdown_text(name));
    out += &format!("- format: {}, profile: {}\n", markdown_code(&r.format), markdown_code(&r.profile));
    if let Some(g) = r.goroutines {
        out += &format!("- goroutines: **{g}** in {} groups\n", r.groups.len());
    }
    if let Some(l) = r.leaked.filter(|&l| l > 0) {
        out += &format!("- leaked: **{l}**\n");
    }
    if let Some(c) = &r.crash {
        for p in &c.panic {
            out += &format!("- {}\n", markdown_code(p));
        }
        if let Some(f) = &c.fatal_error {
            out += &format!("- {}\n", markdown_code(&format!("fatal error: {f}")));
        }
    }
    if let Some(states) = &r.states {
        let mut states: Vec<_> = states.iter().collect();
        states.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        out += "\n| wait state | goroutines |\n|---|---:|\n";
        for (s, n) in states {
            out += &format!("| {} | {n} |\n", markdown_text(s));
        }
    }
    if !r.leak_suspects.is_empty() {
        out += "\n**Leak suspects**\n\n";
        for (i, s) in r.leak_suspects.iter().take(5).enumerate() {
            out += &format!("{}. {}\n", i + 1, markdown_text(&s.explanation));
        }
    }
    if !groups.is_empty() {
        out += "\n| count | state | where |\n|---:|---|---|\n";
        for &i in groups.iter().take(20) {
            let Some(g) = r.groups.get(i) else { continue };
            let at = g.site.as_ref().map_or(String::new(), |f| format!("{} {}", markdown_code(&f.func), markdown_text(&f.place().unwrap_or_default())));
            out += &format!("| {} | {} | {at} |\n", g.count, markdown_text(g.state.as_deref().unwrap_or("unknown")));
        }
    }
    for (kind, rows) in &r.top {
        out += &format!("\n| flat | cum | function ({}) |\n|---:|---:|---|\n", markdown_text(kind));
        for t in rows.iter().take(10) {
            out += &format!("| {} | {} | {} |\n", t.flat, t.cum, markdown_code(&t.func));
        }
    }
    out
}

/// Text as XML character data or an attribute value: markup characters as entities, and the
/// characters XML 1.0 does not allow at all (most control characters) left out.
pub fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

/// The colour of a wait-state family in exports (the page's light theme).
pub fn family_colour(family: Family) -> &'static str {
    match family {
        Family::Channel => "#2f6fde",
        Family::Select => "#7b61ff",
        Family::Lock => "#d9480f",
        Family::Io => "#0ca678",
        Family::Sleep => "#f59f00",
        Family::Running | Family::Syscall => "#495057",
        Family::Unknown => "#ced4da",
        Family::Other | Family::Runtime => "#868e96",
    }
}

/// The wait-state chart as a standalone SVG: a bar per state, longest first (colours inline,
/// since it leaves the page).
pub fn states_svg(r: &Report) -> String {
    let mut states: Vec<_> = r.states.iter().flatten().collect();
    states.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let max = states.first().map_or(1, |s| *s.1).max(1) as f64;
    let height = 24 * states.len() + 10;
    let mut out = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
    for (i, (s, n)) in states.iter().enumerate() {
        let y = 5 + 24 * i;
        let w = (380.0 * **n as f64 / max).max(0.0);
        let colour = family_colour(Family::of(Some(s.as_str())));
        out += &format!(
            "<text x=\"0\" y=\"{}\">{}</text><text x=\"210\" y=\"{}\" text-anchor=\"end\">{n}</text><rect x=\"220\" y=\"{y}\" width=\"{w:.1}\" height=\"16\" fill=\"{colour}\"/>\n",
            y + 12,
            xml_text(s),
            y + 12
        );
    }
    out + "</svg>\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_outlast_the_backticks_they_hold() {
        assert_eq!(markdown_code("main.main"), "`main.main`");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`x``"), "``` `x`` ```");
        assert_eq!(markdown_code("a|b\nc"), "`a\\|b c`");
    }

    #[test]
    fn text_keeps_no_markup() {
        assert_eq!(markdown_text("[x](javascript:alert(1)) <b>*"), "\\[x\\]\\(javascript:alert\\(1\\)\\) \\<b\\>\\*");
    }

    #[test]
    fn xml_text_is_escaped_and_valid() {
        assert_eq!(xml_text("a<b>&\"c'\u{1}\u{FFFF}"), "a&lt;b&gt;&amp;&quot;c&apos;");
    }
}
