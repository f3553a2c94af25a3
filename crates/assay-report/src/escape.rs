//! Escaping of data-derived text.
//!
//! Group values, column names and file paths come from user files, so every
//! piece of such text goes through one of these functions before it is put
//! into a report. HTML needs exactly five characters replaced, which is a few
//! lines of code: no crate is needed (and none would be easier to audit).

/// Escapes text for HTML element content *and* for quoted attribute values
/// (`&`, `<`, `>`, `"` and `'`). The same escaping is valid inside inline SVG.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for GitHub-flavoured Markdown, including table cells: the
/// characters that start emphasis, code, links, raw HTML or end a cell are
/// backslash-escaped, and line breaks (which would end a table row) become
/// spaces.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '!' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Makes text safe to print on a terminal: control characters (including
/// the escape character that starts ANSI sequences) are replaced with `�`,
/// so a crafted group value cannot restyle or rewrite the terminal.
pub fn terminal(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_the_five() {
        assert_eq!(
            html(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
        assert_eq!(html("Non-binary × Black"), "Non-binary × Black");
    }

    #[test]
    fn markdown_escapes_cells_and_markup() {
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(markdown("<b>*x*</b>"), "\\<b\\>\\*x\\*\\</b\\>");
        assert_eq!(markdown("two\nlines"), "two lines");
    }

    #[test]
    fn terminal_strips_control_characters() {
        assert_eq!(terminal("a\u{1b}[31mb\n"), "a\u{fffd}[31mb\u{fffd}");
    }
}
