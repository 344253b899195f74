// RFC 8941 structured fields and the RFC 9421 signature base on arbitrary text: never
// panic; what parses serialises to a canonical form that parses back to the same value
// (and serialises identically); a Signature-Input that parses gives a base whose last line
// is its own `@signature-params`, and the base never holds a line break inside a value.
// Input: `dictionary text \n header block`.
use signwire::headers::Headers;
use signwire::scheme::http_signatures::base::signature_base;
use signwire::scheme::http_signatures::components::Message;
use signwire::scheme::http_signatures::parse_signatures;
use signwire::scheme::http_signatures::structured_field::{parse_dictionary, parse_item, parse_list, serialize_dictionary, serialize_item, serialize_list};

/// The target's invariants on one input: panics when one is violated.
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (field, block) = text.split_once('\n').unwrap_or((text, ""));

    if let Ok(d) = parse_dictionary(field) {
        let s = serialize_dictionary(&d).expect("a parsed dictionary serialises");
        let again = parse_dictionary(&s).expect("a serialised dictionary parses");
        assert_eq!(again, d);
        assert_eq!(serialize_dictionary(&again).unwrap(), s);
    }
    if let Ok(l) = parse_list(field) {
        let s = serialize_list(&l).expect("a parsed list serialises");
        assert_eq!(parse_list(&s).expect("a serialised list parses"), l);
    }
    if let Ok(i) = parse_item(field) {
        let mut s = String::new();
        serialize_item(&i, &mut s).expect("a parsed item serialises");
        assert_eq!(parse_item(&s).expect("a serialised item parses"), i);
    }

    let Ok(mut headers) = Headers::parse(block) else { return };
    if headers.push("Signature-Input", field).is_err() || headers.push("Signature", "sig=:AAAA:").is_err() {
        return;
    }
    let Ok(sigs) = parse_signatures(&headers) else { return };
    for url in ["https://example.com/foo?a=1&b=%20x+y", "/p?q", "http://h:80"] {
        let msg = Message { method: "POST", url, headers: &headers, status: None };
        for (_, params, _) in &sigs {
            if let Ok(base) = signature_base(params, &msg) {
                let last = base.rsplit('\n').next().unwrap();
                assert_eq!(last, format!("\"@signature-params\": {}", params.serialize().unwrap()));
                assert_eq!(base.matches('\n').count(), params.components.len());
            }
        }
    }
}
