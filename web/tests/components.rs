//! Component tests in headless Chromium: each way of getting data in, through the real page
//! component and the real core (run on the page's thread: the test runner serves no worker).
#![cfg(target_arch = "wasm32")]

use gloo::timers::future::TimeoutFuture;
use js_sys::{Array, Uint8Array};
use parkview_web::app::{App, AppProps};
use parkview_web::hooks::Runner;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{ClipboardEvent, ClipboardEventInit, DataTransfer, DragEvent, DragEventInit, Element, Event, EventInit, File, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A real Go 1.27 deadlock traceback: 7 goroutines.
const DEADLOCK: &str = include_str!("../../tests/fixtures/crash/deadlock.txt");

/// Renders the page and waits until it is on screen with its listeners in place.
async fn render() -> Element {
    let document = gloo::utils::document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root_and_props(root.clone(), AppProps { runner: Runner::InPage }).render();
    wait_for_text(&root, ".page .hint", "paste").await;
    root
}

/// Waits (file reading is asynchronous) until `selector` inside `root` holds `text`.
async fn wait_for_text(root: &Element, selector: &str, text: &str) -> Element {
    for _ in 0..400 {
        yew::scheduler::flush().await;
        if let Some(el) = root.query_selector(selector).unwrap() {
            if el.text_content().unwrap_or_default().contains(text) {
                return el;
            }
        }
        TimeoutFuture::new(10).await;
    }
    panic!("{selector} never showed {text:?}; the page holds: {}", root.inner_html());
}

fn file(name: &str, text: &str) -> File {
    let parts = Array::of1(&Uint8Array::from(text.as_bytes()));
    File::new_with_u8_array_sequence(&parts, name).unwrap()
}

fn transfer_with_file(name: &str, text: &str) -> DataTransfer {
    let dt = DataTransfer::new().unwrap();
    dt.items().add_with_file(&file(name, text)).unwrap();
    dt
}

#[wasm_bindgen_test]
async fn the_file_picker_loads_a_dump() {
    let root = render().await;
    let input: HtmlInputElement = root.query_selector("[data-testid=file-input]").unwrap().unwrap().dyn_into().unwrap();
    input.set_files(transfer_with_file("deadlock.txt", DEADLOCK).files().as_ref());
    let init = EventInit::new();
    init.set_bubbles(true);
    input.dispatch_event(&Event::new_with_event_init_dict("change", &init).unwrap()).unwrap();
    wait_for_text(&root, "[data-testid=total-goroutines]", "7").await;
    let crash = wait_for_text(&root, "[data-testid=crash]", "deadlock").await;
    assert!(crash.text_content().unwrap().contains("all goroutines are asleep"));
}

#[wasm_bindgen_test]
async fn a_drop_loads_a_dump() {
    let root = render().await;
    let page = root.query_selector(".page").unwrap().unwrap();
    let init = DragEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_data_transfer(Some(&transfer_with_file("dropped.txt", DEADLOCK)));
    let drop = DragEvent::new_with_event_init_dict("drop", &init).unwrap();
    page.dispatch_event(&drop).unwrap();
    assert!(drop.default_prevented(), "the page must take the drop, not the browser");
    wait_for_text(&root, "[data-testid=total-goroutines]", "7").await;
    let rows = root.query_selector_all("[data-testid=state-row]").unwrap();
    assert_eq!(rows.length(), 6, "deadlock.txt has six distinct wait states");
}

fn paste(text: &str) {
    let dt = DataTransfer::new().unwrap();
    dt.set_data("text/plain", text).unwrap();
    let init = ClipboardEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_clipboard_data(Some(&dt));
    let event = ClipboardEvent::new_with_event_init_dict("paste", &init).unwrap();
    gloo::utils::body().dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn a_paste_loads_a_dump_and_a_bad_paste_shows_an_error() {
    let root = render().await;
    paste(DEADLOCK);
    wait_for_text(&root, "[data-testid=total-goroutines]", "7").await;
    paste("this is not a goroutine dump at all");
    let error = wait_for_text(&root, "[data-testid=error]", "looks like prose").await;
    assert!(error.text_content().unwrap().contains("pasted text"));
    // The dump loaded before is still shown.
    wait_for_text(&root, "[data-testid=total-goroutines]", "7").await;
}

/// Two goroutines parked at one line, called from two places: rows that read alike.
const ALIKE: &str = "goroutine 7 [chan receive, 9 minutes]:
main.wait(...)
\t/app/main.go:10
main.fromA()
\t/app/main.go:20 +0x1d
created by main.main in goroutine 1
\t/app/main.go:40 +0x25

goroutine 8 [chan receive, 5 minutes]:
main.wait(...)
\t/app/main.go:10
main.fromB()
\t/app/main.go:30 +0x1d
created by main.main in goroutine 1
\t/app/main.go:41 +0x25
";

#[wasm_bindgen_test]
async fn the_longest_waits_say_how_rows_that_read_alike_differ() {
    let root = render().await;
    paste(ALIKE);
    wait_for_text(&root, "[data-testid=total-goroutines]", "2").await;
    let told: Vec<String> = {
        let found = root.query_selector_all("[data-testid=differs]").unwrap();
        (0..found.length()).filter_map(|i| found.item(i)).map(|n| n.text_content().unwrap_or_default()).collect()
    };
    assert_eq!(told, [" · via main.fromA main.go:20", " · via main.fromB main.go:30"]);
}
