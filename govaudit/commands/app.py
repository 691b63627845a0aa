"""The Typer application every command module registers on, and the console it writes with."""
from __future__ import annotations

import os
import sys

import typer

from core.errors import UserError

UNWRAPPED = 100_000      # columns of a console writing to a file or pipe: lines are never wrapped
# C0 and C1 control characters but newline and tab: shown as \\x1b…, never sent to the terminal
_CONTROLS = {c: f"\\x{c:02x}" for c in [*range(0, 9), *range(11, 32), *range(0x7f, 0xa0)]}


def make_console(stderr: bool = False):
    """A Rich console for command output. Strings are shown as they are: no markup (a site named
    `[/]` or `[link=…]` is text), no emoji codes, control characters shown inert. At a terminal
    it takes the terminal's width; written to a file or pipe, lines are never wrapped, so paths,
    URLs and names stay whole for whoever reads or parses them."""
    from rich.console import Console

    class InertConsole(Console):
        def render_str(self, text: str, **kwargs):
            return super().render_str(text.translate(_CONTROLS), **kwargs)

    stream = sys.stderr if stderr else sys.stdout
    width = {} if stream.isatty() else {"width": UNWRAPPED, "soft_wrap": True}
    return InertConsole(stderr=stderr, markup=False, emoji=False, **width)


app = typer.Typer(help="Crawl and audit government websites. The checks: docs/checks.md; the scoring "
                       "frameworks: docs/frameworks.md; the database: docs/data-dictionary.md.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)


@app.callback()
def _global(allow_private: bool = typer.Option(False, "--allow-private",
                                               help="Allow private, loopback and link-local targets."),
            allow_host: list[str] = typer.Option([], "--allow-host", metavar="HOST[:PORT[-PORT]]",
                                                 help="Allow just this host (and port range); repeatable.")):
    if allow_private:
        os.environ["GOVAUDIT_ALLOW_PRIVATE"] = "1"
    if allow_host:
        from core.config import allow_host_problem
        for spec in allow_host:
            why = allow_host_problem(spec.strip())
            if why:
                raise UserError(f"--allow-host {spec!r}: {why}")
        extra = [h for h in os.environ.get("GOVAUDIT_ALLOW_HOSTS", "").split(",") if h]
        os.environ["GOVAUDIT_ALLOW_HOSTS"] = ",".join(extra + list(allow_host))
