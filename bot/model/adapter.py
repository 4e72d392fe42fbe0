"""What the core knows of a platform: one light declaration per adapter, found by name through
the ``paperbot.adapters`` entry points. It imports no platform library; the adapter class it
names is loaded only when a channel of that platform is served."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AdapterSpec:
    """A platform's declaration.

    ``name`` is the ``platform`` of a ``[[channels]]`` entry; ``factory`` is ``"module:Class"``
    of the adapter (built with one ``AdapterContext``).

    Configuration: ``section`` is the config table the adapter reads (``[slack]``; None for
    none); ``channel_keys`` must be given by each ``[[channels]]`` entry of this platform,
    ``optional_channel_keys`` may be; ``secret_keys`` are those that hold a secret (checked to
    be http(s) URLs, never shown unredacted, and a config file holding one must not be
    readable by others); ``external_id_key`` names the platform's channel id;
    ``validate_section`` is ``"module:function"`` of a pure function (importing no platform
    library) that reads the section through a ``bot.config.SectionReader`` and returns the
    adapter's typed settings: the config file is checked whole at load, once, with the rules
    the adapter then uses (``bot.config.adapter_settings``).

    Behaviour: ``command_prefix`` is how users type commands there (``"/paper "``);
    ``threads``: alerts have threads (a new version is noted in the alert's thread);
    ``pace_seconds``: the pause between two messages to one channel (None: the configured
    ``per_channel_interval_seconds``); ``rate_limit_commands``: the per-user command limit
    applies (not to the local console); ``visibility_before_run``: whether a reply is private
    must be decided before the command runs (Discord fixes it when deferring);
    ``receives``: interactions it can pass in (``"buttons"``, ``"reactions"``, ``"unfurls"``);
    ``threads_digests``: a long digest continues in its thread (else as consecutive messages);
    ``digest_entries`` / ``digest_titles``: the full entries / title lines one digest or
    overflow message holds, so that any part fits the platform's limits (the core decides
    the parts before the first is sent, without rendering); ``checks_unknown_outcome``: a
    send whose answer never came can be checked on the platform before it is sent again;
    ``default_channel``: the name of the channel of this platform that a config without
    ``[[channels]]`` gets (the console's); ``interactive``: ``paperbot chat`` talks through it;
    ``library_loggers``: loggers of the platform's libraries, kept at WARNING even at ``-vv``
    (their INFO and DEBUG lines carry request bodies and one-time credentials).
    """

    name: str
    factory: str
    section: str | None = None
    channel_keys: tuple[str, ...] = ()
    optional_channel_keys: tuple[str, ...] = ()
    secret_keys: frozenset[str] = frozenset()
    external_id_key: str | None = None
    validate_section: str | None = None
    command_prefix: str = ""
    threads: bool = False
    pace_seconds: float | None = None
    rate_limit_commands: bool = True
    visibility_before_run: bool = False
    receives: frozenset[str] = frozenset()
    threads_digests: bool = False
    digest_entries: int = 10
    digest_titles: int = 50
    checks_unknown_outcome: bool = False
    default_channel: str | None = None
    interactive: bool = False
    library_loggers: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        """Every ``[[channels]]`` key this platform reads."""
        return self.channel_keys + self.optional_channel_keys
