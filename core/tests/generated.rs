//! Files generated from the core's schema are current. Rewrite them with
//! `UPDATE_GENERATED=1 cargo test -p antonnia-core --test generated`.

use std::path::PathBuf;

use antonnia_core::schema::{python, regions, typescript, uniffi};

#[test]
fn the_npm_packages_types_are_the_schemas() {
    // Both regions in one test: two tests rewriting one file would race.
    check_generated("../bindings-wasm/js/index.d.ts", |text| {
        let fresh = typescript::regenerate(text).ok_or("no generated region's markers")?;
        let parameters = [("call parameters".to_string(), typescript::parameters())];
        regions::rewrite(&fresh, "//", &parameters)
    });
}

#[test]
fn the_npm_packages_constants_are_the_cores() {
    check_generated("../bindings-wasm/js/core_constants.js", |_| {
        Ok::<_, std::convert::Infallible>(typescript::constants_js())
    });
}

/// Checks (or, with `UPDATE_GENERATED`, rewrites) the generated regions of
/// one file.
fn check_regions(relative: &str, prefix: &str, regions: &[(String, String)]) {
    check_generated(relative, |text| regions::rewrite(text, prefix, regions));
}

/// Checks that `regenerate` leaves the file at `relative` (from the core's
/// directory) as it is, or rewrites it with `UPDATE_GENERATED`.
fn check_generated<E: std::fmt::Display>(
    relative: &str,
    regenerate: impl Fn(&str) -> Result<String, E>,
) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let fresh = regenerate(&text).unwrap_or_else(|e| panic!("{relative}: {e}"));
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
