"""Shell completion: generated from the command table, run in real shells."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from meshkb.cli import build_parser
from meshkb.cli.shells import command_table

from ..conftest import run_cli

BIN = str(Path(sys.executable).parent)
"""Where this venv's `meshkb` is: the scripts call it to list checklist names."""
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def script(shell: str) -> str:
    result = run_cli("completion", shell)
    assert result.code == 0 and result.err == "", result.err
    return result.out


def bash_complete(tmp_path: Path, *lines: str) -> list[list[str]]:
    """Source the script in bash and complete each command line (its last word is typed)."""
    source = tmp_path / "meshkb.bash"
    source.write_text(script("bash"), encoding="utf-8")
    calls = [
        f"COMP_WORDS=({line}); COMP_CWORD=$((${{#COMP_WORDS[@]}}-1)); COMPREPLY=(); _meshkb;"
        ' printf "%s\\n" "${COMPREPLY[*]}"'
        for line in lines
    ]
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", f"source {source}\n" + "\n".join(calls)],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return [line.split() for line in done.stdout.splitlines()]


def test_bash_completes_commands_options_choices_and_checklists(tmp_path: Path) -> None:
    (tmp_path / "review.md").write_text("x", encoding="utf-8")
    got = bash_complete(
        tmp_path,
        'meshkb ""',
        "meshkb rep",
        'meshkb report ""',
        "meshkb report check --f",
        'meshkb checklist migration --mesh ""',
        'meshkb checklist ""',
        "meshkb --checklists team checklist mig",
        'meshkb report check --format ""',
        "meshkb report check rev",
        'meshkb completion ""',
        "meshkb -",
    )
    commands = ["checklist", "report", "validate", "scan", "cost", "link", "links", "adr"]
    assert got[0][: len(commands)] == commands and "completion" in got[0]
    assert got[1] == ["report"]
    assert got[2] == ["check", "fmt"]
    assert got[3] == ["--format"]
    assert got[4] == ["istio", "linkerd", "cilium"]
    assert got[5] == ["list", "adoption", "migration", "removal", "traps"]
    assert got[6] == ["migration"]
    assert got[7] == ["text", "json", "junit"]
    assert got[8] == ["review.md"]
    assert got[9] == ["bash", "zsh", "fish"]
    assert {"-V", "--version", "--checklists", "--no-builtin", "-h"} <= set(got[10])


def test_every_command_of_the_parser_completes_in_bash(tmp_path: Path) -> None:
    """The script follows the command table: each path's subcommands and options."""
    table = command_table(build_parser())
    assert {c.path for c in table} >= {"report check", "report fmt", "adr new", "completion"}
    with_subs = [c for c in table if c.subcommands]
    lines = [" ".join(["meshkb", *c.path.split(), '""']) for c in with_subs]
    lines += [" ".join(["meshkb", *c.path.split(), "--"]) for c in table]
    got = bash_complete(tmp_path, *lines)
    for command, words in zip(with_subs, got, strict=False):
        assert words == list(command.subcommands), command.path
    for command, words in zip(table, got[len(with_subs) :], strict=True):
        long_flags = [f for o in command.options for f in o.flags if f.startswith("--")]
        assert words == long_flags, command.path
        assert "--help" in words


@pytest.mark.skipif(
    shutil.which("zsh") is None, reason="zsh is not installed (.ci/run installs it)"
)
def test_zsh_script_is_valid_and_defines_the_function(tmp_path: Path) -> None:
    source = tmp_path / "meshkb.zsh"
    source.write_text(script("zsh"), encoding="utf-8")
    assert (
        subprocess.run(["zsh", "-n", str(source)], capture_output=True, timeout=60).returncode == 0
    )
    done = subprocess.run(
        ["zsh", "-f", "-c", f"source {source} && whence -w _meshkb"],
        capture_output=True,
        text=True,
        env={**ENV, "HOME": str(tmp_path)},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "_meshkb: function"


@pytest.mark.skipif(
    shutil.which("fish") is None, reason="fish is not installed (.ci/run installs it)"
)
def test_fish_script_is_valid_and_completes(tmp_path: Path) -> None:
    source = tmp_path / "meshkb.fish"
    source.write_text(script("fish"), encoding="utf-8")
    assert subprocess.run(["fish", "--no-execute", str(source)], timeout=60).returncode == 0

    def complete(line: str) -> list[str]:
        done = subprocess.run(
            ["fish", "--no-config", "-c", f"source {source}; complete -C {line!r}"],
            capture_output=True,
            text=True,
            env={**ENV, "HOME": str(tmp_path)},
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return [row.split("\t")[0] for row in done.stdout.splitlines()]

    assert complete("meshkb report ") == ["check", "fmt"]
    assert complete("meshkb checklist migration --mesh ") == ["cilium", "istio", "linkerd"]
    assert complete("meshkb checklist mig") == ["migration"]
    assert "--gate" in complete("meshkb report check --")


def test_unknown_shell_is_a_usage_error() -> None:
    result = run_cli("completion", "tcsh")
    assert result.code == 2
    assert "invalid choice: 'tcsh' (choose from bash, zsh, fish)" in result.err
