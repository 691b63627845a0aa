"""The `govaudit` command. Commands live in govaudit/commands/, one module per
area, each registering on `app` (or a sub-app) when imported here."""
from __future__ import annotations

import os
import sys

import typer

from core.errors import StorageError, UserError

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


def _register() -> None:
    from govaudit.commands import core  # noqa: F401
    from govaudit.commands import monitor  # noqa: F401
    from govaudit.commands import scale  # noqa: F401
    from govaudit.commands import reports  # noqa: F401
    from govaudit.commands import console  # noqa: F401


_METAVARS = {"int": "INTEGER", "str": "TEXT", "float": "NUMBER", "path": "PATH", "file": "FILE", "directory": "DIR"}


def _readable_metavars(command, ctx) -> None:
    """Help shows `--run INTEGER`, `--site TEXT` and bare flags, not Typer's `<int>`, `<list[str]>`
    or `<bool>`; arguments read as `SITE`, `CHECK_ID`."""
    for param in command.params:
        if param.param_type_name == "argument":
            param.metavar = param.metavar or param.name.upper()
            param.display_type_rich = lambda ctx: None        # the name says it; no `<str>` beside it
        elif param.metavar is not None:
            continue
        elif getattr(param, "is_flag", False):
            param.metavar = ""
        else:
            label = param.display_type(ctx).strip("<>").removeprefix("list[").removesuffix("]")
            param.metavar = _METAVARS.get(label, label.upper())
    help_option = command.get_help_option

    def bare_help(ctx, help_option=help_option):
        option = help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option
    command.get_help_option = bare_help
    for sub in getattr(command, "commands", {}).values():
        _readable_metavars(sub, ctx)


def main() -> None:
    """Run the command; bad input of any kind (usage, values, files, settings, database) ends in
    one `error: …` line on stderr and exit code 2, never a traceback or a usage box."""
    from typer import _click as click     # the Click that Typer runs on

    _register()
    command = typer.main.get_command(app)
    _readable_metavars(command, click.Context(command))
    try:
        code = command.main(args=sys.argv[1:], prog_name="govaudit", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        exc.show()        # `govaudit sites` alone: its help
        sys.exit(exc.exit_code)
    except click.exceptions.UsageError as exc:
        where = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx is not None else ""
        _error(" ".join(exc.format_message().split()) + where)
    except click.exceptions.ClickException as exc:
        _error(" ".join(exc.format_message().split()))
    except (UserError, StorageError) as exc:     # registry, framework and settings errors are UserErrors
        _error(str(exc))
    except KeyboardInterrupt:
        typer.secho("interrupted", fg="red", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


def _error(message: str) -> None:
    typer.secho(f"error: {' '.join(message.splitlines())}", fg="red", err=True)
    sys.exit(2)
