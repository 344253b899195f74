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
        // Reversed, the canonical form is the same exactly when no name has two different
        // values (their order is signed: PHP reads the last, Python frameworks the first).
        let mut parts: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
        let canon = |p: &str| canonical_query(p).expect("a part of a valid query parses");
        let name = |p: &str| canon(p.split_once('=').map_or(p, |(k, _)| k));
        let repeated_differs = parts.iter().enumerate().any(|(i, a)| parts[..i].iter().any(|b| name(*a) == name(*b) && canon(*a) != canon(*b)));
        parts.reverse();
        let reversed = canonical_query(&parts.join("&")).expect("reordered query parses");
        assert_eq!(reversed == c, !repeated_differs, "value order of a repeated name");
    }
}
