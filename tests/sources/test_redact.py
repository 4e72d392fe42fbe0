"""Tests of credential redaction in URLs and free text."""

from __future__ import annotations

import pytest

from bot.sources.redact import redact_text, redact_url, redact_urls


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX",
            "https://hooks.slack.com/services/T000/B000/***",
        ),
        (
            "https://hooks.slack.com/services/T000/B000/short",
            "https://hooks.slack.com/services/T000/B000/***",
        ),
        (
            "https://discord.com/api/webhooks/123456/abc.def-TOKEN",
            "https://discord.com/api/webhooks/123456/***",
        ),
        (
            "https://discordapp.com/api/v10/webhooks/123/tok?wait=true",
            "https://discordapp.com/api/v10/webhooks/123/***?wait=true",
        ),
        ("https://user:pa55@example.org/x", "https://***@example.org/x"),
        (
            "https://x.org/a?api_key=s3cr3t&q=1&token=t&sig=abc&Password=p&key=k",
            "https://x.org/a?api_key=***&q=1&token=***&sig=***&Password=***&key=***",
        ),
        (
            "https://s3.example/o?X-Amz-Signature=ff00&access_token=zz&client_secret=c",
            "https://s3.example/o?X-Amz-Signature=***&access_token=***&client_secret=***",
        ),
        (
            "https://example.org/hook/0123456789abcdefABCDEF_-/status",
            "https://example.org/hook/***/status",
        ),
        (
            "https://api.telegram.org/bot123:AAE-x_y/sendMessage",
            "https://api.telegram.org/bot***/sendMessage",
        ),
    ],
)
def test_redact_url_hides_secrets(url: str, expected: str) -> None:
    assert redact_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://export.arxiv.org/api/query?search_query=au:del_maestro&id_list=2308.03526v2"
        "&start=0&max_results=100&sortBy=submittedDate",
        "https://rss.arxiv.org/rss/cs.AI+cs.LG+cs.CL+stat.ML+math.OC",
        "https://arxiv.org/abs/hep-th/9901001v1",
        "http://127.0.0.1:8080/feed",
    ],
)
def test_redact_url_leaves_ordinary_urls_alone(url: str) -> None:
    assert redact_url(url) == url


def test_redact_url_survives_garbage() -> None:
    assert redact_url("not a url") == "not a url"
    assert redact_url("http://[bad@host/x") == "http://***@host/x"


def test_redact_text_masks_given_secrets_and_their_url_forms() -> None:
    text = "token xoxb-1234/5678 failed at https://h/?t=xoxb-1234%2F5678, id 42, pw abc"
    out = redact_text(text, ["xoxb-1234/5678", "", "abc", "42"])
    assert out == "token *** failed at https://h/?t=***, id 42, pw abc"


def test_redact_text_masks_longest_secret_first() -> None:
    assert redact_text("key=abcdefgh", ["abcd", "abcdefgh"]) == "key=***"
    assert redact_text("nothing here", []) == "nothing here"


def test_a_commands_response_url_keeps_only_the_team() -> None:
    """#12: a slash command's response_url is a credential for 30 minutes."""
    url = "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN"
    assert redact_url(url) == "https://hooks.slack.com/commands/T1DC2JH3J/***"
    quoted = "response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1%2F39770%2Fsecretpart&x=1"
    assert "secretpart" not in redact_urls(quoted) and redact_urls(quoted).endswith("&x=1")
