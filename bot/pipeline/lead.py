"""What an article is about, as a reader would take it in: a real headline and a lead without captions.

Two things in scraped news mislead a text model about the story a page tells:

* **Photo captions and credits** at the top of the body ("A missile is launched during a drill in
  this undated photo ... [Photo/Agencies]", "Image copyright Getty Images Image caption ...", "FILE -
  In this Nov. 2, 2017 file photo, ..."). A caption describes the picture, which is often of an
  earlier event, so a diplomacy piece that opens on a missile photo reads like missile news.
  :func:`clean_lead` drops caption lines and the AP-style "FILE - In this ... file photo" sentence.
* **Generic page titles**: the site's name or a section instead of a headline ("ABC News", "NPR
  Search : NPR", "World news - RT International"). :func:`headline_for` recognises a title that is
  only the site's name plus at most two other words and then takes the headline from the URL's
  slug (``/russian-space-experts-regain-control-1st-angola-satellite-52044233``) or, for a search
  page, its query; with neither, the title stays.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit

_CREDIT = r"(?:Getty Images|AFP|AP|Reuters|EPA|WireImage|Xinhua|Agencies|Shutterstock|Bloomberg|PA)"
# A line that is a caption: BBC/NPR caption furniture, a credit in brackets at its end, a bare
# credit line, or a line that starts with the credit (The Sun's style).
_CAPTION_LINE = re.compile(
    r"^(?:Image copyright|Image caption|Enlarge this image|toggle caption|Getty Images\b)"
    r"|\[Photo(?:/[^\]]*| [^\]]*)?\]\s*$"
    r"|\((?:Photo|Photograph|Picture|Image|Credit|File photo)\b[^()]*\)\s*$"
    rf"|\([^()]{{0,80}}\b{_CREDIT}\)\s*$"
    rf"|(?:Photograph|Photo|Photo Credit|Credit):\s[^.]{{0,80}}$"
    rf"|^[^.]{{0,60}}/{_CREDIT}(?: via Getty Images)?\s*$"
    r"|\(file photo\)\s*$",
    re.IGNORECASE,
)
# AP's caption sentence in front of the lead: "FILE - In this Dec. 13, 2016, file photo, ... ."
_AP_FILE = re.compile(
    r"^\s*FILE\s*[-\u2013\u2014]\s*In this\b.{0,300}?\bfile photo\b.{0,400}?[.!?]\s+(?=[A-Z\"“])",
    re.IGNORECASE | re.DOTALL,
)
_CAPTION_SCAN_CHARS = 2500  # captions sit at the top; the rest of the body is left as it is

_SEPARATORS = re.compile(r"\s+[-|:\u2013\u2014\u00b7]\s+|\s*\|\s*")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_GENERIC_WORDS = 2  # besides the site's name, a title of this many words or fewer is a section
_SLUG_MIN_WORDS = 3
_HOST_NOISE = {"www", "m", "mobile", "amp", "edition", "com", "org", "net", "co", "uk", "news"}


def clean_lead(text: str | None) -> str:
    """``text`` without the photo captions and credits at its top (all of it if that is all)."""
    if not text:
        return ""
    head, tail = text[:_CAPTION_SCAN_CHARS], text[_CAPTION_SCAN_CHARS:]
    lines = [ln for ln in head.split("\n") if not _CAPTION_LINE.search(ln.strip())]
    kept = "\n".join(lines)
    kept = _AP_FILE.sub("", kept, count=1)
    cleaned = kept + tail
    return cleaned if cleaned.strip() else text


def _site_tokens(url: str | None) -> set[str]:
    host = (urlsplit(url).hostname or "") if url else ""
    return {label for label in host.lower().split(".") if label and label not in _HOST_NOISE}


def _is_site_name(segment: str, site: set[str]) -> bool:
    words = [w.lower() for w in _WORD.findall(segment)]
    if not words or not site:
        return False
    squashed = "".join(words)
    if squashed in site:
        return True
    # "RT International", "NPR Search": the site's name first, in a short segment
    return len(words) <= 3 and (
        words[0] in site or any(len(s) >= 3 and squashed.startswith(s) for s in site)
    )


def is_generic_title(title: str | None, url: str | None) -> bool:
    """True when ``title`` is only the site's name and at most a section ("ABC News", "World news -
    RT International"): no headline at all."""
    if not title or not title.strip():
        return True
    site = _site_tokens(url)
    segments = [s for s in _SEPARATORS.split(title.strip()) if s.strip()]
    rest = [s for s in segments if not _is_site_name(s, site)]
    if len(rest) == len(segments):
        return False  # no part of it names the site: a headline, however short
    return len(_WORD.findall(" ".join(rest))) <= _GENERIC_WORDS


def slug_headline(url: str | None) -> str:
    """Headline words from the URL: its wordiest path segment, or a search page's query."""
    if not url:
        return ""
    parts = urlsplit(url)
    best: list[str] = []
    for segment in unquote(parts.path).split("/"):
        segment = re.sub(r"\.(?:s?html?|php|aspx?|cms|cnn)$", "", segment, flags=re.IGNORECASE)
        words = [w for w in re.split(r"[-_+\s]+", segment) if w and not w.isdigit()]
        words = [w for w in words if _WORD.fullmatch(w) or re.fullmatch(r"\d+\w*", w)]
        if len(words) >= _SLUG_MIN_WORDS and len(words) > len(best):
            best = words
    if not best:
        for _, value in parse_qsl(parts.query):
            words = [w for w in re.split(r"[\s+]+", value) if _WORD.search(w)]
            if len(words) >= 2 and len(words) > len(best):
                best = words
    return " ".join(best)


def headline_for(title: str | None, url: str | None) -> str:
    """The article's headline: its title, unless that is only the site's name and the URL has one."""
    title = " ".join((title or "").split())
    if not is_generic_title(title, url):
        return title
    return slug_headline(url) or title


def reading(title: str | None, text: str | None, url: str | None) -> tuple[str, str]:
    """(headline, lead) to read names from: no headline when the title only names the site (a
    lowercase slug names nothing), and the text without its captions."""
    title = " ".join((title or "").split())
    return ("" if is_generic_title(title, url) else title), clean_lead(text)
