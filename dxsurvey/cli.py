"""The ``dxsurvey`` command.

::

    dxsurvey run [NOTEBOOK ...|all] --study DIR --out DIR -p KEY VALUE --jobs N --force
    dxsurvey demo [--out DIR]          all reports on the shipped demo study
    dxsurvey audit RUN_DIR             privacy audit of a run folder (exit 1 on findings)
    dxsurvey validate [--study DIR]    readable validation summary (exit 1 on errors)
    dxsurvey ingest [--study DIR] [--out DIR]   tidy tables as Parquet
    dxsurvey init DIR                  a commented template study

Messages are Japanese unless ``--lang en``.  Exit codes: 0 fine, 1 the job found
problems (failed report, privacy finding, an error-level validation problem such as
a source that cannot be read or a missing column: ``run``, ``validate`` and ``ingest``
name each on the console; ``run`` builds no report then unless ``--keep-going``),
2 bad input (a codebook error, an existing run folder, a bad argument), 130 interrupted.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import os
import sys
from pathlib import Path

from .reports import catalog

__all__ = ["main", "build_parser"]


def _say(key: str, lang: str, *, stream=None, **fmt) -> None:
    print(catalog.text(key, lang, **fmt), file=stream or sys.stderr)


def _help_language(argv: list[str]) -> str:
    """The language of help and argparse's messages: ``--lang en`` (or ``--lang=en``) anywhere
    on the command line, else Japanese (the parser is built before the arguments are parsed)."""
    for i, a in enumerate(argv):
        value = a.split("=", 1)[1] if a.startswith("--lang=") else argv[i + 1] if a == "--lang" and i + 1 < len(argv) \
            else None
        if value in catalog.LANGUAGES:
            return value
    return "ja"


class _Parser(argparse.ArgumentParser):
    """argparse in the command's language: our help texts come from the catalogue; its own
    words (usage:, the section titles, -h's help, error lines) are swapped for the catalogue's."""

    lang = "ja"

    def __init__(self, *args, lang: str = "ja", **kwargs):
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self.lang = lang
        self._positionals.title = catalog.text("cli.help.positionals", lang)
        self._optionals.title = catalog.text("cli.help.options", lang)
        self.add_argument("-h", "--help", action="help", help=catalog.text("cli.help.help", lang))

    def format_usage(self) -> str:
        return super().format_usage().replace("usage: ", catalog.text("cli.help.usage", self.lang), 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage: ", catalog.text("cli.help.usage", self.lang), 1)

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, catalog.text("cli.help.error", self.lang, prog=self.prog, message=message) + "\n")


#: argparse's own messages (its gettext message ids, Python 3.11) in Japanese.
_ARGPARSE_JA = {
    "usage: ": "使い方: ",
    "argument %(argument_name)s: %(message)s": "引数 %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "選べない値です: %(value)r（選べるのは %(choices)s）",
    "unrecognized arguments: %s": "知らない引数です: %s",
    "the following arguments are required: %s": "次の引数が必要です: %s",
    "expected one argument": "値を1つ指定してください",
    "expected %s argument": "値を %s 個指定してください",
    "expected %s arguments": "値を %s 個指定してください",
    "expected at least one argument": "値を1つ以上指定してください",
    "invalid %(type)s value: %(value)r": "%(type)s として読めない値です: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "あいまいなオプション: %(option)s は %(matches)s のどれにも当たります",
    "not allowed with argument %s": "引数 %s と同時には使えません",
    "ignored explicit argument %r": "値 %r は使われません",
}


def _argparse_words(lang: str):
    """argparse's gettext function for ``lang`` (its message ids, translated where known)."""
    if lang != "ja":
        return lambda message: message
    return lambda message: _ARGPARSE_JA.get(message, message)


def build_parser(lang: str = "ja") -> argparse.ArgumentParser:
    """The argument parser (one sub-parser per command), its help in ``lang``."""
    def h(key: str, **fmt) -> str:
        return catalog.text(f"cli.help.{key}", lang, **fmt)

    parser = _Parser(prog="dxsurvey", description=catalog.text("cli.description", lang), lang=lang)
    from . import __version__
    parser.add_argument("--version", action="version", version=f"dxsurvey {__version__}", help=h("version"))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", title=h("commands"),
                                parser_class=_Parser)

    def command(name: str):
        return sub.add_parser(name, help=h(name), description=h(name), lang=lang)

    def lang_arg(p, key):
        p.add_argument("--lang", choices=catalog.LANGUAGES, default=None, help=h(key))

    from .pipeline import REPORTS
    p = command("run")
    p.add_argument("notebooks", nargs="*", default=["all"], metavar="NOTEBOOK",
                   help=h("notebooks", names=", ".join(REPORTS)))
    p.add_argument("--study", default="data", help=h("study"))
    p.add_argument("--out", default=None, help=h("out_run"))
    p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("KEY", "VALUE"),
                   help=h("parameter"))
    p.add_argument("--jobs", type=int, default=None, help=h("jobs"))
    p.add_argument("--force", action="store_true", help=h("force"))
    p.add_argument("--quiet", action="store_true", help=h("quiet"))
    p.add_argument("--keep-going", action="store_true", help=h("keep_going"))
    _output_args(p, h)
    lang_arg(p, "lang_run")

    p = command("demo")
    p.add_argument("--out", default="reports/demo", help=h("out_demo"))
    p.add_argument("--jobs", type=int, default=None, help=h("jobs"))
    p.add_argument("--quiet", action="store_true", help=h("quiet"))
    _output_args(p, h)
    lang_arg(p, "lang_run")

    p = command("audit")
    p.add_argument("run_dir", metavar="RUN_DIR", help=h("run_dir"))
    lang_arg(p, "lang_messages")

    p = command("validate")
    p.add_argument("--study", default="data", help=h("study"))
    lang_arg(p, "lang_validate")

    p = command("ingest")
    p.add_argument("--study", default="data", help=h("study"))
    p.add_argument("--out", default=None, help=h("out_ingest"))
    lang_arg(p, "lang_messages")

    p = command("init")
    p.add_argument("dir", metavar="DIR", help=h("dir"))
    lang_arg(p, "lang_init")
    return parser


