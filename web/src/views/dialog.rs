//! Dialogs: the keyboard help, and what every dialog is. A modal dialog as the WAI-ARIA dialog pattern has it: it takes focus when it opens, keeps
//! Tab and Shift+Tab among its own controls, and gives focus back to what had it when it
//! closes. Escape closes it through the page's keyboard hook (`Action::Escape`).

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};
use yew::prelude::*;

/// What can take focus inside a dialog, in document order.
const FOCUSABLE: &str =
    "button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select:not([disabled]), a[href], [tabindex]:not([tabindex=\"-1\"])";

#[derive(Properties, PartialEq)]
pub struct DialogProps {
    /// The dialog's accessible name.
    pub label: AttrValue,
    /// Classes added to the dialog's box (the overlay around it is `overlay`).
    #[prop_or_default]
    pub class: Classes,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    pub children: Html,
}

#[function_component(Dialog)]
pub fn dialog(props: &DialogProps) -> Html {
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with((), move |_| {
            let document = gloo::utils::document();
            let before = document.active_element().and_then(|e| e.dyn_into::<HtmlElement>().ok());
            if let Some(el) = node.cast::<HtmlElement>() {
                let _ = el.focus();
            }
            move || match before.filter(|e| e.is_connected() && e.tag_name() != "BODY") {
                Some(e) => drop(e.focus()),
                // Nothing to go back to (opened by a key): the page has focus again.
                None => {
                    if let Some(e) = gloo::utils::document().active_element().and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                        let _ = e.blur();
                    }
                }
            }
        });
    }
    let on_key = {
        let node = node.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() != "Tab" {
                return;
            }
            let Some(dialog) = node.cast::<Element>() else { return };
            let Ok(list) = dialog.query_selector_all(FOCUSABLE) else { return };
            let items: Vec<HtmlElement> = (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok()).collect();
            let (Some(first), Some(last)) = (items.first(), items.last()) else { return };
            let active = gloo::utils::document().active_element();
            let at = |el: &HtmlElement| active.as_ref().is_some_and(|a| a == el.unchecked_ref::<Element>());
            let on_dialog = active.as_ref().is_some_and(|a| a == &dialog);
            if e.shift_key() && (at(first) || on_dialog) {
                e.prevent_default();
                let _ = last.focus();
            } else if !e.shift_key() && at(last) {
                e.prevent_default();
                let _ = first.focus();
            }
        })
    };
    html! {
        <div class="overlay">
            <div ref={node} class={classes!("dialog", props.class.clone())} role="dialog" aria-modal="true" aria-label={props.label.clone()}
                 tabindex="-1" onkeydown={on_key} data-testid={props.testid.clone()}>
                { props.children.clone() }
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<()>,
}

/// The keyboard shortcuts.
#[function_component(Help)]
pub fn help(props: &HelpProps) -> Html {
    let close = props.on_close.reform(|_| ());
    let keys = [
        ("/", "search the groups"),
        ("j / k", "next / previous group"),
        ("Enter", "show or hide the selected group's stack"),
        ("Tab, Enter / Space", "a group row: show or hide its stack"),
        ("1 … 5", "summary, groups, diff, creators, flame"),
        ("← → Home End", "the next, previous, first, last tab (on a tab)"),
        ("d", "the diff"),
        ("t", "light / dark / system theme"),
        ("?", "this help"),
        ("Esc", "close a dialog; in a text field, clear it, then leave it"),
        ("Ctrl/⌘ + V", "paste a dump"),
    ];
    html! {
        <Dialog label="keyboard shortcuts" testid="help">
            <h2>{ "Keyboard" }</h2>
            <table class="compact"><tbody>
                { for keys.iter().map(|(k, what)| html! { <tr><td><kbd>{ *k }</kbd></td><td>{ *what }</td></tr> }) }
            </tbody></table>
            <button class="button" onclick={close}>{ "Close" }</button>
        </Dialog>
    }
}
