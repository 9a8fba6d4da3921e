//! The README's table of error codes is the core's [`Error::TABLE`], row for row.

use stripe_handshake::Error;

fn expected_table() -> String {
    let mut t = String::from("| code | family | when |\n| --- | --- | --- |\n");
    for row in Error::TABLE {
        t.push_str(&format!("| `{}` | {} | {} |\n", row.code, row.family.as_str().replace('_', " "), row.summary));
    }
    t
}

#[test]
fn readme_error_table_is_the_core_table() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).expect("README.md");
    let start = readme.find("| code | family | when |").expect("the README has a table of error codes");
    let end = readme[start..].find("\n\n").map_or(readme.len(), |e| start + e + 1);
    let expected = expected_table();
    assert!(
        readme[start..end] == expected,
        "README.md's error table differs from Error::TABLE (core/src/error.rs); replace it with:\n\n{expected}"
    );
}

#[test]
fn table_matches_codes_and_families() {
    assert_eq!(Error::TABLE.len(), Error::ALL_CODES.len());
    for (row, code) in Error::TABLE.iter().zip(Error::ALL_CODES) {
        assert_eq!(row.code, *code);
        assert!(!row.summary.is_empty() && !row.summary.contains('|'), "{code}: one line, no table pipes");
    }
    assert_eq!(Error::SignatureMismatch.family(), stripe_handshake::ErrorFamily::Signature);
    assert_eq!(Error::InvalidManifest { reason: String::new() }.family().as_str(), "invalid_input");
}

/// Every "PROTOCOL §N" in the sources names a section `## N.` of `docs/protocol.md`.
#[test]
fn protocol_references_resolve() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let protocol = std::fs::read_to_string(format!("{root}/docs/protocol.md")).expect("docs/protocol.md");
    let mut stack = vec![std::path::PathBuf::from(format!("{root}/core/src"))];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable source dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source file");
            for (at, _) in text.match_indices("PROTOCOL §") {
                let n: String = text[at + "PROTOCOL §".len()..].chars().take_while(char::is_ascii_digit).collect();
                assert!(protocol.contains(&format!("\n## {n}. ")), "{}: PROTOCOL §{n} has no section", path.display());
                seen += 1;
            }
        }
    }
    assert!(seen >= 5, "found only {seen} references");
}
