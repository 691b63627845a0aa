"""The `govaudit` command. Commands live in govaudit/commands/, one module per
area, each registering on `app` (or a sub-app) when imported here."""
from __future__ import annotations

import os
import sys

import typer

from govaudit.errors import UserError

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
        extra = [h for h in os.environ.get("GOVAUDIT_ALLOW_HOSTS", "").split(",") if h]
        os.environ["GOVAUDIT_ALLOW_HOSTS"] = ",".join(extra + list(allow_host))


def _register() -> None:
    from govaudit.commands import core  # noqa: F401
    from govaudit.commands import monitor  # noqa: F401
    from govaudit.commands import scale  # noqa: F401
    from govaudit.commands import reports  # noqa: F401


def main() -> None:
    from govaudit.registry import RegistryError
    from storage.db import DatabaseError
    try:
        from reports.frameworks import FrameworkError
    except ImportError:
        FrameworkError = UserError
    _register()
    try:
        app()
    except (UserError, RegistryError, DatabaseError, FrameworkError) as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.secho("interrupted", fg="red", err=True)
        sys.exit(130)
