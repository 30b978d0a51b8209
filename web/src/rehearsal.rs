//! The page's first load, rehearsed before the page says it is ready. Browsers compile
//! WebAssembly lazily, each function on its first call: without a rehearsal, the user's first
//! file pays for compiling every function that decodes an answer, reduces it into the state and
//! draws the summary and the groups table (measured in Chromium, between a 100,000-goroutine
//! debug=1 dump handed over and its summary: 75 ms of `wasm.CompileLazy` on the page's
//! thread, more than the decoding and drawing themselves). The worker's warm-up report (see
//! [`crate::engine::Engine::warm_up`]) has crossed as bincode already, which compiled the
//! decoding; here it goes through the reducer and is drawn, off the page, by the components the
//! app draws after a load.

use crate::state::{Action, State};
use crate::views::groups::Groups;
use crate::views::top::Top;
use crate::views::{SnapshotList, Summary, Tabs};
use gloo::timers::callback::Timeout;
use parkview::report::Report;
use std::rc::Rc;
use yew::prelude::*;

/// What one step of the rehearsal draws: each is a task of its own, so that none is long.
#[derive(Clone, Copy, PartialEq)]
enum Part {
    /// The snapshot list, the tabs, the summary and its top table.
    Summary,
    Groups,
}

#[derive(Properties, PartialEq)]
struct RehearsalProps {
    state: Rc<State>,
    part: Part,
}

/// What the app draws once a snapshot has loaded, with callbacks that do nothing.
#[function_component(Rehearsal)]
fn rehearsal(props: &RehearsalProps) -> Html {
    let state = &props.state;
    let Some(s) = state.active_snapshot() else { return html! {} };
    match props.part {
        Part::Summary => html! {
            <>
                <SnapshotList snapshots={state.snapshots.clone()} pending={state.pending.clone()} active={state.active}
                              on_select={Callback::noop()} on_remove={Callback::noop()} on_rename={Callback::noop()}/>
                <Tabs view={state.view} views={state.views()} on_show={Callback::noop()}/>
                <Summary report={s.report.clone()} rules={String::new()} rules_error={None::<String>} on_mark={Callback::noop()} on_rules={Callback::noop()}
                         on_copy={Callback::noop()} on_focus={Callback::noop()} on_state={Callback::noop()}
                         top={html! { <Top report={s.report.clone()} on_sample_type={Callback::noop()}/> }}/>
            </>
        },
        Part::Groups => html! {
            <Groups report={s.report.clone()} view={state.groups.clone()} search_ref={NodeRef::default()}
                    on_search={Callback::noop()} on_toggle_state={Callback::noop()} on_similarity={Callback::noop()}
                    on_toggle_background={Callback::noop()} on_label_key={Callback::noop()} on_sort={Callback::noop()}
                    on_select={Callback::noop()} on_toggle_args={Callback::noop()} on_copy={Callback::noop()} on_mark={Callback::noop()}
                    on_focus={Callback::noop()} on_clear_focus={Callback::noop()}/>
        },
    }
}

/// `report` reduced into a throwaway state as a load is.
fn loaded(report: Report) -> Rc<State> {
    let id = u32::MAX;
    Rc::new(State::default()).reduce(Action::Started { id, name: "rehearsal".into(), size: 0, modified: None, sample: false }).reduce(Action::Loaded {
        id,
        report,
        loaded_at: 0,
    })
}

/// Draws one part of `state` into `root` (yew draws it in a microtask after this task).
fn draw(root: web_sys::Element, state: Rc<State>, part: Part) -> yew::AppHandle<Rehearsal> {
    yew::Renderer::<Rehearsal>::with_root_and_props(root, RehearsalProps { state, part }).render()
}

/// Loads `report` into a throwaway state and draws it, a part a task, into elements that are
/// never attached to the page; then removes them and calls `done`. Each timeout comes after
/// the drawing asked for before it: yew draws in the microtasks that follow the asking task,
/// and continues in a later task only after this timeout was set, in order.
pub fn rehearse(report: Report, done: impl FnOnce() + 'static) {
    let state = loaded(report);
    let document = gloo::utils::document();
    let (Ok(first), Ok(second)) = (document.create_element("div"), document.create_element("div")) else {
        done();
        return;
    };
    let summary = draw(first, state.clone(), Part::Summary);
    Timeout::new(0, move || {
        let groups = draw(second, state, Part::Groups);
        Timeout::new(0, move || {
            summary.destroy();
            groups.destroy();
            done();
        })
        .forget();
    })
    .forget();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use js_sys::Promise;
    use std::cell::Cell;
    use wasm_bindgen::JsValue;
    use wasm_bindgen_futures::JsFuture;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// Each part draws the worker's warm-up report (drawn within the test, so that a view that
    /// panics on it fails the test), and the rehearsal calls `done` once, with nothing of it
    /// left on the page.
    #[wasm_bindgen_test]
    async fn the_warm_up_report_is_drawn_off_the_page_then_the_page_is_ready() {
        // The test runner's hook, not yew's (which only logs): a view that panics fails the test.
        yew::set_custom_panic_hook(std::panic::take_hook());
        let report = Engine::default().warm_up().expect("the warm-up dump reads");
        let goroutines = report.goroutines.expect("a goroutine dump");
        let document = gloo::utils::document();
        let summary = document.create_element("div").unwrap();
        let groups = document.create_element("div").unwrap();
        let state = loaded((*report).clone());
        let handles = (draw(summary.clone(), state.clone(), Part::Summary), draw(groups.clone(), state, Part::Groups));
        yew::scheduler::flush().await;
        let total = summary.query_selector("[data-testid=total-goroutines]").unwrap().expect("the summary is drawn");
        assert_eq!(total.text_content().unwrap().replace(',', ""), goroutines.to_string());
        assert!(groups.query_selector_all("[data-testid=group-row]").unwrap().length() > 0, "the groups table is drawn");
        handles.0.destroy();
        handles.1.destroy();

        let body = gloo::utils::body();
        let before = body.inner_html();
        let calls = Rc::new(Cell::new(0));
        let drawn = Promise::new(&mut |resolve, _| {
            let calls = calls.clone();
            rehearse((*report).clone(), move || {
                calls.set(calls.get() + 1);
                resolve.call0(&JsValue::NULL).expect("resolves");
            })
        });
        JsFuture::from(drawn).await.expect("the rehearsal ends");
        yew::scheduler::flush().await;
        assert_eq!((calls.get(), body.inner_html()), (1, before));
    }
}
