"""Free-text values on the command line (``subscribe … VALUE...``, ``lookup QUERY...``).

A value may hold dash words: ``topic robots -survey`` excludes surveys. So in a value only
``-h``/``--help`` and the options a command declares from :data:`VALUE_OPTIONS` (``--days N``
or ``--days=N``, ``--saved``, ``--all``) are options, anywhere before a ``--``; every other
word, and everything after ``--``, belongs to the value.

Every argument but a file name must be text (:func:`check_text`).
"""

from __future__ import annotations

import argparse
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from bot.cli.errors import CliError, ExitCode

#: The options a value may be interrupted by, and whether each takes a number.
VALUE_OPTIONS = {"--days": True, "--saved": False, "--all": False}


@dataclass(frozen=True, slots=True)
class Value:
    """The words of a value (joined by single spaces) and the value options given."""

    text: str
    options: dict[str, int | bool] = field(default_factory=dict)


def value_argument(parser: argparse.ArgumentParser, metavar: str) -> None:
    """Declare the value: every remaining word, dash words included (see :func:`split_value`)."""
    parser.add_argument("value", nargs=argparse.REMAINDER, metavar=metavar)
    parser.set_defaults(parser=parser)


def split_value(
    parser: argparse.ArgumentParser, words: Sequence[str], allowed: Collection[str] = ()
) -> Value:
    """The value in ``words``; ``-h``/``--help`` prints the command's help and exits 0."""
    text: list[str] = []
    options: dict[str, int | bool] = {}
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            text.extend(words[index:])
            break
        if word in ("-h", "--help"):
            parser.print_help()
            raise SystemExit(0)
        if word in allowed and word in VALUE_OPTIONS:
            options[word.lstrip("-")] = _option_value(parser, word, words, index)
            index += 1 if VALUE_OPTIONS[word] else 0
            continue
        name, equals, given = word.partition("=")
        if equals and name in allowed and VALUE_OPTIONS.get(name):  # --days=3
            options[name.lstrip("-")] = _number(parser, name, given)
            continue
        text.append(word)
    return Value(" ".join(" ".join(text).split()), options)


def _option_value(
    parser: argparse.ArgumentParser, word: str, words: Sequence[str], index: int
) -> int | bool:
    if not VALUE_OPTIONS[word]:
        return True
    return _number(parser, word, words[index] if index < len(words) else "")


def _number(parser: argparse.ArgumentParser, word: str, given: str) -> int:
    if not given.isdigit():
        command = parser.prog.removeprefix("paperbot").strip()
        raise CliError(f"{command}: {word} needs a number of days", ExitCode.USAGE)
    return int(given)


#: Arguments naming files: any bytes the OS allows (Python keeps them by surrogateescape).
FILE_ARGS = frozenset({"config", "paths"})


def check_text(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse an argument that is not valid UTF-8 (raw bytes from the shell): it would fail
    deep inside (the database cannot store it) with a traceback. One line names it, exit 2."""
    for dest, given in vars(args).items():
        words = given if isinstance(given, list) else [given]
        for word in words:
            if dest in FILE_ARGS or not isinstance(word, str) or word.isascii():
                continue
            try:
                word.encode("utf-8")
            except UnicodeEncodeError:
                command = getattr(args, "command", "")
                name = _argument_name(parser, command, dest)
                raise CliError(
                    f"{command}: {name} '{_shown(word)}' is not valid UTF-8", ExitCode.USAGE
                ) from None


def _argument_name(parser: argparse.ArgumentParser, command: str, dest: str) -> str:
    """``CHANNEL``, ``VALUE``, ``--saved``: as the command's usage line names it."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            sub: argparse.ArgumentParser = action.choices[command]
            for own in sub._actions:
                if own.dest == dest:
                    if own.option_strings:
                        return own.option_strings[-1]
                    metavar = str(own.metavar or dest.upper()).removesuffix("...")
                    return metavar if " " not in metavar else "argument"
    return "argument"


def _shown(word: str) -> str:
    """The word with its undecodable bytes as ``\\xff``, printable on any terminal."""
    try:
        raw = word.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that came from no byte
        return word.encode("ascii", "backslashreplace").decode("ascii")
    return raw.decode("utf-8", "backslashreplace")
