//! Any arguments for any call through both request builders: the typed
//! `Call` (serde derive and each call's checks) and the schema's generic
//! `DynamicCall` must build the same request, byte for byte, or fail with
//! the same kind of error on the same field.
//!
//! Input: byte 0 picks the call; byte 1's low bit keeps only the arguments
//! the call takes (so that derived objects get past the unknown-name check)
//! and its next bits pick the configuration; the rest is the arguments, as
//! JSON text or, when that does not parse, bytes an object is derived from.
#![no_main]

mod common;

use antonnia_core::ops::CallSpec;
use antonnia_core::schema::differential::compare_call;
use antonnia_core::{Call, Config};
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const CONFIGS: &[(&str, &str)] = &[
    ("sk_test_fuzz", "https://api.antonnia.test/conversations/v2/api/v1"),
    ("t", "http://127.0.0.1:8080/x/"),
];

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let spec = &Call::SPECS[usize::from(data[0]) % Call::SPECS.len()];
    let (token, base_url) = CONFIGS[usize::from(data[1] >> 1) % CONFIGS.len()];
    let config = Config::new(token)
        .and_then(|c| c.with_base_url(base_url))
        .expect("a valid configuration");
    let mut args = match serde_json::from_slice::<Value>(&data[2..]) {
        Ok(v) => v,
        Err(_) => match common::object(&mut Unstructured::new(&data[2..]), 3) {
            Ok(v) => v,
            Err(_) => return,
        },
    };
    if data[1] & 1 == 0 {
        keep_known(spec, &mut args);
    }
    if let Err(disagreement) = compare_call(spec.name, &args, &config) {
        panic!("{disagreement}");
    }
});

fn keep_known(spec: &CallSpec, args: &mut Value) {
    if let Some(map) = args.as_object_mut() {
        map.retain(|key, _| spec.signature.args.iter().any(|a| a.name == key));
    }
}
