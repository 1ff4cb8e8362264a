"""Plumbing shared by the Python twins (flags, the site's stats, the report
record). The lesson itself stays in each twin, as in the Rust examples."""

import argparse
import json
import os
import sys
import urllib.request

REPORT_ENV = "RUN_ALL_REPORT"


def parse_args(description, site=False, extra=None):
    """--quick, and --site URL (+ --timeout) for the twins that use the web.

    argparse exits 2 with a clear message on a bad flag, like clap."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="the --quick size of run_all")
    if site:
        parser.add_argument("--site", required=True, metavar="URL",
                            help="the local site, e.g. http://127.0.0.1:8080")
        parser.add_argument("--timeout", type=float, default=10.0,
                            help="seconds allowed per request (default 10)")
    if extra:
        extra(parser)
    args = parser.parse_args()
    if site:
        if not args.site.startswith(("http://", "https://")):
            parser.error(f"--site must be an http(s) URL, got {args.site!r}")
        args.site = args.site.rstrip("/")
    return args


def reset_stats(site):
    """Zero the site's counters so /stats counts this run only."""
    request = urllib.request.Request(site + "/stats/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        response.read()


def max_in_flight(site):
    """The most requests the site saw at once since reset_stats, or None."""
    try:
        with urllib.request.urlopen(site + "/stats", timeout=5) as response:
            return json.load(response).get("max_in_flight")
    except (OSError, ValueError):
        return None


def two_sites(site, repeat=80):
    """The article's [jython, dice] * 80, on the local site."""
    return [f"{site}/sites/jython", f"{site}/sites/dice"] * repeat


def domain_urls(site, count):
    """The scraper blog's top `count` domains, on the local site."""
    return [f"{site}/domains/{i % 500 + 1}" for i in range(count)]


def finish(example, wall_seconds, items, errors=0, **extra):
    """Append the same JSON record as the Rust twin, if RUN_ALL_REPORT is set,
    and exit 0 (1 when some item failed)."""
    path = os.environ.get(REPORT_ENV)
    if path:
        extra["language"] = "python"
        record = {"example": example, "wall_seconds": wall_seconds,
                  "items": items, "errors": errors, "extra": extra}
        line = json.dumps(record) + "\n"
        # One write on an O_APPEND file, so lines of several processes never mix.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
    sys.exit(1 if errors else 0)


def positive_int(text):
    """An argparse type: an integer of at least 1 (else exit 2 with a message)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def seconds(text):
    """An argparse type: seconds from 0 to 3600, like the Rust examples."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"{value} is not in 0..=3600")
    return value


def seconds_flag(parser, default):
    parser.add_argument("--seconds", type=seconds, default=None,
                        help=f"the pause, in seconds (default {default}; --quick 0.2)")


def time_scale_flag(parser, quick):
    parser.add_argument("--time-scale", type=float, default=None,
                        help=f"multiplies every sleep (default 0.01; --quick {quick}; the article: 1)")
    parser.add_argument("--inputs", type=positive_int, default=1000,
                        help="cal_square runs on 0..N (the article: 1000)")


def crawl_flags(parser):
    parser.add_argument("--max-urls", type=positive_int, default=100,
                        help="stop once this many URLs are known (the article: 20000)")


def start_url(site):
    """The local site's crawl root."""
    return site + "/crawl/0"


def keep_link(start, href):
    """The article keeps https://www... links; we keep links on the start URL's
    origin (scheme, host, port), without the #fragment, so a crawl never
    leaves the site it was given. Returns the absolute URL, or None."""
    from urllib.parse import urldefrag, urlsplit
    if href is None:
        return None
    absolute, _fragment = urldefrag(href)
    origin, link = urlsplit(start), urlsplit(absolute)
    if (link.scheme, link.netloc) != (origin.scheme, origin.netloc):
        return None
    return absolute
