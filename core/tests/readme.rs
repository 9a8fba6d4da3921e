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
