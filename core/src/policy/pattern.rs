//! Anchored glob patterns over resource strings.
//!
//! `*` matches any run of characters, including the empty run, and the
//! pattern must match the whole resource. `\*` is a literal star and `\\` a
//! literal backslash. Any other backslash is an error, so that later escapes
//! can be added without changing what existing patterns mean. Characters
//! compare exactly, with no case folding or Unicode normalization.

use alloc::string::String;
use alloc::vec::Vec;

use super::error::PatternProblem;

/// A compiled resource pattern.
///
/// Invariant: `pieces` contains the literal text between stars, so it is never
/// empty, and a pattern without a star has exactly one piece. Consecutive
/// stars are merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResourcePattern {
    pieces: Vec<String>,
}

impl ResourcePattern {
    /// Compiles `text`. Length limits are checked by the caller.
    pub(crate) fn parse(text: &str) -> Result<Self, PatternProblem> {
        if text.is_empty() {
            return Err(PatternProblem::Empty);
        }

        let mut pieces = Vec::new();
        let mut current = String::new();
        let mut after_star = false;
        let mut chars = text.char_indices();
        while let Some((offset, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, escaped @ ('*' | '\\'))) => current.push(escaped),
                    Some((_, escaped)) => {
                        return Err(PatternProblem::UnknownEscape { offset, escaped })
                    }
                    None => return Err(PatternProblem::TrailingBackslash { offset }),
                },
                '*' => {
                    // `a**b` means the same as `a*b`, so skip the empty piece.
                    if !(after_star && current.is_empty()) {
                        pieces.push(core::mem::take(&mut current));
                    }
                    after_star = true;
                    continue;
                }
                other => current.push(other),
            }
            after_star = false;
        }
        pieces.push(current);

        Ok(Self { pieces })
    }

    /// Returns the literal text before the first star, and whether the
    /// pattern has a star at all.
    pub(crate) fn literal_prefix(&self) -> (&str, bool) {
        let first = self.pieces.first().map_or("", String::as_str);
        (first, self.pieces.len() > 1)
    }

    /// Returns whether the whole of `resource` matches.
    ///
    /// The first piece must be a prefix and the last a suffix. The middle
    /// pieces are then found left to right in what remains, and taking the
    /// leftmost occurrence of each is always safe because a star can absorb
    /// anything skipped. The searches cover disjoint, advancing parts of the
    /// resource, and `str::find` is linear (Two-Way), so the cost is linear in
    /// both lengths and no input can make it exponential. Matching bytes of valid UTF-8 is the same as
    /// matching characters: a piece can only be found at a character boundary.
    pub(crate) fn matches(&self, resource: &str) -> bool {
        let [first, middle @ .., last] = self.pieces.as_slice() else {
            // A single piece: no star, so the resource must be equal.
            return self.pieces.first().is_some_and(|only| only == resource);
        };

        let Some(rest) = resource.strip_prefix(first.as_str()) else {
            return false;
        };
        let Some(mut rest) = rest.strip_suffix(last.as_str()) else {
            return false;
        };

        for piece in middle {
            let Some(start) = rest.find(piece.as_str()) else {
                return false;
            };
            match rest.get(start.saturating_add(piece.len())..) {
                Some(after) => rest = after,
                None => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;

    fn matches(pattern: &str, resource: &str) -> bool {
        ResourcePattern::parse(pattern).unwrap().matches(resource)
    }

    #[test]
    fn prefix_star_matches() {
        assert!(matches("document:*", "document:42"));
        assert!(matches("document:*", "document:"));
        assert!(!matches("document:*", "documents:1"));
        assert!(!matches("document:*", "document"));
        assert!(!matches("document:*", "xdocument:1"));
    }

    #[test]
    fn path_star_is_anchored() {
        assert!(matches("/api/*", "/api/"));
        assert!(matches("/api/*", "/api/x"));
        assert!(matches("/api/*", "/api/x/y"));
        assert!(!matches("/api/*", "/api"));
        assert!(!matches("/api/*", "/apix"));
    }

    #[test]
    fn no_star_is_exact() {
        assert!(matches("a:b", "a:b"));
        assert!(!matches("a:b", "a:bc"));
        assert!(!matches("a:b", "xa:b"));
        assert!(!matches("a:b", "A:B"));
    }

    #[test]
    fn lone_star_matches_everything() {
        assert!(matches("*", ""));
        assert!(matches("*", "anything at all"));
        assert!(matches("**", ""));
    }

    #[test]
    fn leading_and_middle_stars() {
        assert!(matches("*.pdf", "a.pdf"));
        assert!(matches("*.pdf", ".pdf"));
        assert!(!matches("*.pdf", "a.pdf.txt"));
        assert!(matches("a*b*c", "abc"));
        assert!(matches("a*b*c", "aXbYc"));
        assert!(matches("a*b*c", "abbbcbc"));
        assert!(!matches("a*b*c", "acb"));
        assert!(matches("*a*", "bab"));
        assert!(!matches("*a*", "bbb"));
    }

    #[test]
    fn prefix_and_suffix_do_not_overlap() {
        assert!(!matches("ab*ba", "aba"));
        assert!(matches("ab*ba", "abba"));
        assert!(!matches("a*a", "a"));
        assert!(matches("a*a", "aa"));
    }

    #[test]
    fn middle_piece_needs_backtracking_over_stars() {
        // The first `ab` found is not the one that leaves room for `abc`,
        // but the leftmost-first search still matches.
        assert!(matches("*ab*abc", "ababc"));
        assert!(matches("x*aab*b", "xaaabab"));
        assert!(!matches("x*aab*b", "xaaba"));
    }

    #[test]
    fn middle_pieces_take_leftmost_match() {
        // Taking the last `a` would leave no `b` after it.
        assert!(matches("*a*b*", "aba"));
        assert!(matches("a*b*a*b", "abab"));
        assert!(matches("*a*a*", "aa"));
        assert!(!matches("*a*a*", "ab"));
    }

    #[test]
    fn escaped_star_is_literal() {
        assert!(matches(r"a\*b", "a*b"));
        assert!(!matches(r"a\*b", "aXb"));
        assert!(matches(r"\**", "*tail"));
        assert!(!matches(r"\**", "tail"));
    }

    #[test]
    fn escaped_backslash_is_literal() {
        assert!(matches(r"a\\b", r"a\b"));
        assert!(matches(r"c:\\*", r"c:\dir"));
        assert!(!matches(r"a\\b", "ab"));
    }

    #[test]
    fn double_star_merged() {
        let pattern = ResourcePattern::parse("a**b").unwrap();
        assert_eq!(pattern, ResourcePattern::parse("a*b").unwrap());
        assert!(pattern.matches("ab"));
        assert!(pattern.matches("aXYb"));
    }

    #[test]
    fn escaped_star_next_to_star_not_merged() {
        let pattern = ResourcePattern::parse(r"*\**").unwrap();
        assert!(pattern.matches("*"));
        assert!(pattern.matches("a*b"));
        assert!(!pattern.matches("ab"));
    }

    #[test]
    fn unknown_escape_rejected() {
        assert_eq!(
            ResourcePattern::parse(r"ab\n"),
            Err(PatternProblem::UnknownEscape {
                offset: 2,
                escaped: 'n'
            })
        );
        assert_eq!(
            ResourcePattern::parse(r"\?"),
            Err(PatternProblem::UnknownEscape {
                offset: 0,
                escaped: '?'
            })
        );
    }

    #[test]
    fn trailing_backslash_rejected() {
        assert_eq!(
            ResourcePattern::parse(r"abc\"),
            Err(PatternProblem::TrailingBackslash { offset: 3 })
        );
        assert_eq!(
            ResourcePattern::parse(r"\\\"),
            Err(PatternProblem::TrailingBackslash { offset: 2 })
        );
    }

    #[test]
    fn empty_pattern_rejected() {
        assert_eq!(ResourcePattern::parse(""), Err(PatternProblem::Empty));
    }

    #[test]
    fn unicode_compared_exactly() {
        // U+00E9 against `e` followed by U+0301 COMBINING ACUTE ACCENT.
        assert!(matches("café:*", "café:1"));
        assert!(!matches("café:*", "cafe\u{301}:1"));
        assert!(!matches("cafe\u{301}:*", "café:1"));
        assert!(!matches("CAFÉ:*", "café:1"));
    }

    #[test]
    fn star_spans_multibyte_characters() {
        assert!(matches("ü*ß", "üß"));
        assert!(matches("ü*ß", "ü日本ß"));
        assert!(matches("*本", "日本"));
        assert!(!matches("*本", "日本語"));
        assert!(matches("🦀*", "🦀🦀"));
    }

    #[test]
    fn multibyte_offset_in_error() {
        assert_eq!(
            ResourcePattern::parse(r"é\x"),
            Err(PatternProblem::UnknownEscape {
                offset: 2,
                escaped: 'x'
            })
        );
    }

    #[test]
    fn many_stars_stay_fast() {
        // A naive recursive glob matcher takes exponential time on this
        // input. This one searches each part of the resource once.
        let pattern = format!("{}b", "*a".repeat(500));
        let resource = "a".repeat(100_000);
        assert!(!matches(&pattern, &resource));
        assert!(matches(&pattern, &(resource.clone() + "b")));
    }

    #[test]
    fn star_matches_unusual_characters() {
        assert!(matches("k:*", "k:\n\0\u{feff}"));
        assert!(matches("k:*", &("k:".to_string() + &"x".repeat(10_000))));
    }
}
