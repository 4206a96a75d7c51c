//! Files generated from the core's schema are current. Rewrite them with
//! `UPDATE_GENERATED=1 cargo test -p antonnia-core --test generated`.

use std::path::PathBuf;

use antonnia_core::schema::{python, regions, typescript, uniffi};

#[test]
fn the_npm_packages_types_are_the_schemas() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bindings-wasm/js/index.d.ts");
    let text = std::fs::read_to_string(&path).expect("bindings-wasm/js/index.d.ts");
    // Both regions in one test: two tests rewriting one file would race.
    let fresh =
        typescript::regenerate(&text).expect("index.d.ts has the generated region's markers");
    let parameters = [("call parameters".to_string(), typescript::parameters())];
    let fresh =
        regions::rewrite(&fresh, "//", &parameters).expect("index.d.ts's parameters region");
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

/// Checks (or, with `UPDATE_GENERATED`, rewrites) the generated regions of
/// one file.
fn check_regions(relative: &str, prefix: &str, regions: &[(String, String)]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let fresh =
        regions::rewrite(&text, prefix, regions).unwrap_or_else(|e| panic!("{relative}: {e}"));
    // A Rust file is compared as `cargo fmt` leaves it, so that the
    // generators need not copy rustfmt's layout rules.
    let fresh = if relative.ends_with(".rs") {
        rustfmt(&fresh)
    } else {
        fresh
    };
    if fresh == text {
        return;
    }
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        std::fs::write(&path, fresh).unwrap_or_else(|e| panic!("{relative}: {e}"));
        return;
    }
    panic!(
        "{relative} is stale: run UPDATE_GENERATED=1 cargo test -p antonnia-core --test generated"
    );
}

/// `source` as rustfmt writes it (edition 2024, the repository's config).
fn rustfmt(source: &str) -> String {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("rustfmt (rustup component add rustfmt) formats the generated Rust");
    child
        .stdin
        .take()
        .expect("rustfmt's stdin")
        .write_all(source.as_bytes())
        .expect("source written to rustfmt");
    let out = child.wait_with_output().expect("rustfmt ran");
    assert!(out.status.success(), "rustfmt failed on the generated file");
    String::from_utf8(out.stdout).expect("rustfmt writes UTF-8")
}

#[test]
fn the_python_models_attributes_are_the_schemas() {
    check_regions(
        "../bindings-python/src/models.rs",
        python::PREFIX,
        &python::regions(),
    );
}

#[test]
fn the_kotlin_and_swift_records_are_the_schemas() {
    check_regions(
        "../bindings-uniffi/src/types.rs",
        uniffi::PREFIX,
        &uniffi::regions(),
    );
}
