//! Files generated from the core's schema are current. Rewrite them with
//! `UPDATE_GENERATED=1 cargo test -p antonnia-core --test generated`.

use std::path::PathBuf;

use antonnia_core::schema::typescript;

#[test]
fn the_npm_packages_types_are_the_schemas() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bindings-wasm/js/index.d.ts");
    let text = std::fs::read_to_string(&path).expect("bindings-wasm/js/index.d.ts");
    let fresh =
        typescript::regenerate(&text).expect("index.d.ts has the generated region's markers");
    if fresh == text {
        return;
    }
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        std::fs::write(&path, fresh).expect("index.d.ts is writable");
        return;
    }
    panic!(
        "bindings-wasm/js/index.d.ts is stale: run UPDATE_GENERATED=1 cargo test -p antonnia-core --test generated"
    );
}
