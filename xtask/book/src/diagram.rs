//! Diagrams: the book keeps them as text (```` ```diagram ```` fences, reviewable in a
//! diff), and the build draws them as SVG. An SVG scales down to the width of the
//! column instead of being cut off, and its text takes the colour of the theme.
//!
//! The drawing is deliberately plain: each line of the source becomes a line of
//! monospace text, stretched to exactly its number of columns, so that boxes and
//! arrows stay aligned whatever font the reader's browser picks. (svgbob draws real
//! lines from the same kind of source, but would bring a hundred crates into the
//! runner that every learner compiles.)

use mdbook_driver::book::{Book, BookItem};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

/// The fence's info string that marks a diagram.
pub const FENCE: &str = "diagram";

/// Font size and the advance of one monospace column, in SVG units.
const FONT_SIZE: f64 = 14.0;
const COLUMN: f64 = 8.4;
const LINE: f64 = 18.0;

/// The preprocessor that turns every diagram fence of the book into an inline SVG.
pub struct Diagrams;

impl Preprocessor for Diagrams {
    fn name(&self) -> &str {
        "diagrams"
    }

    fn run(&self, _ctx: &PreprocessorContext, mut book: Book) -> mdbook_driver::errors::Result<Book> {
        book.for_each_mut(|item| {
            if let BookItem::Chapter(chapter) = item {
                chapter.content = render_fences(&chapter.content);
            }
        });
        Ok(book)
    }

    fn supports_renderer(&self, renderer: &str) -> mdbook_driver::errors::Result<bool> {
        Ok(renderer == "html")
    }
}

/// Replaces each ```` ```diagram ```` fence of a page with its SVG.
pub fn render_fences(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    let mut diagram: Option<Vec<&str>> = None;
    for line in page.split_inclusive('\n') {
        let bare = line.trim_end();
        match diagram.as_mut() {
            None if bare == format!("```{FENCE}") => diagram = Some(Vec::new()),
            None => out.push_str(line),
            Some(lines) if bare == "```" => {
                out.push_str(&svg(lines));
                out.push('\n');
                diagram = None;
            }
            Some(lines) => lines.push(bare),
        }
    }
    // An unclosed fence is left as it was written.
    if let Some(lines) = diagram {
        out.push_str(&format!("```{FENCE}\n{}", lines.join("\n")));
    }
    out
}

/// One diagram as an SVG element that scales down to its container's width.
pub fn svg(lines: &[&str]) -> String {
    let columns = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let width = (columns as f64 * COLUMN).ceil().max(COLUMN);
    let height = (lines.len() as f64 * LINE + LINE / 2.0).ceil();
    let mut svg = format!(
        "<svg class=\"diagram\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"{width}\" style=\"max-width: 100%; height: auto;\" role=\"img\" \
         font-family=\"ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace\" \
         font-size=\"{FONT_SIZE}\" fill=\"currentColor\">"
    );
    let label: Vec<&str> = lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect();
    svg.push_str(&format!("<title>{}</title>", escape(&label.join(" "))));
    for (row, line) in lines.iter().enumerate() {
        let length = line.chars().count();
        if line.trim().is_empty() {
            continue;
        }
        let y = (row as f64 + 1.0) * LINE;
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{y}\" xml:space=\"preserve\" textLength=\"{:.1}\" lengthAdjust=\"spacingAndGlyphs\">{}</text>",
            length as f64 * COLUMN,
            escape(line)
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diagram_fence_becomes_an_svg_and_other_fences_stay() {
        let page = "Before\n\n```diagram\n+--+\n|<>|\n+--+\n```\n\n```text\nkept\n```\n";
        let out = render_fences(page);
        assert!(out.contains("<svg class=\"diagram\""), "{out}");
        assert!(out.contains("|&lt;&gt;|"), "text is escaped: {out}");
        assert!(out.contains("```text\nkept\n```"), "other fences are untouched: {out}");
        assert!(!out.contains("```diagram"), "{out}");
    }

    #[test]
    fn every_line_spans_its_columns_so_columns_align() {
        let out = svg(&["ab", "abcd"]);
        assert!(out.contains("textLength=\"16.8\""), "{out}");
        assert!(out.contains("textLength=\"33.6\""), "{out}");
        assert!(out.contains("viewBox=\"0 0 34 "), "{out}");
    }
}
