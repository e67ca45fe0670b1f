"""The `readalong` command line as a user runs it: real processes, real files, sentences instead of tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(
    *args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        timeout=120,
    )


def test_scripted_console_prints_help_and_the_default_library(tmp_path: Path) -> None:
    result = run("console", "--db", str(tmp_path / "x.sqlite3"), stdin="/help\n/library list\n")
    assert result.returncode == 0, result.stderr
    assert "`/library list` — List the books in the library." in result.stdout
    for title in (
        "Stalin's Terror of 1937–1938",
        "Bolsheviks against Stalinism 1928–1933",
        "The Struggle of the Trotskyists in the Soviet Union",
        "The Red Jacobins: Thermidor and the Russian Revolution in 1921",
        "Russia: How the Bureaucracy Seized Power",
    ):
        assert title in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_console_members_moderators_and_errors(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/group info",
            "/as bob",
            "/group timezone Europe/Paris",
            "/libary list",
            '/library show "unclosed',
            "/library show 999",
            "/as alice",
            "/group timezone Europe/Pariss",
            "/group timezone Europe/Paris",
            "/clock advance 2x",
            "/clock advance 1d",
        ]
    )
    result = run("console", "--db", str(tmp_path / "x.sqlite3"), "--now", "2026-11-02T09:00:00Z", stdin=script + "\n")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Moderators: alice" in out
    assert "(you are now bob)" in out
    assert "Only moderators can use `group timezone`." in out
    assert "I don't know the command “libary” — did you mean `library`?" in out
    assert "A quotation mark is not closed" in out
    assert "I don't know a book called “999”" in out
    assert "did you mean Europe/Paris?" in out
    assert "The group's time zone is now Europe/Paris." in out
    assert "I couldn't read “2x” as a duration" in out
    assert "(clock: Tue 03 Nov 2026, 09:00 UTC)" in out
    assert "Traceback" not in out + result.stderr


def test_bad_config_key_is_one_sentence(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[bot]\ntimezon = "UTC"\n', encoding="utf-8")
    result = run("--config", str(config), "library", "list")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "readalong: Unknown key bot.timezon in the config (did you mean timezone?); rename or remove it."
    )


def test_missing_token_for_an_enabled_adapter(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\nadapters = ["discord"]\ndatabase = "{tmp_path / "db.sqlite3"}"\n', encoding="utf-8")
    result = run("--config", str(config), "run", env={"READALONG_DISCORD_TOKEN": ""})
    assert result.returncode == 2
    assert "READALONG_DISCORD_TOKEN is empty" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_library_add_list_show_json(tmp_path: Path) -> None:
    db = str(tmp_path / "lib.sqlite3")
    book = tmp_path / "essay.md"
    book.write_text(
        "# On Reading Together\n\nBy Ada Example\n\n## First part\n\n"
        + ("Reading in company changes what we notice. " * 40)
        + "\n\n## Second part\n\n"
        + ("A group keeps its members honest about the pace. " * 40)
        + "\n",
        encoding="utf-8",
    )
    added = run("library", "add", str(book), "--db", db, "--author", "Ada Example", "--date", "2024-05-01")
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("added #6 *On Reading Together* — Ada Example, 2024-05-01")
    again = run("library", "add", str(book), "--db", db)
    assert again.returncode == 2
    assert "already in the library as #6" in again.stderr

    listing = json.loads(run("library", "list", "--json", "--db", db).stdout)
    assert [b["title"] for b in listing][-1] == "On Reading Together"
    shown = json.loads(run("library", "show", "reading together", "--json", "--text", "--db", db).stdout)
    assert shown["authors"] == ["Ada Example"]
    headings = [s["heading"] for s in shown["sections"]]
    assert "First part" in headings and "Second part" in headings
    section = shown["sections"][headings.index("First part")]
    assert set(section) >= {"index", "heading", "level", "words", "minutes", "first_words", "text", "notes"}
    assert section["text"].startswith("Reading in company changes")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("notes.docx", b"PK\x03\x04rubbish", ".docx"),
    ],
)
def test_library_add_refuses_bad_files_with_a_sentence(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run("library", "add", str(path), "--db", str(tmp_path / "lib.sqlite3"))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    listing = json.loads(run("library", "list", "--json", "--db", str(tmp_path / "lib.sqlite3")).stdout)
    assert len(listing) == 5  # only the default library: nothing half-imported


def test_unknown_book_for_show(tmp_path: Path) -> None:
    result = run("library", "show", "Rogovn", "--db", str(tmp_path / "x.sqlite3"))
    assert result.returncode == 2
    assert "I don't know a book called “Rogovn” — did you mean" in result.stderr


def test_library_search_json_cites_book_section_paragraph(tmp_path: Path) -> None:
    result = run("library", "search", "Kronstadt", "--json", "--db", str(tmp_path / "x.sqlite3"))
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert hits, "the default library discusses Kronstadt"
    for hit in hits:
        assert {"book", "section", "paragraph", "snippet", "text"} <= set(hit)
        assert "kronstadt" in hit["text"].lower()
