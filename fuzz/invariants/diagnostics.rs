// The `signwire diff` inputs (two logs or explain outputs, untrusted text): fingerprint
// parsing and comparison never panic, and a parsed fingerprint renders to a line that
// parses back to itself.
use signwire::diagnostics::{diff, Fingerprint};

/// The target's invariants on one input: panics when one is violated.
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (client, server) = text.split_at(text.char_indices().nth(text.chars().count() / 2).map_or(text.len(), |(i, _)| i));
    let _ = diff(client, server);
    if let Ok(fp) = Fingerprint::parse(text) {
        let line = fp.to_line();
        assert_eq!(Fingerprint::parse(&line).expect("rendered line parses"), fp);
        let d = diff(&line, &line).expect("a line against itself");
        let mut labels: Vec<&str> = fp.entries.iter().map(|(l, _)| l.as_str()).collect();
        labels.sort_unstable();
        labels.dedup();
        if labels.len() == fp.entries.len() {
            assert_eq!(d.label, None, "a fingerprint differs from itself: {}", d.summary);
        }
    }
}
