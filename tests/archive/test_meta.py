"""Filter arrays: full load, and incremental refresh of changed and new articles."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.archive.filters import SearchFilters
from bot.archive.meta import ArchiveMeta
from bot.store.db import session_scope
from bot.store.models import Article, ArticleSignal
from tests.archive.helpers import build_archive


def test_refresh_picks_up_changed_labels_and_new_articles(engine):
    ids = build_archive(engine)
    meta = ArchiveMeta().load(engine)
    hype = SearchFilters.from_options(label="hype")
    assert set(meta.ids[meta.mask(hype)].tolist()) == {ids["TSMC"], ids["Startup"]}
    with session_scope(engine) as session:
        sig = session.get(ArticleSignal, ids["TSMC"])
        sig.label, sig.computed_at = "deployment", datetime.now(UTC)
        session.add(sig)
        art = Article(url="http://127.0.0.1/n", canonical_url="http://127.0.0.1/n", content_hash="n",
                      title="New", text="new", source_id=1)  # fmt: skip
        session.add(art)
        session.flush()
        session.add(
            ArticleSignal(article_id=art.id, label="hype", topics=["chips"], primary_topic="chips")
        )
        new_id = art.id
    meta.refresh(engine)
    assert set(meta.ids[meta.mask(hype)].tolist()) == {ids["Startup"], new_id}
    chips = meta.ids[meta.mask(SearchFilters.from_options(topic="chips"))].tolist()
    assert new_id in chips and list(meta.ids) == sorted(meta.ids)
