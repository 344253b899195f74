//! URL splitting and the canonical query: never panic; the split reassembles to the URL
//! without its fragment; canonical_query is idempotent, order-free and only emits
//! unreserved characters and %XX escapes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use signwire::canonical::{canonical_query, check_url, UrlParts};

fuzz_target!(|data: &[u8]| {
    let Ok(url) = std::str::from_utf8(data) else { return };
    let _ = check_url(url);
    let p = UrlParts::split(url);
    let without_fragment = url.split_once('#').map_or(url, |(u, _)| u);
    let mut re = String::new();
    if !p.scheme.is_empty() {
        re.push_str(p.scheme);
        re.push_str("://");
        re.push_str(p.authority);
    }
    re.push_str(p.path);
    if let Some(q) = p.query {
        re.push('?');
        re.push_str(q);
    }
    assert_eq!(re, without_fragment);
    let _ = p.path_and_query();

    let query = p.query.unwrap_or(url);
    if let Ok(c) = canonical_query(query) {
        assert!(c.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%=&".contains(&b)), "{c:?}");
        assert_eq!(canonical_query(&c).expect("canonical form parses"), c, "not idempotent");
        let mut parts: Vec<&str> = query.split('&').collect();
        parts.reverse();
        assert_eq!(canonical_query(&parts.join("&")).expect("reordered query parses"), c, "order matters");
    }
});
