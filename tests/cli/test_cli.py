"""The `readalong` command line as a user runs it: real processes, real files, sentences instead of tracebacks."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.__main__ import main
from tests.conftest import TEXTS

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


def test_console_members_moderators_and_errors(default_library_db: Path) -> None:
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
    result = run("console", "--db", str(default_library_db), "--now", "2026-11-02T09:00:00Z", stdin=script + "\n")
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
    assert "(clock: Tue 03 Nov 2026, 10:00 CET)" in out  # the group's zone, Paris, not UTC
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


def test_library_add_list_show_json(tmp_path: Path, default_library_db: Path) -> None:
    db = str(default_library_db)
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
    assert shown["provenance"] == []  # no editors' matter in this essay


def test_the_provenance_prompt_cites_the_publishers_note_without_a_paragraph(
    default_library_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    """The republishers' note is no paragraph of a reading (#13): its citation has no paragraph number."""
    monkeypatch.chdir(TEXTS.parent.parent)
    db = str(default_library_db)
    assert main(["library", "show", "jacobins", "--json", "--db", db]) == 0
    provenance = json.loads(capsys.readouterr().out)["provenance"]
    assert main(["prompts", "jacobins", "--section", "1", "--json", "--db", db]) == 0
    prompts = json.loads(capsys.readouterr().out)
    (prompt,) = [p for p in prompts if p["kind"] == "provenance"]
    (cite,) = prompt["citations"]
    assert cite["paragraph"] is None and any(cite["excerpt"] in note for note in provenance)
    assert "we disagree" in cite["excerpt"] and cite["excerpt"] in prompt["text"]
    assert main(["prompts", "jacobins", "--section", "1", "--db", db]) == 0
    assert "(*The Red Jacobins: Thermidor and the Russian Revolution in 1921*, the publishers' note)" in (
        capsys.readouterr().out
    )


def test_library_show_gives_the_books_provenance(default_library_db: Path) -> None:
    """The republishers' notes ingestion took out of the readings are kept with the book and shown (#13)."""
    shown = json.loads(run("library", "show", "jacobins", "--json", "--db", str(default_library_db)).stdout)
    assert any(note.startswith("Though we disagree with the author's caricaturing") for note in shown["provenance"])
    assert not any("we disagree" in s["first_words"].lower() for s in shown["sections"])
    text = run("library", "show", "jacobins", "--db", str(default_library_db)).stdout
    assert "From the editors/publishers: Though we disagree with the author's caricaturing" in text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("notes.docx", b"PK\x03\x04rubbish", ".docx"),
    ],
)
def test_library_add_refuses_bad_files_with_a_sentence(
    tmp_path: Path, default_library_db: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run("library", "add", str(path), "--db", str(default_library_db))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    listing = json.loads(run("library", "list", "--json", "--db", str(default_library_db)).stdout)
    assert len(listing) == 5  # only the default library: nothing half-imported


def test_unknown_book_for_show(default_library_db: Path) -> None:
    result = run("library", "show", "Rogovn", "--db", str(default_library_db))
    assert result.returncode == 2
    assert "I don't know a book called “Rogovn” — did you mean" in result.stderr


def test_library_search_json_cites_book_section_paragraph(default_library_db: Path) -> None:
    result = run("library", "search", "Kronstadt", "--json", "--db", str(default_library_db))
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert hits, "the default library discusses Kronstadt"
    for hit in hits:
        assert {"book", "section", "paragraph", "snippet", "text"} <= set(hit)
        assert "kronstadt" in hit["text"].lower()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp, "is a folder, not a database file"),
        (lambda tmp: tmp / "not-a-folder.txt" / "x.sqlite3", "I can't create the folder for the database"),
        (lambda tmp: tmp / "notes.sqlite3", "is not a Readalong database I can use"),
    ],
)
def test_a_database_path_that_cannot_be_used_is_one_sentence(tmp_path: Path, make, message: str) -> None:
    (tmp_path / "not-a-folder.txt").write_text("just a file", encoding="utf-8")
    (tmp_path / "notes.sqlite3").write_text("these are my notes, not a database", encoding="utf-8")
    for args in (("library", "list"), ("console",)):
        result = run(*args, "--db", str(make(tmp_path)))  # a connection left open used to hang the process
        assert result.returncode == 2, result.stdout
        assert message in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_plan_ics_does_not_create_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "typo.sqlite3"
    result = run("plan", "ics", "1", "--db", str(missing))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"readalong: There is no database at {missing}; check the --db path (or the config's bot.database)."
    )
    assert not missing.exists()


def test_console_shows_times_in_the_group_zone_and_when_each_post_went_out(default_library_db: Path) -> None:
    script = "\n".join(
        [
            "/group timezone Europe/Berlin",
            "/clock",
            "/clock set 2026-11-21T12:00",  # noon in Berlin, the group's zone
            "/quote daily on 08:00",
            "/clock advance 1d",
            "/clock advance 99999999999d",
        ]
    )
    result = run("console", "--db", str(default_library_db), "--now", "2026-11-21T10:00:00Z", stdin=script + "\n")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "(clock: Sat 21 Nov 2026, 11:00 CET)" in out
    assert "(clock: Sat 21 Nov 2026, 12:00 CET)" in out
    assert "📣 Readalong at Sun 22 Nov 2026, 08:00 CET:\n   Quote of the day" in out
    assert "That is too far: the clock moves at most 366 days at a time" in out
    assert "Traceback" not in out + result.stderr


