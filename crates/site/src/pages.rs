//! The fixed pages: the two stand-ins of the 160-downloads article, the 500
//! "domain" home pages of the scraper article, and the index at `/`.
//!
//! They are rendered once when the site starts and then served as shared
//! `Bytes`, so a request for them copies nothing (this is what lets the
//! site answer tens of thousands of requests a second).

use std::fmt::Write as _;

use crate::graph::{SplitMix64, capitalised_words, sentences};

/// Number of "domains" served under `/domains/N`.
pub const DOMAINS: usize = 500;

/// Seed of the fixed pages' text: they are the same for every `--seed`.
const TEXT_SEED: u64 = 0x5349_5445;

/// A page of about 10 KB standing in for the larger site of the article.
pub(crate) fn jython_page() -> String {
    let mut rng = SplitMix64::new(TEXT_SEED);
    let mut html = String::with_capacity(10_500);
    html.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Jython stand-in | Local site</title>\n</head>\n<body>\n\
         <header id=\"top\"><h1>Jython stand-in</h1>\n\
         <p>A page of about ten kilobytes, served by the local site in place of a real \
         project home page.</p></header>\n<main>\n",
    );
    let mut section = 0;
    // Add sections until the page reaches about 10 KB.
    while html.len() < 9_600 {
        section += 1;
        let heading = capitalised_words(&mut rng, 2, 4);
        let _ = write!(html, "<h2 id=\"section-{section}\">{heading}</h2>\n<p>");
        sentences(&mut rng, &mut html, 4, 7);
        html.push_str("</p>\n");
    }
    html.push_str(
        "</main>\n<footer><p><a href=\"#top\">Back to top</a></p></footer>\n</body>\n</html>\n",
    );
    html
}

/// A page of about 300 bytes standing in for the smaller site of the article.
pub(crate) fn dice_page() -> String {
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
     <title>Dice stand-in | Local site</title>\n</head>\n<body>\n\
     <h1>Dice stand-in</h1>\n<p>A small page of about three hundred bytes, served by \
     the local site in place of a tiny real one. Roll again.</p>\n</body>\n</html>\n"
        .to_string()
}

/// The made-up host name of domain `n` (1-based), e.g. `www.kelomar-17.test`.
pub fn domain_name(n: usize) -> String {
    const SYLLABLES: [&str; 16] = [
        "ka", "lo", "mi", "ra", "ten", "vo", "zu", "pel", "dor", "fin", "gus", "hal", "ne", "sor",
        "tri", "bex",
    ];
    let mut rng = SplitMix64::for_page(TEXT_SEED, n as u64, 3);
    let mut name = String::new();
    for _ in 0..rng.range(2, 3) {
        let syllable = *rng.pick(&SYLLABLES);
        name.push_str(syllable);
    }
    format!("www.{name}-{n}.test")
}

/// The home page of domain `n` (1..=500): a title that names it, a few
/// paragraphs, about 1 to 2 KB.
pub(crate) fn domain_page(n: usize) -> String {
    let name = domain_name(n);
    let mut rng = SplitMix64::for_page(TEXT_SEED, n as u64, 4);
    let tagline = capitalised_words(&mut rng, 2, 4);
    let mut html = String::with_capacity(2048);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{name} | {tagline}</title>\n</head>\n<body>\n\
         <header id=\"top\"><h1>{name}</h1>\n<p>Number {n} of the {DOMAINS} most visited \
         domains (a stand-in served by the local site).</p></header>\n<main>\n"
    );
    for _ in 0..rng.range(2, 4) {
        let heading = capitalised_words(&mut rng, 1, 3);
        let _ = write!(html, "<h2>{heading}</h2>\n<p>");
        sentences(&mut rng, &mut html, 2, 4);
        html.push_str("</p>\n");
    }
    html.push_str(
        "</main>\n<footer><p><a href=\"#top\">Back to top</a> | \
         <a href=\"mailto:contact@example.com\">Contact</a></p></footer>\n</body>\n</html>\n",
    );
    html
}

/// The page at `/`: what the site serves, for a human with a browser.
pub(crate) fn index_page(pages: usize) -> String {
    let last = pages - 1;
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Local site</title>\n</head>\n<body>\n<h1>Local site</h1>\n\
         <p>A loopback web site for the concurrency examples.</p>\n<ul>\n\
         <li><a href=\"/sites/jython\">/sites/jython</a>: a page of about 10 KB</li>\n\
         <li><a href=\"/sites/dice\">/sites/dice</a>: a page of about 300 bytes</li>\n\
         <li><a href=\"/domains/1\">/domains/1</a> to /domains/{DOMAINS}: one home page per domain\
         (<a href=\"/domains?count=10\">list of URLs</a>)</li>\n\
         <li><a href=\"/crawl/0\">/crawl/0</a> to /crawl/{last}: the link graph \
         (<a href=\"/graph\">its shape</a>)</li>\n\
         <li><a href=\"/stats\">/stats</a>: counters, <a href=\"/stats/reset\">/stats/reset</a>: zero them</li>\n\
         </ul>\n<p>Query knobs on any page: latency_ms, jitter_ms, fail, reset, bandwidth.</p>\n\
         </body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stand_in_pages_have_their_sizes() {
        let jython = jython_page().len();
        let dice = dice_page().len();
        assert!(
            (9_500..=10_500).contains(&jython),
            "jython is {jython} bytes"
        );
        assert!((250..=350).contains(&dice), "dice is {dice} bytes");
    }

    #[test]
    fn domain_names_are_distinct() {
        let names: std::collections::HashSet<String> = (1..=DOMAINS).map(domain_name).collect();
        assert_eq!(names.len(), DOMAINS);
        assert!(domain_page(500).len() < 4096);
    }
}
