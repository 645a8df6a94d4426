"""Registrable domains and outlet counting (bot/pipeline/outlets.py)."""

from __future__ import annotations

import pytest

from bot.pipeline.outlets import count_outlets, registrable_domain


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.nytimes.com/2026/01/01/tech/ai.html", "nytimes.com"),
        ("https://news.bbc.co.uk/story", "bbc.co.uk"),
        ("http://m.smh.com.au/x", "smh.com.au"),
        ("https://alice.github.io/post", "alice.github.io"),
        ("https://ai.substack.com/p/x", "ai.substack.com"),
        ("https://127.0.0.1:8080/feed", "127.0.0.1"),
        ("HTTPS://Blog.Example.ORG:443/a", "example.org"),
        ("example.com", "example.com"),
        ("not a url", ""),
        ("", ""),
    ],
)
def test_registrable_domain(url: str, domain: str) -> None:
    assert registrable_domain(url) == domain


def test_copies_on_one_site_count_once() -> None:
    urls = [
        "https://blog.example.com/author/jo/post-1",
        "https://www.example.com/tag/ai/post-1",
        "https://example.com/post-1",
        "https://news.other.co.uk/post",
    ]
    assert count_outlets(urls) == 2
