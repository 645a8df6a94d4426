"""Article identity: one row per article, however often and from wherever it is seen.

Matching order: the GUID (within its source; for imports the record ``id``), then the canonical
URL (tracking parameters stripped, scheme/host lower-cased, default port, fragment and trailing
slash dropped, query sorted), then a hash of the normalised title and text. A matched entry whose
content hash changed updates its row (``updated``); otherwise it is ``unchanged``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import datetime
from functools import cached_property
from itertools import zip_longest
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:  # the database layer loads lazily: parser processes import only what they use
    from sqlmodel import Session

    from bot.store.models import Article

TRACKING_PARAMS = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
    "mc_cid", "mc_eid", "ref", "ref_src", "ref_url", "referrer", "source", "cmpid", "ncid",
    "_hsenc", "_hsmi", "mkt_tok", "spm", "s_cid", "oly_enc_id", "oly_anon_id", "vero_id",
}  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "at_", "hsa_", "__")
MIN_HASH_CHARS = 40  # shorter texts are too generic to prove two entries are one article
_WORDS = re.compile(r"\w+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# ASCII word characters kept (capitals lowered), every other byte a space
_ASCII_WORDS = bytes(
    c + 32 if 65 <= c <= 90 else c if (48 <= c <= 57 or 97 <= c <= 122 or c == 95) else 32
    for c in range(256)
)


def canonical_url(url: str) -> str:
    """The URL with tracking parameters, fragment, default port and trailing slash removed."""
    url = (url or "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = parts.path or "/"
    if "//" in path:
        path = re.sub(r"/{2,}", "/", path)
    if len(path) > 1:
        path = path.rstrip("/")
    query = ""
    if parts.query:
        kept = parse_qsl(parts.query, keep_blank_values=True)
        query = urlencode(sorted((k, v) for k, v in kept if not _is_tracking(k)))
    return urlunsplit((scheme, host, path, query, ""))


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def strip_tracking(url: str) -> str:
    """``url`` without its tracking parameters (utm_*, fbclid, ...), otherwise untouched.

    For links shown to readers: unlike :func:`canonical_url` it keeps host, path and the order
    of the other parameters exactly as published.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not _is_tracking(k)]
    if len(kept) == len(pairs):
        return url
    return urlunsplit(parts._replace(query=urlencode(kept)))


def normalise_text(text: str) -> str:
    r"""Lower-cased word tokens of ``text`` (NFKC), joined by single spaces.

    Same result as ``" ".join(re.findall(r"\w+", NFKC(text).lower()))`` (the definition, kept
    in the tests), computed on bytes when the only non-ASCII characters are not word characters
    (curly quotes, dashes, no-break spaces: most English feed text): a C translate and split
    instead of a regular expression creating one string per word.
    """
    text = text or ""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        if not text.isascii():
            odd = set(_NON_ASCII.findall(text))
            if any(_WORDS.match(c) or _WORDS.match(c.lower()) for c in odd):
                return " ".join(_WORDS.findall(text.lower()))
            text = _NON_ASCII.sub(" ", text)
    return b" ".join(text.encode("ascii").translate(_ASCII_WORDS).split()).decode("ascii")


def content_hash(title: str, text: str) -> str:
    """SHA-256 of the normalised title and text."""
    data = normalise_text(title) + "\n" + normalise_text(text)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


@dataclass
class Candidate:
    """An incoming article (from a feed entry or an import record) before it is matched."""

    url: str
    title: str
    text: str
    guid: str | None = None
    external_id: str | None = None
    summary: str = ""
    author: str | None = None
    published_at: datetime | None = None

    @cached_property
    def canonical(self) -> str:
        """The canonical form of ``url``."""
        return canonical_url(self.url)

    @cached_property
    def normalised(self) -> tuple[str, str]:
        """Normalised title and text (computed once)."""
        return normalise_text(self.title), normalise_text(self.text)

    @cached_property
    def hash(self) -> str:
        """The content hash of title and text."""
        title, text = self.normalised
        return hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()

    @cached_property
    def hashable(self) -> bool:
        """Whether the text is long enough for the hash to identify the article."""
        title, text = self.normalised
        return len(title) + len(text) >= MIN_HASH_CHARS

    def prepare(self) -> Candidate:
        """Compute canonical URL and hash now (e.g. in a worker process, before pickling)."""
        _ = self.canonical, self.hash, self.hashable
        self.__dict__.pop("normalised", None)  # not needed any more; keeps the pickle small
        return self


@dataclass(slots=True)
class KnownRow:
    """The identity columns of a stored article: enough to match it and see it is unchanged.

    The full ORM row is loaded only for an article that changed (:meth:`IdentityIndex.load`).
    """

    id: int
    source_id: int | None
    guid: str | None
    external_id: str | None
    canonical_url: str
    content_hash: str


