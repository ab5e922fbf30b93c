"""The `?` screen: what each key does."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
## Keys

| key | what it does |
|---|---|
| `↑` `↓` | move through the tasks; the viewer shows the one under the cursor |
| `enter` | select the task under the cursor |
| `f` | follow the newest finished task again |
| `tab` | move between the tree, the viewer and the event log |
| `q` `ctrl+c` | quit; during a run, stop it cleanly first (continue later with `--resume`) |
| `?` | this help |

## Glyphs

`○` pending · `⠋` running · `✓` done · `✗` failed · `↷` skipped · `⊘` blocked ·
`↻` waiting to retry · `‖` interrupted
"""


class HelpScreen(ModalScreen[None]):
    """A modal over the run; any of escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss_help", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Markdown(HELP)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
