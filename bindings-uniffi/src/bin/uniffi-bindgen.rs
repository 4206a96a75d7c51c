//! The bindings generator, pinned with the crate's own uniffi:
//! `cargo run -p antonnia-uniffi --features cli --bin uniffi-bindgen -- generate --library <lib> --language kotlin|swift --out-dir <dir>`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
