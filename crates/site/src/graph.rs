//! The crawlable link graph behind `/crawl/N`, and the HTML of its pages.
//!
//! The graph is built once, from the seed and the page count alone, with a
//! tiny generator of our own (SplitMix64) rather than `rand`: its output is
//! fixed forever, so a seed names the same site on every machine and every
//! version of the dependencies. The page text uses a second stream per page,
//! so a page's bytes depend only on (seed, page count, page index, base URL)
//! and never on the order in which pages are requested.

use std::collections::VecDeque;
use std::fmt::Write as _;

use crate::GraphInfo;

/// Path prefix of every page of the graph.
pub(crate) const CRAWL_PREFIX: &str = "/crawl/";

/// The most pages a graph may have (page numbers are stored as `u32`, and a
/// million pages already take about 100 MB of link tables).
pub const MAX_PAGES: usize = 1_000_000;

/// A page never gets more than this many children in the spanning tree, which
/// keeps every page at 15 links or fewer.
const MAX_CHILDREN: usize = 7;

/// A small, fast, fully specified pseudo-random generator (SplitMix64).
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// A generator for one purpose of one page, independent of every other.
    pub(crate) fn for_page(seed: u64, page: u64, purpose: u64) -> Self {
        let mut mixer = SplitMix64(seed ^ purpose.wrapping_mul(0xD6E8_FEB8_6659_FD93));
        let first = mixer.next_u64();
        SplitMix64(first ^ page.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0), by multiply-shift (no modulo bias worth
    /// speaking of for the small ranges used here).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    pub(crate) fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// How a link to another crawl page is written. Every style resolves, against
/// the page's own URL `/crawl/N`, to `/crawl/T`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// `http://HOST:PORT/crawl/T`
    Absolute,
    /// `/crawl/T`
    RootRelative,
    /// `T` (a sibling of `/crawl/N`)
    Bare,
    /// `./T`
    DotSlash,
    /// `../crawl/T`
    DotDot,
}

const STYLES: [Style; 5] = [
    Style::Absolute,
    Style::RootRelative,
    Style::Bare,
    Style::DotSlash,
    Style::DotDot,
];

/// Names used in `?ref=` queries (index 0 means "no query").
const REF_TAGS: [&str; 5] = ["", "nav", "sidebar", "footer", "related"];

/// One `<a href>` of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Href {
    /// A page of the graph: the only kind a crawler should follow.
    Page {
        target: u32,
        style: Style,
        /// 0: none, k: `#section-k`.
        fragment: u8,
        /// 0: none, else an index into `REF_TAGS` for `?ref=`.
        tag: u8,
    },
    /// `#top`: the same page, nothing to fetch.
    Top,
    /// `mailto:`
    Mailto,
    /// `javascript:`
    Javascript,
    /// `http://external.invalid/crawl/T`: another host with a tempting path.
    OtherHost(u32),
    /// `https://example.com/articles/T`
    ExampleCom(u32),
}

/// The whole graph: for each page, its links in page order.
pub(crate) struct Graph {
    seed: u64,
    pages: usize,
    /// Links of page i are `links[offsets[i]..offsets[i + 1]]`.
    offsets: Vec<u32>,
    links: Vec<Href>,
}