def test_limits_must_be_positive(default_library_db: Path) -> None:
    result = run("quotes", "jacobins", "--limit", "0", "--db", str(default_library_db))
    assert result.returncode == 2
    assert "--limit: expected a whole number of at least 1" in result.stderr


def test_cli_quotes_and_prompts(default_library_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.chdir(TEXTS.parent.parent)  # the default library and templates as `readalong` finds them
    db = str(default_library_db)
    assert main(["quotes", "jacobins", "--section", "7", "--limit", "4", "--json", "--db", db]) == 0
    quotes = json.loads(capsys.readouterr().out)
    assert len(quotes) == 4
    assert all(set(q) == {"text", "book", "section", "paragraph", "speaker", "score"} for q in quotes)
    assert all(q["section"] == 7 and q["book"].startswith("The Red Jacobins") for q in quotes)
    assert [q["score"] for q in quotes] == sorted((q["score"] for q in quotes), reverse=True)
    assert {q["speaker"] for q in quotes} <= {"Mark Hoskisson", "Stalin", "Lenin", "Trotsky"}

    assert main(["prompts", "collins", "--section", "9", "--json", "--db", db]) == 0
    prompts = json.loads(capsys.readouterr().out)
    assert main(["library", "show", "collins", "--json", "--text", "--db", db]) == 0
    shown = json.loads(capsys.readouterr().out)
    texts = {(shown["title"], s["index"]): s["text"] for s in shown["sections"]}
    assert 3 <= len(prompts) <= 5
    for prompt in prompts:
        assert set(prompt) == {"kind", "text", "citations"} and prompt["text"].endswith("?")
        for cite in prompt["citations"]:
            assert set(cite) == {"book", "section", "paragraph", "excerpt"}
            if cite["book"] == shown["title"]:
                assert cite["excerpt"] in texts[(cite["book"], cite["section"])]

    assert main(["quotes", "collins", "--section", "99", "--db", db]) == 2
    assert re.search(r"sections 1 to 22, not 99", capsys.readouterr().err)


def test_console_catches_up_at_start_keeps_log_lines_out_and_stamps_them_with_its_clock(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite3"
    first = run("console", "--db", str(db), "--now", "2026-11-21T10:00:00Z", stdin="/quote daily on 08:00\n")
    assert first.returncode == 0, first.stderr
    assert "Loading the default library (first start only): 1 of 5" in first.stderr  # progress on a first start
    # no command typed: what fell due while the console was closed goes out at once (30 min late)
    caught_up = run("--db", str(db), "console", "--now", "2026-11-22T08:30:00Z")
    assert caught_up.returncode == 0, caught_up.stderr
    assert "📣 Readalong at Sun 22 Nov 2026, 08:30 UTC:\n   Quote of the day" in caught_up.stdout
    assert "Loading the default library" not in caught_up.stderr
    # three days late: recorded missed, logged to the file beside the database, never into the room
    late = run("console", "--now", "2026-11-26T12:00:00Z", "--db", str(db), stdin="/clock advance 3000000d\n")
    assert late.returncode == 0, late.stderr
    assert "WARNING" not in late.stdout + late.stderr and "missed" not in late.stdout
    assert "That is too far: the clock moves at most 366 days at a time" in late.stdout
    log = (tmp_path / "x.log").read_text(encoding="utf-8")
    assert "2026-11-26 12:00:00 UTC WARNING bot.scheduling" in log and "missed job:2@2026-11-23T08:00:00Z" in log


def test_config_and_db_work_before_or_after_the_subcommand(tmp_path: Path) -> None:
    config = tmp_path / "my.toml"
    config.write_text(f'[bot]\ndatabase = "{tmp_path / "from-config.sqlite3"}"\n', encoding="utf-8")
    after = run("db", "migrate", "--config", str(config))
    assert after.returncode == 0, after.stderr
    assert "from-config.sqlite3: schema version" in after.stdout
    before = run("--db", str(tmp_path / "first.sqlite3"), "db", "migrate")
    assert before.returncode == 0 and "first.sqlite3: schema version" in before.stdout
    middle = run("db", "--db", str(tmp_path / "middle.sqlite3"), "migrate")
    assert middle.returncode == 0 and "middle.sqlite3: schema version" in middle.stdout


def test_make_run_installs_only_what_running_needs(tmp_path: Path) -> None:
    venv = tmp_path / "venv"

    def dry(target: str) -> str:
        # a clean make: under `make test` the parent's MAKEFLAGS/MAKELEVEL would add "Entering directory" lines
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        result = subprocess.run(
            ["make", "--no-print-directory", "-n", target, f"VENV={venv}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    run_steps = dry("run")
    assert f"{venv}/bin/python -m pip install -e ." in run_steps and "[dev]" not in run_steps
    assert f"touch {venv}/.run-installed" in run_steps and run_steps.rstrip().endswith("readalong console")
    assert "pip install --quiet -e '.[dev]'" in dry("unit")  # the tests keep the development set


def test_a_missing_or_broken_prompt_templates_file_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_bytes(b"\xff\xfe[bad")
    for templates, message in (
        (tmp_path / "nope.toml", "I couldn't read the prompt templates in"),
        (tmp_path / "bad.toml", "is not UTF-8 text; save it as UTF-8."),
    ):
        config = tmp_path / "c.toml"
        config.write_text(f'[prompts]\ntemplates = "{templates}"\n', encoding="utf-8")
        for args in (("console",), ("prompts", "jacobins", "--section", "2")):
            result = run(*args, "--config", str(config), "--db", str(tmp_path / "x.sqlite3"))
            assert result.returncode == 2, result.stderr
            assert message in result.stderr and "Traceback" not in result.stderr
            assert len(result.stderr.strip().splitlines()) == 1


def test_console_saves_attachments_beside_the_database_and_names_them(default_library_db: Path) -> None:
    """A reading file and the calendar, asked for in the scripted console, land in attachments/ as named."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--db", str(default_library_db), "--now", "2026-11-02T09:00:00Z"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdin and proc.stdout
    proc.stdin.write('/plan create collins 2026-11-03 "tuesday 19:00" "1 section"\n')
    proc.stdin.flush()
    confirm = None
    while confirm is None and (line := proc.stdout.readline()):
        if found := re.search(r"\[Confirm\] → (plan confirm \S+)", line):
            confirm = found.group(1)
    assert confirm, "the plan preview offers no confirm command"
    out, err = proc.communicate(f"/{confirm}\n/read 1\n/plan ics\n", timeout=120)
    assert proc.returncode == 0, err
    folder = default_library_db.parent / "attachments"
    saved = re.findall(r"\(attached: (\S+), saved as (\S+)\)", out)
    assert [name for name, _ in saved] == ["reading-1.epub", "reading-1.html", "readalong-plan.ics"]
    for name, path in saved:
        file = Path(path)
        assert file.parent == folder and file.name == f"20261102T090000Z-{name}"
    epub = Path(saved[0][1]).read_bytes()
    assert epub.startswith(b"PK\x03\x04") and epub[30:38] == b"mimetype"  # a zip whose first entry is mimetype
    assert b"How the Bureaucracy" in Path(saved[1][1]).read_bytes()
    assert Path(saved[2][1]).read_text().startswith("BEGIN:VCALENDAR")
    assert "Traceback" not in out + err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str, attempts: int = 200) -> tuple[int, str]:
    """GET a page, waiting (up to ~20 s) for the server to listen; a 4xx/5xx comes back as its status."""
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered at {url}")


def stop(proc: subprocess.Popen) -> tuple[str, str]:
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    return out, err


def test_run_serves_the_pages_and_web_serves_them_alone(tmp_path: Path, default_library_db: Path) -> None:
    port, alone = free_port(), free_port()
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\ndatabase = "{default_library_db}"\n\n[web]\nenabled = true\nport = {port}\n')
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "run"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert bot.stdin and bot.stdout
    try:
        bot.stdin.write("/web link\n")
        bot.stdin.flush()
        link = None
        while link is None and (line := bot.stdout.readline()):
            link = re.search(rf"http://127\.0\.0\.1:{port}/g/([A-Za-z0-9_-]{{43}})/", line)
        assert link, "web link printed no address"
        status, page = fetch(link.group(0))
        assert status == 200 and "Console reading group" in page
        assert fetch(f"http://127.0.0.1:{port}/g/{'x' * 43}/")[0] == 404
    finally:
        bot.stdin.close()
        bot.wait(timeout=30)
    assert bot.returncode == 0

    web = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "web", "--port", str(alone)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        status, page = fetch(f"http://127.0.0.1:{alone}/g/{link.group(1)}/")
        assert status == 200 and "Console reading group" in page
        status, feed = fetch(f"http://127.0.0.1:{alone}/g/{link.group(1)}/calendar.ics")
        assert status == 200 and feed.startswith("BEGIN:VCALENDAR")
    finally:
        out, err = stop(web)
    assert web.returncode == 0, err
    assert f"Serving the groups' pages on 127.0.0.1:{alone}; links start http://127.0.0.1:{alone}/" in out
    assert link.group(1) not in out + err  # the token is never logged
    assert "Traceback" not in out + err


def test_web_refuses_a_missing_database_and_a_bad_port(tmp_path: Path) -> None:
    missing = run("web", "--db", str(tmp_path / "none.sqlite3"))
    assert missing.returncode == 2 and "There is no database at" in missing.stderr
    assert not (tmp_path / "none.sqlite3").exists()
    bad = run("web", "--port", "70000")
    assert bad.returncode == 2 and "expected a port number from 1 to 65535" in bad.stderr
