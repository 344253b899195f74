//! Shared helpers for integration tests: reading tests/vectors/*.json.
#![allow(dead_code)]

use serde_json::Value;

pub fn vectors(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))).unwrap()
}

/// The body of a vector: {"utf8": …} | {"hex": …} | {"repeat": …, "times": N}.
pub fn body(spec: &Value) -> Vec<u8> {
    if let Some(s) = spec.get("utf8") {
        s.as_str().unwrap().as_bytes().to_vec()
    } else if let Some(h) = spec.get("hex") {
        hex::decode(h.as_str().unwrap()).unwrap()
    } else {
        spec["repeat"].as_str().unwrap().repeat(spec["times"].as_u64().unwrap() as usize).into_bytes()
    }
}

pub fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("vector field {k} missing"))
}