impl Graph {
    /// Build the graph for `pages` pages (1..=MAX_PAGES) and a seed.
    ///
    /// Shape: a spanning tree where page i's parent is drawn from roughly
    /// i/4..i/2, so depth grows like ln(pages) (about 10 for 20,000 pages) and
    /// every page is reachable from page 0; plus extra links that a real site
    /// has (home, next, older pages, self links with `?ref=`, fragments,
    /// mail, scripts and other hosts).
    pub(crate) fn build(pages: usize, seed: u64) -> Graph {
        assert!(
            (1..=MAX_PAGES).contains(&pages),
            "page count is validated before the graph is built"
        );
        let mut rng = SplitMix64::new(seed ^ 0x6C69_6E6B_7472_6565);

        // 1. The spanning tree.
        let mut parent = vec![0u32; pages];
        let mut child_count = vec![0u8; pages];
        for (i, parent_of_i) in parent.iter_mut().enumerate().skip(1) {
            let lo = ((i - 1) / 4) as u64;
            let hi = ((i - 1) / 2) as u64;
            let mut chosen = None;
            for _ in 0..8 {
                let p = rng.range(lo, hi) as usize;
                if usize::from(child_count[p]) < MAX_CHILDREN {
                    chosen = Some(p);
                    break;
                }
            }
            // Unlucky draws: take the first page of the window with room,
            // and if the whole window is full (tiny graphs only), the lowest.
            let p = chosen
                .or_else(|| {
                    (lo as usize..=hi as usize)
                        .find(|&p| usize::from(child_count[p]) < MAX_CHILDREN)
                })
                .unwrap_or(lo as usize);
            *parent_of_i = p as u32;
            child_count[p] = child_count[p].saturating_add(1);
        }
        // Children lists in index order (a counting sort over `parent`).
        let mut child_start = vec![0u32; pages + 1];
        for &p in &parent[1..] {
            child_start[p as usize + 1] += 1;
        }
        for i in 0..pages {
            child_start[i + 1] += child_start[i];
        }
        let mut children = vec![0u32; pages.saturating_sub(1)];
        let mut fill = child_start.clone();
        for (i, &p) in parent.iter().enumerate().skip(1) {
            let p = p as usize;
            children[fill[p] as usize] = i as u32;
            fill[p] += 1;
        }

        // 2. The links of each page.
        let mut offsets = Vec::with_capacity(pages + 1);
        let mut links = Vec::with_capacity(pages * 11);
        let mut page_links: Vec<Href> = Vec::with_capacity(16);
        for i in 0..pages {
            page_links.clear();
            let page_link = |rng: &mut SplitMix64, target: usize| Href::Page {
                target: target as u32,
                style: *rng.pick(&STYLES),
                fragment: if rng.percent(15) {
                    rng.range(1, 3) as u8
                } else {
                    0
                },
                tag: if rng.percent(10) {
                    rng.range(1, 4) as u8
                } else {
                    0
                },
            };
            // What keeps the graph connected: the tree edges.
            if i > 0 {
                page_links.push(page_link(&mut rng, parent[i] as usize));
            }
            let own_children = &children[child_start[i] as usize..child_start[i + 1] as usize];
            for &child in own_children {
                page_links.push(page_link(&mut rng, child as usize));
            }
            // What every page has: a self link with `?ref=`, a `#top`, and
            // one link a crawler must not follow.
            page_links.push(Href::Page {
                target: i as u32,
                style: *rng.pick(&STYLES),
                fragment: 0,
                tag: rng.range(1, 4) as u8,
            });
            page_links.push(Href::Top);
            page_links.push(unfollowable(&mut rng, pages));
            // Extras up to a random total of 6..=15 links.
            let total = (rng.range(6, 15) as usize).max(page_links.len());
            while page_links.len() < total {
                let extra = match rng.below(6) {
                    0 if i > 0 => page_link(&mut rng, 0),
                    1 if i + 1 < pages => page_link(&mut rng, i + 1),
                    2 | 3 if i > 0 => {
                        let older = rng.below(i as u64) as usize;
                        page_link(&mut rng, older)
                    }
                    4 => Href::Page {
                        target: i as u32,
                        style: *rng.pick(&STYLES),
                        fragment: rng.range(1, 3) as u8,
                        tag: 0,
                    },
                    _ => unfollowable(&mut rng, pages),
                };
                page_links.push(extra);
            }
            // Shuffle so the tree links are not always first (Fisher-Yates).
            for k in (1..page_links.len()).rev() {
                let j = rng.below(k as u64 + 1) as usize;
                page_links.swap(k, j);
            }
            offsets.push(links.len() as u32);
            links.extend_from_slice(&page_links);
        }
        offsets.push(links.len() as u32);
        Graph {
            seed,
            pages,
            offsets,
            links,
        }
    }

    pub(crate) fn pages(&self) -> usize {
        self.pages
    }

    pub(crate) fn links(&self, page: usize) -> &[Href] {
        &self.links[self.offsets[page] as usize..self.offsets[page + 1] as usize]
    }

    /// Breadth-first search from page 0 over the links a correct crawler
    /// follows (same origin, `/crawl/` paths, `?ref=` and fragments dropped).
    pub(crate) fn info(&self) -> GraphInfo {
        let mut depth = vec![u32::MAX; self.pages];
        let mut queue = VecDeque::from([0usize]);
        depth[0] = 0;
        let (mut reachable, mut max_depth) = (1usize, 0u32);
        while let Some(page) = queue.pop_front() {
            for href in self.links(page) {
                if let Href::Page { target, .. } = *href {
                    let target = target as usize;
                    if depth[target] == u32::MAX {
                        depth[target] = depth[page] + 1;
                        max_depth = max_depth.max(depth[target]);
                        reachable += 1;
                        queue.push_back(target);
                    }
                }
            }
        }
        GraphInfo {
            root: format!("{CRAWL_PREFIX}0"),
            pages: self.pages,
            reachable,
            max_depth: max_depth as usize,
        }
    }

