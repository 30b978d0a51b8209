//! The exports quote the input; whatever it holds, the Markdown renders as text (no HTML, no
//! links, one table cell per column) and the SVG is well-formed XML.

use parkview::export::{markdown, states_svg};
use parkview::report::{report, ReportOptions};
use parkview::{decode, Options};
use pulldown_cmark::{Event, Options as Md, Parser, Tag, TagEnd};

/// A crash whose names, states and messages are written to break Markdown and XML.
const HOSTILE: &str = "panic: <script>alert(1)</script> | [x](javascript:alert(1)) `a``b`\n\n\
goroutine 1 [chan <receive> & \"|\" \u{1}]:\n\
main.`f`|[g](http://evil)<b>(0x1)\n\t/src/a|b/<x>.go:7 +0x1\n\n\
goroutine 2 [select]:\n\
main.h]]>&amp;\u{FFFF}()\n\t/src/c.go:9 +0x1\n";

#[test]
fn markdown_quotes_render_as_text() {
    let d = decode(HOSTILE.as_bytes(), &Options::default()).unwrap();
    let r = report(&d, &ReportOptions::default());
    let md = markdown("name | with [link](http://x) <b>", &r, &(0..r.groups.len()).collect::<Vec<_>>());
    let mut cells_per_row = Vec::new();
    let mut cells = 0;
    for event in Parser::new_ext(&md, Md::ENABLE_TABLES) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => panic!("raw HTML in the export: {h}\n{md}"),
            Event::Start(Tag::Link { dest_url, .. }) => panic!("a link in the export: {dest_url}\n{md}"),
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => cells_per_row.push(std::mem::take(&mut cells)),
            _ => {}
        }
    }
    // The states table has 2 columns, the groups table 3.
    assert!(cells_per_row.iter().all(|&n| n == 2 || n == 3), "{cells_per_row:?}\n{md}");
    assert!(cells_per_row.contains(&3));
}

#[test]
fn svg_is_well_formed_whatever_the_states() {
    let d = decode(HOSTILE.as_bytes(), &Options::default()).unwrap();
    let svg = states_svg(&report(&d, &ReportOptions::default()));
    let mut reader = quick_xml::Reader::from_str(&svg);
    reader.config_mut().check_end_names = true;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}\n{svg}", reader.buffer_position()),
        }
    }
    assert!(svg.contains(">chan &lt;receive&gt; &amp; &quot;|&quot; </text>"), "{svg}");
}
