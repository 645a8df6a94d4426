"""OPML export/import: round trip, nested categories, duplicates, hostile documents."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest

from bot.errors import SourcesError
from bot.opml import export_opml, import_opml, parse_opml, slugify
from bot.sources import SourceSpec, load_sources

REPO = Path(__file__).resolve().parents[1]

NESTED = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>my reader</title></head>
  <body>
    <outline text="AI Labs">
      <outline text="OpenAI News" type="rss" xmlUrl="https://openai.com/news/rss.xml"
               htmlUrl="https://openai.com/news/"/>
      <outline text="Research">
        <outline title="arXiv cs.CL" text="ignored" type="rss"
                 xmlUrl="https://rss.arxiv.org/rss/cs.CL" category="/papers,/nlp"/>
      </outline>
    </outline>
    <outline text="Chips &amp; Hardware">
      <outline text="NVIDIA Newsroom" type="rss" xmlUrl="https://nvidianews.nvidia.com/releases.xml"/>
      <outline text="OpenAI News (again)" type="rss" xmlUrl="https://OPENAI.com/news/rss.xml/"/>
    </outline>
    <outline text="Broken" type="rss" xmlUrl="javascript:alert(1)"/>
    <outline text="Café Économie" type="rss" xmlUrl="https://eco.example.org/feed"/>
    <outline text="Café Économie" type="rss" xmlUrl="https://eco2.example.org/feed"/>
  </body>
</opml>
"""


def test_round_trip_of_the_repository_sources(tmp_path: Path) -> None:
    specs = load_sources(REPO / "sources.yaml")
    opml_file = tmp_path / "feeds.opml"
    opml_file.write_text(export_opml(specs), encoding="utf-8")
    target = tmp_path / "sources.yaml"
    result = import_opml(opml_file, target, merge=False)
    assert result.skipped == []
    assert [s.to_dict() for s in load_sources(target)] == [s.to_dict() for s in specs]


def test_export_is_opml_2_that_feed_readers_understand() -> None:
    spec = SourceSpec(
        slug="x",
        name="X <&> News",
        url="https://x.example.org/rss?a=1&b=2",
        tags=["press", "chips"],
        options={"site_url": "https://x.example.org/"},
    )
    text = export_opml([spec])
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    result = parse_opml(text)
    (back,) = result.added
    assert back.url == "https://x.example.org/rss?a=1&b=2"
    assert back.name == "X <&> News"
    assert back.tags == ["press", "chips"]
    assert back.options == {"site_url": "https://x.example.org/"}
    assert 'version="2.0"' in text and 'type="rss"' in text
    assert 'category="/press,/chips"' in text and 'htmlUrl="https://x.example.org/"' in text


def test_nested_outlines_become_tags_and_duplicates_are_skipped() -> None:
    existing = [
        SourceSpec(slug="nvidia", name="NVIDIA", url="https://nvidianews.nvidia.com/releases.xml")
    ]
    result = parse_opml(NESTED, existing)
    added = {s.slug: s for s in result.added}
    assert list(added) == ["openai-news", "arxiv-cs-cl", "cafe-economie", "cafe-economie-2"]
    assert added["openai-news"].tags == ["ai-labs"]
    assert added["openai-news"].options == {"site_url": "https://openai.com/news/"}
    assert added["arxiv-cs-cl"].tags == ["ai-labs", "research", "papers", "nlp"]
    assert added["arxiv-cs-cl"].name == "arXiv cs.CL"
    reasons = {s["title"]: s["reason"] for s in result.skipped}
    assert reasons == {
        "NVIDIA Newsroom": "already listed as nvidia",
        "OpenAI News (again)": "already listed as openai-news",
        "Broken": "not a URL",
    }