class IdentityIndex:
    """Existing articles that a batch of candidates could match, loaded in a few queries."""

    def __init__(self, session: Session, source_id: int | None, candidates: list[Candidate]):
        from sqlalchemy import or_, select

        from bot.store.db import chunked as _chunks
        from bot.store.models import Article

        self.session = session
        self.source_id = source_id
        self.by_guid: dict[str, Any] = {}
        self.by_external: dict[str, Any] = {}
        self.by_url: dict[str, Any] = {}
        self.by_hash: dict[str, Any] = {}
        self.pending: list[NewRow] = []
        guids = sorted({c.guid for c in candidates if c.guid})
        externals = sorted({c.external_id for c in candidates if c.external_id})
        urls = sorted({c.canonical for c in candidates if c.canonical})
        hashes = sorted({c.hash for c in candidates if c.hashable})
        t = Article.__table__.c  # type: ignore[attr-defined]
        # One Core query of the identity columns per batch: ORM objects for every lookup, in
        # three queries, cost more than the lookups (0.39 of 1.85 CPU-s storing 100 feeds).
        cols = select(t.id, t.source_id, t.guid, t.external_id, t.canonical_url, t.content_hash)
        sets = (set(guids), set(externals), set(urls), set(hashes))
        parts = [_chunks(guids), _chunks(externals), _chunks(urls), _chunks(hashes)]
        for guid_c, ext_c, url_c, hash_c in zip_longest(*parts, fillvalue=()):
            where = [t.guid.in_(guid_c) & (t.source_id == source_id)] if guid_c else []
            where += [t.external_id.in_(ext_c)] if ext_c else []
            where += [t.canonical_url.in_(url_c)] if url_c else []
            where += [t.content_hash.in_(hash_c)] if hash_c else []
            if not where:
                continue
            for r in session.execute(cols.where(or_(*where)).order_by(t.id)):
                row = KnownRow(*r)
                if row.guid in sets[0] and row.source_id == source_id:
                    self.by_guid.setdefault(row.guid or "", row)
                if row.external_id in sets[1]:
                    self.by_external.setdefault(row.external_id or "", row)
                if row.canonical_url in sets[2]:
                    self.by_url.setdefault(row.canonical_url, row)
                if row.content_hash in sets[3]:
                    self.by_hash.setdefault(row.content_hash, row)

    def load(self, known: KnownRow) -> Any:
        """The ORM row of a matched article, put in place of ``known`` in every index."""
        from bot.store.models import Article

        row = self.session.get(Article, known.id)
        for index, key in (
            (self.by_guid, known.guid or ""),
            (self.by_external, known.external_id or ""),
            (self.by_url, known.canonical_url),
            (self.by_hash, known.content_hash),
        ):
            if index.get(key) is known:  # the only keys under which ``known`` can be filed
                index[key] = row
        return row

    def match(self, cand: Candidate) -> Any:
        """The existing article this candidate is, by GUID, then canonical URL, then hash."""
        if cand.external_id and cand.external_id in self.by_external:
            return self.by_external[cand.external_id]
        if cand.guid and cand.guid in self.by_guid:
            return self.by_guid[cand.guid]
        if cand.canonical and cand.canonical in self.by_url:
            return self.by_url[cand.canonical]
        if cand.hashable:
            return self.by_hash.get(cand.hash)
        return None

    def flush(self) -> int:
        """Insert the batch's new rows in one executemany; returns how many."""
        if not self.pending:
            return 0
        from bot.store.models import Article

        names = [f.name for f in fields(NewRow)]
        rows = [{name: getattr(r, name) for name in names} for r in self.pending]
        # Core executemany on the session's connection: the ORM's bulk path cost ~0.4 ms a row
        # (a first crawl of the 100 benchmark feeds spent 1.2 s there).
        self.session.connection().execute(Article.__table__.insert(), rows)  # type: ignore[attr-defined]
        self.pending = []
        return len(rows)

    def remember(self, row: Any) -> None:
        """Index a new or changed row so later candidates of the same batch find it."""
        if row.guid and row.source_id == self.source_id:
            self.by_guid.setdefault(row.guid, row)
        if row.external_id:
            self.by_external.setdefault(row.external_id, row)
        if row.canonical_url:
            self.by_url.setdefault(row.canonical_url, row)
        if len(row.title) + len(row.text) >= MIN_HASH_CHARS:
            self.by_hash.setdefault(row.content_hash, row)


@dataclass
class NewRow:
    """A new article waiting for the batch insert (cheaper than an ORM object per row)."""

    source_id: int | None
    external_id: str | None
    guid: str | None
    url: str
    canonical_url: str
    content_hash: str
    title: str
    summary: str
    text: str
    author: str | None
    published_at: datetime | None
    first_seen_at: datetime
    updated_at: datetime
    text_source: str = "feed"
    extraction_status: str = "pending"
    extraction_reason: str | None = None


def upsert_candidate(
    index: IdentityIndex, cand: Candidate, **new_fields: Any
) -> tuple[str, Article | NewRow | KnownRow]:
    """Insert or update the article for ``cand``; returns ("new"|"updated"|"unchanged", row).

    ``new_fields`` are set only on a new row (text_source, extraction_status, ...). New rows are
    inserted by :meth:`IdentityIndex.flush`, which the caller runs before committing.
    """
    from bot.store.models import Article, utcnow

    now = utcnow()
    digest = cand.hash
    row = index.match(cand)
    if row is None:
        new = NewRow(
            source_id=index.source_id,
            external_id=cand.external_id,
            guid=cand.guid,
            url=cand.url,
            canonical_url=cand.canonical,
            content_hash=digest,
            title=cand.title,
            summary=cand.summary,
            text=cand.text,
            author=cand.author,
            published_at=cand.published_at,
            first_seen_at=now,
            updated_at=now,
            **new_fields,
        )
        index.pending.append(new)
        index.remember(new)
        return "new", new
    if row.content_hash == digest:
        return "unchanged", row
    if isinstance(row, KnownRow):
        row = index.load(row)
    row.content_hash = digest
    row.title = cand.title
    row.summary = cand.summary
    if row.text_source in ("feed", "import") or row.extraction_status != "ok":
        row.text = cand.text
    if cand.author and not row.author:
        row.author = cand.author
    if cand.published_at and row.published_at is None:
        row.published_at = cand.published_at
    row.updated_at = now
    if isinstance(row, Article):
        index.session.add(row)
    index.remember(row)
    return "updated", row
