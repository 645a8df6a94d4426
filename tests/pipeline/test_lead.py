"""Headlines and leads as a reader takes them in: captions dropped, site-name titles replaced
(bot/pipeline/lead.py). Texts are written for these tests."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.pipeline.embed import HashingEmbedder, embed_input, embed_pending, hash_input
from bot.pipeline.importer import import_articles
from bot.pipeline.lead import clean_lead, headline_for, is_generic_title, slug_headline
from bot.store.db import session_scope
from bot.store.models import Embedding

BODY = "Harbor City opened its new tram line on Monday.\nRiders filled every car."


def test_caption_lines_and_credits_are_dropped_from_the_lead() -> None:
    for caption in (
        "Image copyright Example Images Image caption Crowds at the old depot",
        "Enlarge this image toggle caption Jane Roe/AP Jane Roe/AP",
        "A tram waits at the depot in this undated photo. [Photo/Agencies]",
        "The mayor cuts a ribbon at the depot. (Photo: Harbor City Council)",
        "The depot in 2019. Photograph: Jane Roe/Getty Images",
        "Jane Roe/Getty Images",
        "Getty Images The mayor at the opening",
        "A tram in the depot (file photo)",
    ):
        assert clean_lead(caption + "\n" + BODY) == BODY, caption


def test_an_ap_file_photo_sentence_is_dropped_but_the_lead_after_it_stays() -> None:
    text = (
        "FILE - In this Jan. 5, 2024, file photo, a tram stands at the Harbor City depot. "
        "Harbor City opened its new tram line on Monday, officials said."
    )
    assert clean_lead(text) == "Harbor City opened its new tram line on Monday, officials said."


def test_text_that_is_all_caption_is_kept_rather_than_emptied() -> None:
    assert clean_lead("Jane Roe/Getty Images") == "Jane Roe/Getty Images"
    assert clean_lead("") == "" and clean_lead(None) == ""


def test_a_body_without_captions_is_unchanged() -> None:
    text = BODY + "\nThe line cost (in total) $40 million.\n" + "More text. " * 500
    assert clean_lead(text) == text


def test_site_name_titles_are_generic_and_headlines_are_not() -> None:
    assert is_generic_title("ABC News", "https://abcnews.example.com/Technology/x")
    assert is_generic_title("World news - RT International", "https://www.rt.com/on-air/1-a-b-c/")
    assert is_generic_title("NPR Search : NPR", "https://www.npr.org/search?q=x")
    assert is_generic_title("", "https://a.example.com/x")
    # a headline stays a headline, short, or naming the site, or on a site named like a word
    assert not is_generic_title("Equifax hack attack", "https://www.rt.com/shows/boom-bust/1-x/")
    assert not is_generic_title(
        "Nvidia | Nvidia ships its new chips to three clouds", "https://blogs.nvidia.com/blog/x/"
    )
    assert not is_generic_title("Google opens a lab in Accra", "https://abcnews.go.com/x")


def test_the_headline_of_a_site_name_title_comes_from_the_url() -> None:
    assert (
        headline_for(
            "ABC News",
            "http://abcnews.go.com/Technology/wireStory/harbor-city-opens-new-tram-line-52044233",
        )
        == "harbor city opens new tram line"
    )
    assert slug_headline("https://www.rt.com/on-air/414286-harbor-tram-line-opening/") == (
        "harbor tram line opening"
    )
    assert slug_headline("https://www.npr.org/search/index.php?searchinput=Harbor+City+tram") == (
        "Harbor City tram"
    )
    assert slug_headline("https://example.com/2024/01/05/article.html") == ""
    # no words in the URL: the title stays, generic or not
    assert headline_for("ABC News", "https://abcnews.go.com/id/52044233") == "ABC News"
    assert (
        headline_for("  Harbor  City opens a tram line ", None) == "Harbor City opens a tram line"
    )


def test_the_stored_embedding_is_made_from_the_clean_headline_and_lead(engine: Engine) -> None:
    url = "https://abcnews.example.com/Business/harbor-city-opens-new-tram-line-99"
    text = "Jane Roe/Getty Images\n" + BODY
    import_articles(engine, [{"url": url, "title": "ABC News", "source": "s", "text": text}])
    embed_pending(engine, HashingEmbedder())
    with session_scope(engine) as s:
        (stored,) = s.scalars(select(Embedding.text_hash)).all()
    expected = "harbor city opens new tram line. " + " ".join(BODY.split()).rstrip(".")
    assert embed_input("ABC News", text, url) == expected
    assert stored == hash_input(expected)