    /// The HTML of page `page`; `base` (e.g. `http://127.0.0.1:8000`) is
    /// used for absolute links only.
    pub(crate) fn render(&self, page: usize, base: &str) -> String {
        let mut text = SplitMix64::for_page(self.seed, page as u64, 1);
        let title = self.title(page);
        let links = self.links(page);
        let mut html = String::with_capacity(4096);

        // Each link goes into one of three section paragraphs or the
        // "see also" list; build those link snippets first.
        let mut slots: [Vec<String>; 4] = Default::default();
        for (k, href) in links.iter().enumerate() {
            let anchor = self.anchor_text(href);
            let mut snippet = String::with_capacity(96);
            snippet.push_str("<a href=\"");
            write_href(&mut snippet, href, base);
            let _ = write!(snippet, "\">{anchor}</a>");
            slots[k % 4].push(snippet);
        }

        let _ = write!(
            html,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>{title} | Page {page}</title>\n\
             <meta name=\"description\" content=\"Page {page} of {pages} of the local crawl site.\">\n\
             </head>\n<body>\n<header id=\"top\">\n<p class=\"site\">Local crawl site, page {page} of {pages}</p>\n\
             </header>\n<main>\n<h1>{title}</h1>\n",
            pages = self.pages,
        );
        html.push_str("<p class=\"lead\">");
        sentences(&mut text, &mut html, 3, 5);
        html.push_str("</p>\n");
        for (section, slot) in slots.iter().take(3).enumerate() {
            let heading = capitalised_words(&mut text, 2, 4);
            let _ = write!(
                html,
                "<h2 id=\"section-{}\">{heading}</h2>\n<p>",
                section + 1
            );
            sentences(&mut text, &mut html, 3, 6);
            for snippet in slot {
                html.push_str(" See ");
                html.push_str(snippet);
                html.push('.');
                sentences(&mut text, &mut html, 1, 2);
            }
            html.push_str("</p>\n");
        }
        html.push_str("<h2>See also</h2>\n<ul>\n");
        for snippet in &slots[3] {
            let _ = writeln!(html, "<li>{snippet}</li>");
        }
        html.push_str("</ul>\n</main>\n<footer>\n<p>");
        sentences(&mut text, &mut html, 1, 2);
        html.push_str("</p>\n</footer>\n</body>\n</html>\n");
        html
    }

    /// The title of a page (also the text of links to it).
    pub(crate) fn title(&self, page: usize) -> String {
        let mut rng = SplitMix64::for_page(self.seed, page as u64, 2);
        capitalised_words(&mut rng, 2, 4)
    }

    fn anchor_text(&self, href: &Href) -> String {
        match *href {
            Href::Page { target, .. } => self.title(target as usize),
            Href::Top => "Back to top".to_string(),
            Href::Mailto => "Write to the editors".to_string(),
            Href::Javascript => "Show comments".to_string(),
            Href::OtherHost(_) => "A partner site".to_string(),
            Href::ExampleCom(_) => "An example article".to_string(),
        }
    }
}

/// One of the links a crawler must not follow.
fn unfollowable(rng: &mut SplitMix64, pages: usize) -> Href {
    let number = rng.below(pages as u64) as u32;
    match rng.below(4) {
        0 => Href::Mailto,
        1 => Href::Javascript,
        2 => Href::OtherHost(number),
        _ => Href::ExampleCom(number),
    }
}

