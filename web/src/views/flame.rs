//! A flame graph (an icicle, root on top) of the report's call tree: for goroutine profiles the
//! goroutines per stack, coloured by each frame's dominant wait state; for others the sample
//! type picked, coloured by package. A frame clicked (or Enter on it) fills the width, its
//! callers stay above as a path; Escape or "reset zoom" goes back. The search highlights the
//! frames whose function matches and says what share of the total they hold. Rectangles and
//! colours are SVG attributes and classes (the page's CSP allows no inline style).

use crate::views::state_family;
use crate::views::top::{percent, sample_type_picker, unit_of, value_text};
use parkview::gofunc::{package_of, short_name};
use parkview::report::Report;
use parkview::rows::FlameNode;
use parkview::search::Search;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

const ROW: f64 = 18.0;
const WIDTH: f64 = 1200.0;
/// Rows drawn below the frame zoomed to (the root unless zoomed); the tree above them still
/// sums them, and zooming in shows them.
const MAX_DEPTH: usize = 40;
/// The widest a character of the labels' 11px sans-serif is taken to be, in SVG units: labels
/// are cut to what surely fits.
const CHAR_WIDTH: f64 = 6.8;

#[derive(Properties, PartialEq)]
pub struct FlameProps {
    pub report: Rc<Report>,
    /// A sample type picked (its kind).
    pub on_sample_type: Callback<String>,
}

/// Where a word of a Go name ends: after a path or package separator, a receiver's
/// parenthesis or star, an underscore.
fn is_boundary(c: char) -> bool {
    matches!(c, '.' | '/' | '(' | ')' | '*' | '_' | '-' | ' ' | '[' | ']')
}

/// `name` cut to `max` characters: whole, or up to its last word boundary that fits followed by
/// "…"; nothing where no whole first word and "…" fit. Never mid-word: what a label shows is
/// then whole words of its accessible name (axe's label-content-name-mismatch compares words).
pub fn ellipsised(name: &str, max: usize) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= max {
        return name.to_string();
    }
    let room = max.saturating_sub(1);
    match (1..=room.min(chars.len())).rev().find(|&i| is_boundary(chars[i - 1])) {
        Some(cut) => chars[..cut].iter().chain(['…'].iter()).collect(),
        None => String::new(),
    }
}

/// The colour class of a frame: its dominant wait state's family for goroutine profiles, else
/// one of six hues by its package (so a package keeps its colour across frames and reloads).
fn colour(node: &FlameNode, goroutines: bool) -> String {
    if goroutines {
        return state_family(node.state.as_deref()).to_string();
    }
    let package = package_of(&node.func);
    let hash = package.bytes().fold(2166136261u32, |h, b| (h ^ b as u32).wrapping_mul(16777619));
    format!("hue{}", hash % 6)
}

/// The index of each node's parent (the root has none), from the preorder list.
fn parents(nodes: &[FlameNode]) -> Vec<Option<usize>> {
    let mut path: Vec<usize> = Vec::new();
    let mut out = Vec::with_capacity(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        path.truncate(n.depth as usize);
        out.push(path.last().copied());
        path.push(i);
    }
    out
}

/// The end (exclusive) of node `i`'s subtree in the preorder list.
fn subtree_end(nodes: &[FlameNode], i: usize) -> usize {
    let depth = nodes[i].depth;
    nodes[i + 1..].iter().position(|n| n.depth <= depth).map_or(nodes.len(), |p| i + 1 + p)
}

/// What a frame is drawn as: which node, where, and how.
struct Placed {
    index: usize,
    x: f64,
    w: f64,
    depth: usize,
    /// A caller of the frame zoomed to, drawn full width above it.
    ancestor: bool,
}

/// Places the frames: the ancestors of `zoom` full width, then its subtree scaled to the
/// width (a node starts where its parent's previous child ended).
fn place(nodes: &[FlameNode], zoom: usize, ancestors: &[usize]) -> Vec<Placed> {
    let mut out: Vec<Placed> = ancestors.iter().map(|&a| Placed { index: a, x: 0.0, w: WIDTH, depth: nodes[a].depth as usize, ancestor: true }).collect();
    let top = nodes[zoom].depth as usize;
    let scale = WIDTH / nodes[zoom].value.max(1) as f64;
    let mut cursor: Vec<f64> = vec![0.0; MAX_DEPTH + 2];
    for (index, node) in nodes.iter().enumerate().take(subtree_end(nodes, zoom)).skip(zoom) {
        let rel = node.depth as usize - top;
        if rel > MAX_DEPTH {
            continue;
        }
        let x = cursor[rel];
        let w = node.value as f64 * scale;
        cursor[rel] += w;
        cursor[rel + 1] = x;
        if w >= 0.5 {
            out.push(Placed { index, x, w, depth: node.depth as usize, ancestor: false });
        }
    }
    out
}

