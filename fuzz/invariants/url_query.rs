// URL splitting and the canonical query: never panic; the split reassembles to the URL
// without its fragment; canonical_query is idempotent, free of the order of different names, keeps the
// order of one name's values, and only emits
// unreserved characters and %XX escapes.
use signwire::canonical::{canonical_query, check_url, UrlParts};

/// The target's invariants on one input: panics when one is violated.
pub fn check(data: &[u8]) {
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
        // Names are sorted and one name's values keep the order sent (their order is signed:
        // PHP reads the last, Python frameworks the first). So the reversed query has the same
        // canonical form exactly when every name's sequence of values reads the same reversed
        // (the corpus replay in tests/fuzz_corpus.rs caught the first form of this check, which
        // said "no name has two different values" and so failed on a=1&a=2&a=1).
        let mut parts: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
        let mut by_name: Vec<(String, Vec<String>)> = Vec::new();
        for pair in c.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match by_name.iter_mut().find(|(n, _)| n == k) {
                Some((_, vs)) => vs.push(v.to_string()),
                None => by_name.push((k.to_string(), vec![v.to_string()])),
            }
        }
        let repeated_differs = by_name.iter().any(|(_, vs)| vs.iter().ne(vs.iter().rev()));
        parts.reverse();
        let reversed = canonical_query(&parts.join("&")).expect("reordered query parses");
        assert_eq!(reversed == c, !repeated_differs, "value order of a repeated name");
    }
}