def _output_args(p, h) -> None:
    p.add_argument("--pdf", action="store_true", help=h("pdf"))
    p.add_argument("--no-figure-titles", dest="figure_titles", action="store_false", help=h("no_figure_titles"))


def _load(study: str, lang: str):
    from . import load_study
    return load_study(study)


def _cmd_run(args, lang: str) -> int:
    from .pipeline import InputErrorsError, run
    params = {}
    for key, value in args.parameter:
        params[key] = value
    if args.lang:
        params["language"] = args.lang
    out = args.out or str(Path("reports") / _dt.datetime.now().strftime("%Y%m%d-%H%M%S"))
    from .reports.export import PdfError
    try:
        result = run(args.notebooks or ["all"], study=args.study, out=out, parameters=params, jobs=args.jobs,
                     force=args.force, progress=not args.quiet, keep_going=args.keep_going, pdf=args.pdf,
                     figure_titles=args.figure_titles)
    except PdfError as exc:
        print(exc, file=sys.stderr)
        return 2
    except InputErrorsError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        _say("cli.input_errors", lang, n=len(exc.lines))
        return 1
    # messages follow the reports' language when it was chosen with -p language en
    return _finish(result, args.lang or result.language if params.get("language") else lang)


def _cmd_demo(args, lang: str) -> int:
    from .pipeline import demo
    from .reports.export import PdfError
    try:
        result = demo(args.out, jobs=args.jobs, progress=not args.quiet, language=args.lang or "",
                      pdf=args.pdf, figure_titles=args.figure_titles)
    except PdfError as exc:
        print(exc, file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        if "demo study" in str(exc):
            _say("cli.demo_missing", lang)
            return 2
        raise
    return _finish(result, lang)


def _finish(result, lang: str) -> int:
    from . import privacy
    if result.input_errors:
        for line in result.input_errors:
            print(line, file=sys.stderr)
        _say("cli.kept_going", lang, n=len(result.input_errors))
    for rep in result.failed:
        _say("cli.report_failed", lang, name=rep.name, error=rep.error)
    if result.findings:
        _say("cli.audit_findings", lang, n=len(result.findings), path=result.run_dir)
        print(privacy.audit_report(result.findings, lang), file=sys.stderr)
    if result.failed:
        _say("cli.some_failed", lang, n=len(result.failed), index=result.index)
    _say("cli.done", lang, seconds=result.seconds, index=result.index)
    print(result.index)
    return 0 if result.ok else 1


def _cmd_audit(args, lang: str) -> int:
    from .pipeline import audit_run
    run_dir = Path(args.run_dir)
    if not (run_dir / "run.json").is_file():
        _say("cli.no_run_record", lang, path=run_dir)
        return 2
    findings, report = audit_run(run_dir, language=lang)
    if findings:
        _say("cli.audit_findings", lang, n=len(findings), path=run_dir)
        print(report)
        return 1
    _say("cli.audit_clean", lang, path=run_dir)
    return 0


def _cmd_validate(args, lang: str | None) -> int:
    from .reports.validation import error_lines, summary as validation_summary
    study = _load(args.study, lang or "ja")
    print(validation_summary(study, args.lang or None))
    errors = error_lines(study, lang)
    if errors:   # on stderr too: the summary may list them among hundreds of warnings
        for line in errors:
            print(line, file=sys.stderr)
        _say("cli.validation_errors", lang, n=len(errors))
    return 1 if errors else 0


def _cmd_ingest(args, lang: str) -> int:
    from .ingest import write_tables
    from .reports.validation import error_lines
    study = _load(args.study, lang)
    out = Path(args.out) if args.out else Path(args.study) / "processed"
    written = write_tables(study, out)
    _say("cli.ingest_done", lang, n=len(written), path=out)
    errors = error_lines(study, lang)
    for line in errors:
        print(line, file=sys.stderr)
    if errors:
        _say("cli.ingest_errors", lang, n=len(errors))
    return 1 if errors else 0


def _cmd_init(args, lang: str) -> int:
    from .init_study import init_study
    target = init_study(args.dir, language=lang)
    _say("cli.init_done", lang, path=target)
    return 0


_COMMANDS = {"run": _cmd_run, "demo": _cmd_demo, "audit": _cmd_audit, "validate": _cmd_validate,
             "ingest": _cmd_ingest, "init": _cmd_init}


def _skip_unused_imports() -> None:
    """Keep this process from importing ``rfc3987_syntax``.

    jsonschema (imported by nbformat, which papermill and nbconvert use to read and
    validate notebooks) imports it when it is installed (jupyterlab's jupyter-events
    pulls it in) and builds a Lark grammar at import: 0.8 s of CPU in every run.  It
    only checks the ``iri``/``uri-reference`` string formats, which the notebook schema
    does not use.  A library user's process is left alone: only the command does this.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)   # import raises ImportError: skipped


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``dxsurvey`` command; returns the exit code."""
    _skip_unused_imports()
    argv = sys.argv[1:] if argv is None else list(argv)
    help_lang = _help_language(argv)
    saved = argparse._   # argparse looks its messages up through this gettext function
    argparse._ = _argparse_words(help_lang)
    try:
        args = build_parser(help_lang).parse_args(argv)
    finally:
        argparse._ = saved
    lang = args.lang or "ja"
    try:
        return _COMMANDS[args.command](args, lang)
    except KeyboardInterrupt:
        _say("cli.interrupted", lang)
        return 130
    except Exception as exc:
        code = _input_error(exc, lang)
        if code is None:
            raise
        return code


def _input_error(exc: Exception, lang: str) -> int | None:
    """Exit code 2 and a message for a mistake in the input (None: a bug, re-raised).

    The error classes are imported here, not when the command starts: `dxsurvey run`
    starts its kernels before pandas (which the codebook and readers import) loads.
    """
    from .codebook import CodebookError
    from .pipeline import RunExistsError
    from .readers import SourceError
    from .study import StudyFolderError

    if isinstance(exc, CodebookError):                   # file, row, YAML path and value in the text
        print(exc.text(lang), file=sys.stderr)
    elif isinstance(exc, SourceError):
        print(str(exc), file=sys.stderr)
    elif isinstance(exc, StudyFolderError):
        _say(exc.key, lang, **exc.fmt)
    elif isinstance(exc, RunExistsError):
        key = "cli.run_lost" if exc.lost else "cli.run_exists" if exc.replaceable else "cli.not_run_folder"
        _say(key, lang, path=exc.path)
    elif isinstance(exc, (ValueError, FileNotFoundError, FileExistsError)):
        _say("cli.bad_input", lang, message=str(exc))
    else:
        return None
    return 2


def command() -> None:
    """The ``dxsurvey`` console command: :func:`main`, then exit without interpreter teardown.

    Every file of a run is written, closed and renamed into place, and the kernels are
    shut down, before :func:`main` returns; tearing down the interpreter afterwards
    (module cleanup, ZeroMQ's exit handlers) only added 0.28 s to every run.  The
    standard streams are flushed first.  Tests and library users call :func:`main`.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):   # a closed pipe: nothing more to write anyway
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    command()
