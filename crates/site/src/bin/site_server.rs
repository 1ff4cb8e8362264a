fn main() {
    eprintln!("site_server is not built yet");
    std::process::exit(1);
}
