fn main() {
    yew::Renderer::<parkview_web::app::App>::new().render();
}
