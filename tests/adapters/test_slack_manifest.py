"""The Slack app manifest asks for what the adapter uses: the reading list's and unfurls'
scopes, events and unfurl domains (PyYAML reads it as Slack would)."""

from __future__ import annotations

from pathlib import Path

import yaml

from adapters.slack.unfurl import ARXIV_HOSTS, DOI_HOSTS

MANIFEST = Path(__file__).parents[2] / "docs" / "slack-app-manifest.yaml"


def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def test_scopes_for_reactions_files_and_unfurls() -> None:
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    assert {"reactions:read", "files:write", "links:read", "links:write"} <= scopes


def test_events_and_unfurl_domains() -> None:
    data = manifest()
    events = data["settings"]["event_subscriptions"]["bot_events"]
    assert sorted(events) == ["link_shared", "reaction_added", "reaction_removed"]
    domains = data["features"]["unfurl_domains"]
    assert sorted(domains) == ["arxiv.org", "doi.org"]
    # Slack sends link_shared for subdomains of a listed domain: every host unfurled is covered.
    for host in ARXIV_HOSTS | DOI_HOSTS:
        assert any(host == d or host.endswith("." + d) for d in domains)
