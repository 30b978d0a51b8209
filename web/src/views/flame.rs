//! A flame graph (an icicle, root on top) of the report's call tree: for goroutine profiles the
//! goroutines per stack, for others the default sample type. Rectangles are SVG attributes.

use parkview::gofunc::short_name;
use parkview::report::Report;
use parkview::rows::FlameNode;
use std::rc::Rc;
use yew::prelude::*;

const ROW: f64 = 18.0;
const WIDTH: f64 = 1200.0;
/// Deeper rows are not drawn; the tree above them still sums them.
const MAX_DEPTH: usize = 40;

#[derive(Properties, PartialEq)]
pub struct FlameProps {
    pub report: Rc<Report>,
}

/// Draws the preorder list: a node starts where its parent's next child starts.
fn draw(nodes: &[FlameNode], scale: f64) -> (Vec<Html>, usize) {
    let mut cursor: Vec<f64> = vec![0.0; MAX_DEPTH + 2];
    let mut out = Vec::new();
    let mut max_depth = 0;
    for node in nodes {
        let depth = node.depth as usize;
        if depth > MAX_DEPTH {
            continue;
        }
        let x = cursor[depth];
        let w = node.value as f64 * scale;
        cursor[depth] += w;
        cursor[depth + 1] = x;
        if w < 0.5 {
            continue;
        }
        max_depth = max_depth.max(depth);
        let y = depth as f64 * ROW;
        let hue = (node.func.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32)) % 6) as usize;
        let label = if w > 40.0 { short_name(&node.func).chars().take((w / 7.0) as usize).collect::<String>() } else { String::new() };
        out.push(html! {
            <g class={format!("flame-node hue{hue}")}>
                <title>{ format!("{} — {}", node.func, node.value) }</title>
                <rect x={format!("{x:.1}")} y={format!("{y:.1}")} width={format!("{:.1}", (w - 0.5).max(0.5))} height={format!("{:.1}", ROW - 1.0)}/>
                <text x={format!("{:.1}", x + 3.0)} y={format!("{:.1}", y + 13.0)}>{ label }</text>
            </g>
        });
    }
    (out, max_depth)
}

#[function_component(Flame)]
pub fn flame(props: &FlameProps) -> Html {
    let Some(root) = props.report.flame.first().filter(|r| r.value > 0) else {
        return html! { <section class="flame" aria-label="flame graph"><p class="muted">{ "Nothing to draw: the profile has no samples." }</p></section> };
    };
    let (nodes, depth) = draw(&props.report.flame, WIDTH / root.value as f64);
    let height = (depth + 1) as f64 * ROW;
    html! {
        <section class="flame" aria-label="flame graph">
            <p class="muted">{ format!("{} in all; hover a frame for its name and value. Root on top, callees below.", root.value) }</p>
            <svg class="flame-svg" viewBox={format!("0 0 {WIDTH} {height}")} data-testid="flame-graph">{ for nodes }</svg>
        </section>
    }
}
