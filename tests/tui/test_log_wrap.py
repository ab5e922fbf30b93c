"""Long event-log lines wrap under their message column, and a number keeps its unit."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from tests.support.run_dirs import GUARD_MESSAGE, ScriptedRun
from wizard_tui.domain.events import RUN_FINISHED
from wizard_tui.domain.persistence import RunPaths
from wizard_tui.tui.event_words import EventWords
from wizard_tui.tui.log_wrap import CONTINUATION, before, message_column, words, wrap
from wizard_tui.tui.mirror import RunDirReader

# The pane's width inside its border and scrollbar at 80 and 120 columns.
WIDTHS = (77, 117)
WAIT = (
    "   0.33s waiting     orchestrator (integrate-posthog): model API retry 1 of 6 in 12.5s "
    "— 529 overloaded_error: Overloaded"
)


def test_an_api_wait_wraps_under_its_message_and_keeps_the_retry_whole() -> None:
    lines = wrap(WAIT, 77)
    assert lines == [
        "   0.33s waiting     orchestrator (integrate-posthog): model API retry",
        "                     1 of 6 in 12.5s — 529 overloaded_error: Overloaded",
    ]
    assert wrap(WAIT, 117)[1].strip() == "Overloaded"


def test_a_line_that_fits_is_left_alone() -> None:
    line = "   1.00s done        Initialise PostHog · init t-002"
    assert wrap(line, 77) == [line]


def test_an_internal_line_hangs_under_its_mark() -> None:
    line = "   3.10s · agent capture: 3 turns in 4.93s, 12,345 tokens in, 678 out (11,000 from the cache)"
    first, second = wrap(line, 77)
    assert first.endswith("678 out") and second == "           (11,000 from the cache)"
    assert message_column(line) == len("   3.10s · ")


def test_a_word_longer_than_the_pane_is_folded_not_lost() -> None:
    line = "   3.10s FAILED      init — path: app/" + "nested/" * 20 + "page.tsx · init t-002"
    lines = wrap(line, 77)
    assert all(cell_len(piece) <= 77 for piece in lines)
    assert "".join(piece.strip() for piece in lines).replace(" ", "") == line.replace(" ", "")
    assert lines[-1].strip() == "· init t-002"  # the mark goes with the words it starts


def test_wide_characters_count_as_two_cells() -> None:
    line = "   1.00s started     " + "計測イベント " * 12 + "· capture t-009"
    for width in WIDTHS:
        assert all(cell_len(piece) <= width for piece in wrap(line, width))


def test_a_pane_too_narrow_to_help_gets_the_line_whole() -> None:
    # The pane cuts it with an ellipsis; a message column of a few cells would read worse.
    assert wrap(WAIT, 20) == [WAIT]


_message = st.lists(
    st.one_of(
        st.from_regex(r"[a-z]{1,12}", fullmatch=True),
        st.from_regex(r"[0-9]{1,5}", fullmatch=True).map(lambda n: f"{n} tokens"),
        st.from_regex(r"[0-9]{1,3}\.[0-9]{2}s", fullmatch=True),
        st.sampled_from(["—", "·", "(3 turns)", "1,204 tokens", "2 of 6", "/" + "x" * 90]),
    ),
    min_size=1,
    max_size=40,
).map(" ".join)


@given(message=_message, width=st.integers(min_value=24, max_value=140), word=st.sampled_from(["FAILED", "·"]))
def test_any_line_wraps_within_the_pane_without_losing_a_word(message: str, width: int, word: str) -> None:
    line = f"  12.34s {word:<11} {message}" if word != "·" else f"  12.34s · {message}"
    lines = wrap(line, width)
    assert all(cell_len(piece) <= width for piece in lines)
    assert "".join(lines).replace(" ", "") == line.replace(" ", "")
    column = message_column(line)
    hang = column if width - column >= 16 else len(CONTINUATION)
    for piece in lines[1:]:
        assert piece.startswith(" " * hang) and not piece.startswith(" " * (hang + 1))
    _assert_kept_together(line, lines, width)
    assert before(lines, len(lines) - 1).split() == " ".join(lines[:-1]).split()


def test_before_is_empty_for_a_first_line_and_for_a_continuation_whose_entry_was_dropped() -> None:
    lines = wrap(WAIT, 77)
    assert before(lines, 0) == ""
    assert before(lines, 1) == lines[0]
    assert before(lines[1:], 0) == ""


def test_a_run_that_never_seeded_its_queue_finishes_in_capitals(install_dir: Path) -> None:
    """No task failed, but the orchestrator did: the run's last line says something went wrong."""
    run = ScriptedRun(install_dir)
    run.fact(RUN_FINISHED, tasks_total=0, tasks_done=0, total_duration_ms=52_070, ok=False, interrupted=False)
    run.close()
    _, events = RunDirReader(RunPaths(install_dir)).poll()
    words = EventWords()
    [line] = [e.text for e in (words.entry(event) for event in events) if e is not None]
    assert "FINISHED    the run: 0/0 done in 52.07s" in line


def test_the_wait_keeps_its_numbers_units_and_marks_whenever_they_fit() -> None:
    for width in range(24, 140):
        _assert_kept_together(WAIT, wrap(WAIT, width), width)


def test_words_that_stay_together() -> None:
    assert words("model API retry 1 of 6 in 12.5s — 529 overloaded_error: Overloaded") == [
        "model",
        "API",
        "retry",
        "1 of 6 in",
        "12.5s",
        "— 529 overloaded_error:",
        "Overloaded",
    ]
    assert words("12,345 tokens in, 678 out (3 turns) · capture t-001") == [
        "12,345 tokens",
        "in,",
        "678 out",
        "(3 turns)",
        "· capture",
        "t-001",
    ]
    assert words("— 529 overloaded_error:", marks=False) == ["—", "529 overloaded_error:"]


def _assert_kept_together(line: str, lines: list[str], width: int) -> None:
    """Each line break falls between two groups of `words`, or inside a group no line can hold."""
    column = message_column(line)
    room = width - (column if width - column >= 16 else len(CONTINUATION))
    message = " ".join(line[column:].split())
    groups: list[tuple[int, int]] = []  # where each group starts and ends in `message`
    for group in words(message):
        start = message.index(group, groups[-1][1] if groups else 0)
        groups.append((start, start + len(group)))
    offset = 0
    for index, piece in enumerate(lines):
        text = " ".join((piece[column:] if index == 0 else piece).split())
        if not text:
            continue
        offset = message.index(text, offset)
        if offset > 0:  # a break just before `offset`
            (start, end) = next((a, b) for a, b in groups if a < offset <= b or a == offset)
            assert start == offset or cell_len(message[start:end]) > room, (width, lines)
        offset += len(text)


def test_a_short_last_word_is_never_alone_on_a_row() -> None:
    line = f"   3.25s refused     a capture task — {GUARD_MESSAGE}"
    assert wrap(line, 77)[-1].split() == ["is", "6)"]
