"""The `govaudit` command's entry point. Commands live in govaudit/commands/, one module per area,
each registering on `app` (govaudit/commands/app.py) when imported here."""
from __future__ import annotations

import sys

import typer

from core.errors import StorageError, UserError
from govaudit.commands.app import app

def _register() -> None:
    from govaudit.commands import core  # noqa: F401
    from govaudit.commands import monitor  # noqa: F401
    from govaudit.commands import scale  # noqa: F401
    from govaudit.commands import reports  # noqa: F401


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
