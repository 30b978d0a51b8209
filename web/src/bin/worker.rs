fn main() {
    parkview_web::agent::run_worker();
}