def test_merge_appends_and_keeps_existing_entries_byte_for_byte(tmp_path: Path) -> None:
    target = tmp_path / "sources.yaml"
    original = (
        "# my feeds, hand-written\n"
        "sources:\n"
        "  - slug: nvidia  # the newsroom\n"
        "    name: NVIDIA\n"
        "    url: https://nvidianews.nvidia.com/releases.xml\n"
    )
    target.write_text(original, encoding="utf-8")
    opml_file = tmp_path / "in.opml"
    opml_file.write_text(NESTED, encoding="utf-8")
    with pytest.raises(SourcesError, match="use --merge"):
        import_opml(opml_file, target, merge=False)
    assert target.read_text(encoding="utf-8") == original
    result = import_opml(opml_file, target, merge=True)
    text = target.read_text(encoding="utf-8")
    assert text.startswith(original)
    slugs = [s.slug for s in load_sources(target)]
    assert slugs == ["nvidia"] + [s.slug for s in result.added]
    again = import_opml(opml_file, target, merge=True)
    assert again.added == [] and target.read_text(encoding="utf-8") == text


def test_merge_rewrites_when_sources_is_not_the_last_key(tmp_path: Path) -> None:
    target = tmp_path / "sources.yaml"
    target.write_text(
        "sources:\n  - {slug: a, name: A, url: 'https://a.example.org/f'}\ndefaults:\n  weight: 2\n",
        encoding="utf-8",
    )
    result = parse_opml(NESTED)
    from bot.opml import write_sources_file

    write_sources_file(target, result.added[:1], merge=True)
    specs = load_sources(target)
    assert [s.slug for s in specs] == ["a", "openai-news"]
    assert specs[0].weight == 2.0


def billion_laughs() -> str:
    ents = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE opml [\n'
        + "\n".join(ents)
        + '\n]>\n<opml version="2.0"><body><outline text="&lol9;" xmlUrl="https://a.example.org/f"/></body></opml>'
    )


@pytest.mark.parametrize(
    "hostile",
    [
        billion_laughs(),
        '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<opml version="2.0"><body><outline text="&x;" xmlUrl="https://a.example.org/f"/></body></opml>',
        '<?xml version="1.0"?><!DOCTYPE opml SYSTEM "http://127.0.0.1:9/evil.dtd">'
        '<opml version="2.0"><body/></opml>',
    ],
    ids=["billion-laughs", "external-entity", "external-dtd"],
)
def test_hostile_opml_is_refused(hostile: str) -> None:
    with pytest.raises(SourcesError, match="refused unsafe XML"):
        parse_opml(hostile)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("<opml><body><outline></body></opml>", "line 1, column"),
        ("<rss><channel/></rss>", "not an OPML document"),
        ("", "not well-formed XML"),
    ],
)
def test_broken_opml_gets_a_clear_error(doc: str, message: str) -> None:
    with pytest.raises(SourcesError, match=message):
        parse_opml(doc)


def test_missing_opml_file_and_empty_import(tmp_path: Path) -> None:
    target = tmp_path / "sources.yaml"
    with pytest.raises(SourcesError, match="cannot read OPML file"):
        import_opml(tmp_path / "nope.opml", target, merge=False)
    empty = tmp_path / "empty.opml"
    empty.write_text('<opml version="2.0"><body/></opml>', encoding="utf-8")
    with pytest.raises(SourcesError, match="no feeds to import"):
        import_opml(empty, target, merge=False)
    assert not target.exists()


def test_slugify() -> None:
    assert slugify("  Google DeepMind — Blog! ") == "google-deepmind-blog"
    assert slugify("日本語") == ""
    assert len(slugify("x" * 200)) == 48


def test_export_lists_every_source_once() -> None:
    specs = load_sources(REPO / "sources.yaml")
    root = ElementTree.fromstring(export_opml(specs))
    feeds = [o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")]
    assert sorted(feeds) == sorted(s.url for s in specs)
    groups = [o.get("text") for o in root.find("body") if not o.get("xmlUrl")]
    assert len(groups) == len(set(groups)) and "regulation" in groups
