"""The README documents the whole command line: every subcommand and every option appears in it."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from geo.cli import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _walk(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield prefix + (name,), None
                yield from _walk(sub, prefix + (name,))
        else:
            for opt in action.option_strings:
                if opt.startswith("--") and opt not in ("--help", "--version"):
                    yield prefix, opt


CASES = sorted(set(_walk(build_parser())), key=lambda c: (c[0], c[1] or ""))


@pytest.mark.parametrize("command,option", CASES, ids=[" ".join(c) + (f" {o}" if o else "") for c, o in CASES])
def test_readme_documents_cli(command: tuple[str, ...], option: str | None) -> None:
    if option is None:
        assert f"geo {' '.join(command)}" in README, f"README does not mention `geo {' '.join(command)}`"
    else:
        assert option in README, f"README does not document `{option}` of `geo {' '.join(command)}`"


def test_readme_gives_the_two_commands_first() -> None:
    first_block = README.split("```", 2)[1]
    assert "make run" in first_block and "make test" in first_block