/// Write the `href` attribute value of a link (ASCII only, nothing to escape).
fn write_href(out: &mut String, href: &Href, base: &str) {
    match *href {
        Href::Page {
            target,
            style,
            fragment,
            tag,
        } => {
            match style {
                Style::Absolute => {
                    let _ = write!(out, "{base}{CRAWL_PREFIX}{target}");
                }
                Style::RootRelative => {
                    let _ = write!(out, "{CRAWL_PREFIX}{target}");
                }
                Style::Bare => {
                    let _ = write!(out, "{target}");
                }
                Style::DotSlash => {
                    let _ = write!(out, "./{target}");
                }
                Style::DotDot => {
                    let _ = write!(out, "..{CRAWL_PREFIX}{target}");
                }
            }
            if tag != 0 {
                let _ = write!(out, "?ref={}", REF_TAGS[usize::from(tag)]);
            }
            if fragment != 0 {
                let _ = write!(out, "#section-{fragment}");
            }
        }
        Href::Top => out.push_str("#top"),
        Href::Mailto => out.push_str("mailto:editors@example.com"),
        Href::Javascript => out.push_str("javascript:void(0)"),
        Href::OtherHost(n) => {
            let _ = write!(out, "http://external.invalid{CRAWL_PREFIX}{n}");
        }
        Href::ExampleCom(n) => {
            let _ = write!(out, "https://example.com/articles/{n}");
        }
    }
}

/// Plain words for generated text (all lowercase ASCII: nothing to escape).
pub(crate) const WORDS: [&str; 96] = [
    "river", "lantern", "harbor", "signal", "garden", "copper", "window", "thread", "market",
    "compass", "meadow", "engine", "ladder", "orbit", "pepper", "quiet", "rocket", "saddle",
    "timber", "velvet", "whistle", "yellow", "anchor", "basket", "candle", "desert", "ember",
    "fabric", "glacier", "hollow", "island", "jacket", "kettle", "lemon", "marble", "needle",
    "oyster", "pillow", "quarry", "ribbon", "silver", "tunnel", "umbrella", "valley", "walnut",
    "harvest", "bridge", "canyon", "dragon", "falcon", "forest", "granite", "horizon", "journey",
    "kingdom", "library", "mirror", "northern", "ocean", "palace", "puzzle", "rainbow", "shadow",
    "summer", "thunder", "travel", "village", "winter", "wonder", "bright", "gentle", "hidden",
    "little", "morning", "golden", "silent", "simple", "steady", "swift", "tender", "useful",
    "warm", "wild", "clever", "distant", "early", "famous", "honest", "modern", "narrow",
    "patient", "rapid", "careful", "curious", "open", "ready",
];

/// `count` (in min..=max) capitalised words: a title or heading.
pub(crate) fn capitalised_words(rng: &mut SplitMix64, min: u64, max: u64) -> String {
    let count = rng.range(min, max);
    let mut out = String::with_capacity(40);
    for k in 0..count {
        if k > 0 {
            out.push(' ');
        }
        let word = rng.pick(&WORDS);
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

/// Append `min..=max` sentences of 6 to 14 words each.
pub(crate) fn sentences(rng: &mut SplitMix64, out: &mut String, min: u64, max: u64) {
    let count = rng.range(min, max);
    for _ in 0..count {
        if !out.ends_with('>') && !out.is_empty() {
            out.push(' ');
        }
        let words = rng.range(6, 14);
        for w in 0..words {
            let word = rng.pick(&WORDS);
            if w == 0 {
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    out.push(first.to_ascii_uppercase());
                    out.push_str(chars.as_str());
                }
            } else {
                out.push(' ');
                out.push_str(word);
            }
        }
        out.push('.');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_is_reachable_and_depth_is_modest() {
        for (pages, seed) in [(1, 1), (2, 7), (300, 42), (20_000, 42), (20_000, 3)] {
            let graph = Graph::build(pages, seed);
            let info = graph.info();
            assert_eq!(info.reachable, pages, "pages={pages} seed={seed}");
            if pages == 20_000 {
                assert!(
                    (8..=15).contains(&info.max_depth),
                    "depth {} for 20,000 pages",
                    info.max_depth
                );
            }
        }
    }

    #[test]
    fn every_page_has_five_to_fifteen_links() {
        let graph = Graph::build(5_000, 9);
        for page in 0..graph.pages() {
            let n = graph.links(page).len();
            assert!((5..=15).contains(&n), "page {page} has {n} links");
        }
    }

    #[test]
    fn same_seed_same_graph_and_text() {
        let a = Graph::build(500, 11);
        let b = Graph::build(500, 11);
        let c = Graph::build(500, 12);
        assert_eq!(a.links, b.links);
        assert_eq!(a.render(17, "http://h:1"), b.render(17, "http://h:1"));
        assert_ne!(a.render(17, "http://h:1"), c.render(17, "http://h:1"));
    }
}
