//! Matching CSV column names written in different styles (`Close`, `<CLOSE>`, `adj_close`).

/// Normalises a column name for matching: lower case, without spaces, `_`, `-`, `<`, `>`, quotes, BOM.
pub(crate) fn normalise(name: &str) -> String {
    name.chars()
        .filter(|character| {
            !matches!(
                character,
                ' ' | '_' | '-' | '<' | '>' | '"' | '\'' | '\u{feff}'
            )
        })
        .flat_map(char::to_lowercase)
        .collect()
}
