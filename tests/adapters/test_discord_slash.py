"""/paper callbacks with spec'd mock interactions: the text they build, permissions, deferral."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, create_autospec

import discord
import pytest
from support.adapters import adapter_context

from adapters.discord.slash import PaperCommands, can_manage
from bot.config import Config
from bot.model import CommandContext, Paper, Reply


class Recorder:
    """A stand-in for the core: records (context, text), answers a fixed Reply."""

    def __init__(self, reply: Reply, fetch_words: tuple[str, ...] = ("lookup",)) -> None:
        self.calls: list[tuple[CommandContext, str]] = []
        self.reply = reply
        self.fetch_words = fetch_words

    async def dispatch(self, ctx: CommandContext, text: str) -> Reply:
        self.calls.append((ctx, text))
        return self.reply

    def may_fetch(self, text: str) -> bool:
        return text.split(" ", 1)[0] in self.fetch_words

    def public(self, text: str) -> bool:
        return text.split(" ", 1)[0] in ("subscribe", "unsubscribe")

    def manages(self, text: str) -> bool:
        return self.public(text)


def mock_interaction(permissions: discord.Permissions, *, done: bool = False) -> Any:
    inter = create_autospec(discord.Interaction, instance=True)
    inter.guild_id = 900
    inter.channel_id = 500
    inter.user = create_autospec(discord.Member, instance=True)
    inter.user.id = 42
    inter.user.name = "igor"
    inter.permissions = permissions
    inter.response = create_autospec(discord.InteractionResponse, instance=True)
    state = {"done": done}
    inter.response.is_done.side_effect = lambda: state["done"]

    async def defer(**kwargs: Any) -> None:
        state["done"] = True

    inter.response.defer.side_effect = defer
    inter.followup = create_autospec(discord.Webhook, instance=True)
    return inter


def build(reply: Reply, manage: str = "manage_channels") -> tuple[Recorder, Any]:
    core = Recorder(reply)
    ctx = adapter_context(Config(database_path=Path("/x")), "discord", front=core)
    group = PaperCommands(ctx, manage).group()
    return core, group


async def test_subscribe_builds_core_text_and_context() -> None:
    core, group = build(Reply("Subscribed #1 author: Babuschkin, Igor.", ephemeral=False))
    inter = mock_interaction(discord.Permissions(manage_channels=True))
    await group.get_command("subscribe").callback(
        inter, kind="author", value=" Babuschkin,\n Igor "
    )
    ((ctx, text),) = core.calls
    assert text == "subscribe author Babuschkin, Igor"
    assert ctx == CommandContext(
        platform="discord",
        channel_name="discord:900/500",
        user_id="42",
        user_name="igor",
        can_manage=True,
        external_id="500",
        scope="discord:900",
    )
    # Deferred at once, publicly as the command table says; answered in the follow-up.
    inter.response.defer.assert_awaited_once_with(ephemeral=False, thinking=True)
    inter.delete_original_response.assert_not_called()
    kwargs = inter.followup.send.call_args.kwargs
    assert kwargs["content"].startswith("Subscribed #1")
    assert kwargs["ephemeral"] is False
    assert kwargs["allowed_mentions"].to_dict() == {"parse": []}


async def test_public_command_ending_in_an_error_answers_privately() -> None:
    """#12: the visibility is fixed when deferring; an error of a public command deletes the
    public placeholder and follows up privately."""
    _core, group = build(Reply("You do not have permission.", error=True))
    inter = mock_interaction(discord.Permissions.none())
    await group.get_command("subscribe").callback(inter, kind="topic", value="llm")
    inter.response.defer.assert_awaited_once_with(ephemeral=False, thinking=True)
    inter.delete_original_response.assert_awaited_once()
    assert inter.followup.send.call_args.kwargs["ephemeral"] is True


async def test_no_manage_channels_means_cannot_manage() -> None:
    core, group = build(Reply("no", error=True))
    inter = mock_interaction(discord.Permissions(send_messages=True, view_channel=True))
    await group.get_command("unsubscribe").callback(inter, subscription="12")
    ((ctx, text),) = core.calls
    assert text == "unsubscribe 12" and ctx.can_manage is False


async def test_configurable_permission_and_everyone() -> None:
    perms = discord.Permissions(manage_messages=True)
    assert can_manage(perms, "manage_messages") and not can_manage(perms, "manage_channels")
    assert can_manage(discord.Permissions.none(), "everyone")
    core, group = build(Reply("ok"), manage="everyone")
    await group.get_command("subscribe").callback(
        mock_interaction(discord.Permissions.none()), kind="topic", value="llm"
    )
    assert core.calls[0][0].can_manage is True


async def test_lookup_defers_then_follows_up_with_embeds() -> None:
    paper = Paper("2308.03526", 1, "T @everyone", ("A B",), "Abs.")
    core, group = build(Reply("Found (arxiv)", papers=(paper,)))
    inter = mock_interaction(discord.Permissions.none())
    await group.get_command("lookup").callback(inter, query="2308.03526")
    assert core.calls[0][1] == "lookup 2308.03526"
    inter.response.defer.assert_awaited_once_with(ephemeral=True, thinking=True)
    inter.response.send_message.assert_not_called()
    kwargs = inter.followup.send.call_args.kwargs
    (embed,) = kwargs["embeds"]
    assert isinstance(embed, discord.Embed) and embed.url == paper.abs_url
    assert "@\u200beveryone" in (embed.title or "")


@pytest.mark.parametrize("name", ["list", "status", "help"])
async def test_plain_commands(name: str) -> None:
    core, group = build(Reply("text"))
    inter = mock_interaction(discord.Permissions.none())
    await group.get_command(name).callback(inter)
    assert core.calls[0][1] == name
    inter.response.defer.assert_awaited_once_with(ephemeral=True, thinking=True)
    inter.followup.send.assert_awaited_once()


async def test_core_crash_still_answers() -> None:
    core, group = build(Reply("x"))
    core.dispatch = AsyncMock(side_effect=RuntimeError("boom"))  # type: ignore[method-assign]
    group = PaperCommands(
        adapter_context(Config(database_path=Path("/x")), "discord", front=core)
    ).group()
    inter = mock_interaction(discord.Permissions.none())
    await group.get_command("status").callback(inter)
    assert "went wrong" in inter.followup.send.call_args.kwargs["content"]


def test_group_shape() -> None:
    _, group = build(Reply("x"))
    names = {c.name: [p.name for p in c.parameters] for c in group.commands}
    assert names == {
        "lookup": ["query"],
        "subscribe": ["kind", "value"],
        "unsubscribe": ["subscription"],
        "list": [],
        "status": [],
        "help": [],
        "why": ["paper"],
        "preview": ["kind", "value", "days"],
        "authors": ["name"],
        "author": ["name"],
        "save": ["paper"],
        "unsave": ["paper"],
        "saved": [],
        "bibtex": ["papers"],
        "mode": ["setting"],
        "cap": ["limit"],
        "quiet": ["hours"],
        "ledger": ["switch"],
        "digest": ["now"],
    }


async def test_authors_runs_the_core_authors_command() -> None:
    core, group = build(Reply("candidates"))
    inter = mock_interaction(discord.Permissions.none())
    await group.get_command("authors").callback(inter, name="Wei Wang")
    assert core.calls[0][1] == "authors Wei Wang"


async def test_author_runs_the_core_author_page_privately() -> None:
    core, group = build(Reply("*Igor Babuschkin* — 1 paper known"))
    inter = mock_interaction(discord.Permissions.none())
    await group.get_command("author").callback(inter, name=" Babuschkin,  Igor ")
    assert core.calls[0][1] == "author Babuschkin, Igor"
    inter.response.defer.assert_awaited_once_with(ephemeral=True, thinking=True)
    assert "Igor Babuschkin" in inter.followup.send.call_args.kwargs["content"]


async def test_author_of_an_openalex_id_runs_the_core_person_page() -> None:
    core, group = build(Reply("*Wei Wang* — 3 papers known"))
    inter = mock_interaction(discord.Permissions.none())
    await group.get_command("author").callback(inter, name="openalex:A5100000001")
    assert core.calls[0][1] == "author openalex:A5100000001"
