//! The generic request builder against the typed one: on every vector's
//! arguments, and on each of those arguments with every argument in turn
//! removed, set to a value of each JSON type, or joined by an unknown one.

use serde_json::{Map, Value, json};

use super::differential::{compare_call, derived_fields};
use super::{Arg, ArgTy};
use crate::Config;
use crate::ops::{Call, CallSpec, Callable, DynamicCall};
use crate::types::json_type_name;

fn fixture(name: &str) -> Value {
    let path = format!("{}/../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("fixture JSON")
}

fn config() -> Config {
    Config::new("sk_test_vectors")
        .and_then(|c| c.with_base_url("https://api.antonnia.test/conversations/v2/api/v1"))
        .expect("config")
}

/// Every (call, arguments) the shared vectors hold.
fn vector_arguments() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for file in ["requests.json", "responses.json", "exchange.json"] {
        for v in fixture(file)["vectors"].as_array().expect("vectors") {
            if let Some(call) = v["call"].as_str() {
                out.push((call.to_string(), v["args"].clone()));
            }
        }
    }
    out
}

/// Values of every JSON type, and the ones each rule looks at.
fn probe_values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(61),
        json!(1.5),
        json!(u64::MAX),
        json!(""),
        json!("   "),
        json!("x"),
        json!("a/b?c#d"),
        json!("2025-01-16T09:00:00+02:00"),
        json!("2025-01-16T09:00:00"),
        json!("ai"),
        json!("human"),
        json!([]),
        json!(["x"]),
        json!({}),
        json!({"": 1}),
        json!({"a": true}),
        json!({"a": "b", "n": 2}),
        json!({"type": "text"}),
        json!({"type": "text", "text": "hi"}),
        json!({"type": "file", "url": "u", "name": "n"}),
        json!({"type": "sticker", "id": 3}),
        json!({"type": 7}),
        json!({"type": "node", "node_id": ""}),
        json!({"type": "node", "node_id": 5}),
        json!({"type": "message", "message": {"type": "text", "text": "later"}}),
        json!({"type": "message"}),
        json!({"status": "open"}),
        json!({"status": null}),
        json!({"agent_id": ""}),
        json!({"metadata": {"": 1}}),
        json!({"colour": "red"}),
        "x".repeat(1100).into(),
    ]
}

fn every_variant(spec: &CallSpec, base: &Map<String, Value>) -> Vec<Value> {
    let mut out = vec![Value::Object(base.clone())];
    let mut with = |edit: &dyn Fn(&mut Map<String, Value>)| {
        let mut args = base.clone();
        edit(&mut args);
        out.push(Value::Object(args));
    };
    fn names(args: &[Arg], prefix: &str, out: &mut Vec<String>) {
        for a in args {
            out.push(format!("{prefix}{}", a.name));
            if let ArgTy::Object(inner) = a.ty {
                names(inner, &format!("{prefix}{}.", a.name), out);
            }
        }
    }
    let mut all = Vec::new();
    names(spec.signature.args, "", &mut all);
    for name in &all {
        let (outer, inner) = match name.split_once('.') {
            Some((o, i)) => (o.to_string(), Some(i.to_string())),
            None => (name.clone(), None),
        };
        with(&|args| {
            match &inner {
                None => {
                    args.remove(&outer);
                }
                Some(i) => {
                    if let Some(Value::Object(m)) = args.get_mut(&outer) {
                        m.remove(i);
                    }
                }
            };
        });
        for probe in probe_values() {
            with(&|args| match &inner {
                None => {
                    args.insert(outer.clone(), probe.clone());
                }
                Some(i) => {
                    let entry = args.entry(outer.clone()).or_insert_with(|| json!({}));
                    if let Value::Object(m) = entry {
                        m.insert(i.clone(), probe.clone());
                    }
                }
            });
        }
    }
    with(&|args| {
        args.insert("colour".into(), json!("red"));
    });
    with(&|args| args.clear());
    out
}

#[test]
fn the_generic_builder_agrees_with_the_typed_one_on_every_vector_and_variant() {
    let config = config();
    let mut failures = Vec::new();
    let mut compared = 0;
    let vectors = vector_arguments();
    for spec in Call::SPECS {
        // Every vector's arguments for this call, and the variants of each.
        let bases: Vec<Map<String, Value>> = vectors
            .iter()
            .filter(|(call, _)| call == spec.name)
            .filter_map(|(_, args)| args.as_object().cloned())
            .collect();
        assert!(!bases.is_empty(), "no vector for {}", spec.name);
        for base in &bases {
            for args in every_variant(spec, base) {
                compared += 1;
                if let Err(e) = compare_call(spec.name, &args, &config) {
                    failures.push(e);
                }
            }
        }
    }
    for (call, args) in &vectors {
        compared += 1;
        if let Err(e) = compare_call(call, args, &config) {
            failures.push(e);
        }
    }
    for args in [json!(null), json!([]), json!("x"), json!(3)] {
        for name in ["sessions.get", "sessions.search", "nope"] {
            if let Err(e) = compare_call(name, &args, &config) {
                failures.push(e);
            }
        }
    }
    failures.sort();
    failures.dedup();
    failures.truncate(60);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(compared > 10_000, "{compared}");
}

#[test]
fn every_typed_argument_struct_has_its_signatures_arguments() {
    use crate::ops::*;
    fn names(spec: &str) -> Vec<&'static str> {
        let spec = CallSpec::named(spec).expect("a call");
        spec.signature.args.iter().map(|a| a.name).collect()
    }
    macro_rules! pin {
        ($( $variant:ident = $name:literal : $args:path => $output:ty, $safety:ident $(, $paged:ident)? ; )+) => {
            $( assert_eq!(derived_fields::<$args>(), names($name), "{}", $name); )+
        };
    }
    crate::for_each_call!(pin);
    let fields = match CallSpec::named("sessions.update").map(|s| s.signature.args[1].ty) {
        Some(ArgTy::Object(inner)) => inner.iter().map(|a| a.name).collect::<Vec<_>>(),
        other => panic!("sessions.update fields: {other:?}"),
    };
    assert_eq!(derived_fields::<SessionFields>(), fields);
}

#[test]
fn the_registry_and_the_specs_agree() {
    assert_eq!(Call::SPECS.len(), Call::NAMES.len());
    for (spec, name) in Call::SPECS.iter().zip(Call::NAMES) {
        assert_eq!(spec.name, *name);
    }
    let search = CallSpec::named("messages.search").expect("a call");
    assert!(search.paginated);
    assert!(!CallSpec::named("messages.get").expect("a call").paginated);
}

#[test]
fn a_dynamic_search_pages_as_the_typed_one_does() {
    let config = config();
    for (name, args) in [
        ("sessions.search", json!({"limit": 2})),
        (
            "messages.search",
            json!({"session_id": "s", "limit": 3, "offset": 4}),
        ),
        ("agents.search", json!({})),
    ] {
        let typed = Call::from_json(name, args.clone()).expect("typed");
        let dynamic = DynamicCall::from_json(name, args).expect("dynamic");
        for returned in [0, 1, 2, 3, 100] {
            let a = typed
                .next_page(returned)
                .map(|c| c.build(&config).expect("builds"));
            let b = dynamic
                .next_page(returned)
                .map(|c| c.build(&config).expect("builds"));
            assert_eq!(a, b, "{name} after {returned}");
        }
    }
    let get = DynamicCall::from_json("sessions.get", json!({"session_id": "s"})).expect("get");
    assert!(get.next_page(100).is_none());
    assert_eq!(json_type_name(&json!([])), "an array");
}