/// The share of `root` the matching frames hold: each match counted once, not again under
/// a matching caller.
fn matched_share(nodes: &[FlameNode], search: &Search) -> i64 {
    let mut inside: Option<u32> = None;
    let mut sum = 0i64;
    for n in nodes.iter().skip(1) {
        if inside.is_some_and(|d| n.depth <= d) {
            inside = None;
        }
        if inside.is_none() && search.matches(&n.func) {
            inside = Some(n.depth);
            sum = sum.saturating_add(n.value);
        }
    }
    sum
}

#[function_component(Flame)]
pub fn flame(props: &FlameProps) -> Html {
    // The frame zoomed to, by index and function (an index of an older report is dropped).
    let zoom = use_state_eq(|| None::<(usize, String)>);
    let search_text = use_state_eq(String::new);
    let section = use_node_ref();
    // After a zoom the frame zoomed to has the focus, after a reset the root: the frame
    // clicked or left may be gone from the page, and with it the focus that Escape and Tab
    // go on from. Not on the first drawing: opening the view takes no focus.
    let drawn = use_mut_ref(|| false);
    {
        let section = section.clone();
        let at = (*zoom).as_ref().map(|z| z.0);
        use_effect_with(at, move |at| {
            if std::mem::replace(&mut *drawn.borrow_mut(), true) {
                let selector = if at.is_some() { "g.flame-node.zoomed" } else { "g.flame-node" };
                let frame = section.cast::<web_sys::Element>().and_then(|s| s.query_selector(selector).ok().flatten());
                if let Some(g) = frame.and_then(|g| g.dyn_into::<web_sys::SvgElement>().ok()) {
                    let _ = g.focus();
                }
            }
        });
    }
    let nodes = &props.report.flame;
    let Some(root) = nodes.first().filter(|r| r.value > 0) else {
        return html! { <section class="flame" aria-label="flame graph"><p class="muted">{ "Nothing to draw: the profile has no samples." }</p></section> };
    };
    let r = &props.report;
    let goroutines = r.goroutines.is_some();
    let kind = r.flame_sample_type.clone().unwrap_or_else(|| "goroutine".into());
    let unit = unit_of(r, &kind).to_string();
    let what = if goroutines { "goroutines".to_string() } else { kind.clone() };
    let amount = |v: i64| {
        if goroutines {
            format!("{} goroutine{}", value_text(v, "count"), if v == 1 { "" } else { "s" })
        } else if unit == "count" {
            format!("{} {kind}", value_text(v, &unit))
        } else {
            value_text(v, &unit)
        }
    };

    let zoomed = (*zoom).as_ref().filter(|(i, f)| nodes.get(*i).is_some_and(|n| &n.func == f)).map(|(i, _)| *i);
    let at = zoomed.unwrap_or(0);
    let parent = parents(nodes);
    let mut ancestors = Vec::new();
    let mut p = parent[at];
    while let Some(a) = p {
        ancestors.push(a);
        p = parent[a];
    }
    ancestors.reverse();
    let placed = place(nodes, at, &ancestors);
    let search = Search::parse(&search_text);
    let search_error = search.as_ref().err().map(|e| e.to_string());
    let search = search.ok().filter(|s| !s.is_all());

    let reset = {
        let zoom = zoom.clone();
        Callback::from(move |_: MouseEvent| zoom.set(None))
    };
    let onkeydown = {
        let (zoom, search_text) = (zoom.clone(), search_text.clone());
        let zoomed = zoomed.is_some();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() != "Escape" {
                return;
            }
            // Escape undoes the zoom, then the search; only then is it the page's.
            if zoomed {
                zoom.set(None);
            } else if !search_text.is_empty() {
                search_text.set(String::new());
            } else {
                return;
            }
            e.prevent_default();
            e.stop_propagation();
        })
    };
    let oninput = {
        let search_text = search_text.clone();
        Callback::from(move |e: InputEvent| search_text.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };

    let max_depth = placed.iter().map(|p| p.depth).max().unwrap_or(0);
    let frames = placed.iter().map(|p| {
        let node = &nodes[p.index];
        let y = p.depth as f64 * ROW;
        let label = ellipsised(short_name(&node.func), ((p.w - 6.0) / CHAR_WIDTH).max(0.0) as usize);
        let matched = search.as_ref().map(|s| s.matches(&node.func));
        let class = classes!(
            "flame-node",
            colour(node, goroutines),
            p.ancestor.then_some("ancestor"),
            (zoomed == Some(p.index)).then_some("zoomed"),
            matched.map(|m| if m { "match" } else { "dim" })
        );
        let state = node.state.as_deref().filter(|_| goroutines).map(|s| format!(", mostly {s}")).unwrap_or_default();
        let tip = format!("{}\n{} ({} of all{state})", node.func, amount(node.value), percent(node.value, root.value));
        let target = (p.index, node.func.clone());
        let onclick = {
            let (zoom, target) = (zoom.clone(), target.clone());
            Callback::from(move |_: MouseEvent| zoom.set(if target.0 == 0 { None } else { Some(target.clone()) }))
        };
        let onkeydown = {
            let zoom = zoom.clone();
            Callback::from(move |e: KeyboardEvent| {
                if e.key() == "Enter" || e.key() == " " {
                    e.prevent_default();
                    e.stop_propagation();
                    zoom.set(if target.0 == 0 { None } else { Some(target.clone()) });
                }
            })
        };
        html! {
            <g {class} tabindex="0" role="button" aria-label={tip.replace('\n', ": ")} data-func={node.func.clone()} data-value={node.value.to_string()}
               {onclick} {onkeydown}>
                <title>{ tip }</title>
                <rect x={format!("{:.1}", p.x)} y={format!("{y:.1}")} width={format!("{:.1}", (p.w - 0.5).max(0.5))} height={format!("{:.1}", ROW - 1.0)}/>
                <text x={format!("{:.1}", p.x + 3.0)} y={format!("{:.1}", y + 13.0)}>{ label }</text>
            </g>
        }
    });
    let height = (max_depth + 1) as f64 * ROW;
    let share = search.as_ref().map(|s| {
        let sum = matched_share(nodes, s);
        let pct = if root.value > 0 { sum as f64 * 100.0 / root.value as f64 } else { 0.0 };
        let pct = if pct > 0.0 && pct < 1.0 { format!("{pct:.1}%") } else { format!("{pct:.0}%") };
        format!("matches {pct} of {what} ({})", amount(sum))
    });
    html! {
        <section class="flame" aria-label="flame graph" ref={section} {onkeydown}>
            <div class="flame-controls">
                <input class="flame-search" type="search" data-testid="flame-search" aria-label="highlight functions (text or /regex/)"
                       placeholder="highlight functions: text or /regex/" value={(*search_text).clone()} {oninput}/>
                if let Some(share) = share {
                    <span class="flame-share" data-testid="flame-share" role="status">{ share }</span>
                }
                if let Some(err) = search_error {
                    <span class="search-error" data-testid="flame-search-error" role="alert">{ err }</span>
                }
                { sample_type_picker(r, &props.on_sample_type) }
                if zoomed.is_some() {
                    <button class="button small" data-testid="flame-reset" onclick={reset}>{ "reset zoom" }</button>
                }
            </div>
            <p class="muted">{ format!("{} in all; click a frame (or Tab to it and press Enter) to zoom, Escape to go back. Root on top, callees below.", amount(root.value)) }</p>
            <svg class="flame-svg" viewBox={format!("0 0 {WIDTH} {height}")} data-testid="flame-graph">{ for frames }</svg>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn labels_end_at_a_word_or_with_an_ellipsis() {
        assert_eq!(ellipsised("(*Server).Serve", 20), "(*Server).Serve");
        assert_eq!(ellipsised("(*Server).ServeHTTP", 14), "(*Server).…");
        assert_eq!(ellipsised("abcdefghijklmnop", 8), "");
        assert_eq!(ellipsised("inventory.(*PriceCache).Get", 6), "");
        assert_eq!(ellipsised("inventory.(*PriceCache).Get", 11), "inventory.…");
        assert_eq!(ellipsised("inventory.(*PriceCache).Get", 12), "inventory.(…");
        assert_eq!(ellipsised("sync.runtime_SemacquireMutex", 18), "sync.runtime_…");
    }

    fn node(func: &str, value: i64, depth: u32) -> FlameNode {
        FlameNode { func: func.into(), value, depth, state: None }
    }

    #[wasm_bindgen_test]
    fn a_match_under_a_match_counts_once() {
        let nodes = [node("all", 10, 0), node("main.run", 6, 1), node("main.runner", 4, 2), node("x.run", 4, 1)];
        assert_eq!(matched_share(&nodes, &Search::parse("run").unwrap()), 10);
        assert_eq!(matched_share(&nodes, &Search::parse("/^main/").unwrap()), 6);
        assert_eq!(parents(&nodes), [None, Some(0), Some(1), Some(0)]);
        assert_eq!(subtree_end(&nodes, 1), 3);
    }
}
