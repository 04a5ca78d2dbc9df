"""Run the report notebooks with papermill into one run folder.

The report notebooks are listed ONCE, in :data:`REPORTS`; adding a report is a
notebook file in ``notebooks/`` plus one line there.

A run (:func:`run`) is built in ``<out>.partial-<pid>`` and renamed into place at the
end, so an interrupted run never looks complete::

    <out>/index.html              links, parameters, input SHA-256s, versions, audit
    <out>/html/<name>.html        code hidden, figures embedded, opens offline
    <out>/notebooks/<name>.ipynb  executed notebooks (provenance)
    <out>/tables/<name>.csv, <out>/tables.xlsx, <out>/figures/<name>.png|svg
    <out>/run.json                the same record, machine-readable
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import pickle
import re
import shutil
import sys
import contextlib
from glob import escape as glob_escape
import importlib
import queue
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

# Only the standard library and the catalogue at import: `dxsurvey run` starts its kernels
# before pandas, the report layer or the study are imported (those come in the functions).
from .reports import catalog

__all__ = [
    "REPORTS", "RunResult", "ReportResult", "RunExistsError", "InputErrorsError", "run", "demo", "notebook_dir",
    "demo_study", "expand", "Job", "audit_run", "VERSION_PACKAGES", "KERNEL_START_TIMEOUT",
]

#: The report notebooks, in index order: stem -> options.  ``{"per": "course"}`` runs the
#: notebook once per course that has data, with parameter ``course_id``.
REPORTS: dict[str, dict[str, Any]] = {
    "00_validation": {},
    "10_course_report": {"per": "course"},
    "20_comparison": {},
    "25_free_text": {},
    "30_next_course": {},
    "40_research_report": {},
}


def __getattr__(name: str):
    if name == "VERSION_PACKAGES":   # packages whose versions the index records (besides Python)
        from .provenance import VERSION_PACKAGES
        return VERSION_PACKAGES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Seconds a report kernel may take to start and answer (and a warm kernel to import the
#: scientific stack).  On a loaded 2-core machine a new kernel took more than 60 s (papermill's
#: default), which failed the report; every wait for a kernel to start uses this one value.
KERNEL_START_TIMEOUT = 300.0

#: Parameters the pipeline sets itself.
_RESERVED = ("study", "out")
_SAFE = re.compile(r"[^\w.\-]+")
_PACKAGE = Path(__file__).resolve().parent


class InputErrorsError(ValueError):
    """The study has error-level validation problems (an unreadable file, a missing column)
    and the run was not asked to go on (``keep_going``).  ``lines`` name each error."""

    def __init__(self, lines: list[str]):
        super().__init__("the input has errors; no report was built:\n" + "\n".join(lines))
        self.lines = lines


class RunExistsError(FileExistsError):
    """The run folder exists and ``force`` was not given (or it is not a run folder).

    ``path`` is the folder; ``replaceable`` is False when it is not a dxsurvey run
    folder (no ``run.json``), which even ``force`` does not replace; ``lost`` is True
    when another run made the folder while this one ran (this run's output is gone).
    """

    def __init__(self, message: str, path: Path, replaceable: bool = True, lost: bool = False):
        super().__init__(message)
        self.path = path
        self.replaceable = replaceable
        self.lost = lost   # a concurrent run made the folder first; this run's output was discarded


# ---------------------------------------------------------------------------- locations

def notebook_dir() -> Path:
    """The folder holding the report notebooks.

    ``dxsurvey/notebooks`` is the package-data location; in a checkout it is a symlink
    to the repository's ``notebooks/``, so a checkout, an editable install and a wheel
    all resolve through the same path.  Where a checkout lost the symlink (git on
    Windows without symlink support writes a small text file instead) the repository
    folder beside the package is used.
    """
    packaged = _PACKAGE / "notebooks"
    if packaged.is_dir():
        return packaged.resolve()
    repo = _PACKAGE.parent / "notebooks"
    if repo.is_dir():
        return repo
    raise FileNotFoundError(f"report notebooks not found in {packaged} or {repo}")


def demo_study() -> Path:
    """The shipped demo study (``data/demo`` at the repository root).

    Raises
    ------
    FileNotFoundError
        Outside a checkout of the repository.
    """
    path = _PACKAGE.parent / "data" / "demo"
    if not (path / "survey.yaml").is_file():
        raise FileNotFoundError(f"demo study not found: {path} (run from a checkout of the repository)")
    return path


# ---------------------------------------------------------------------------- results

@dataclass
class ReportResult:
    """One executed notebook."""

    name: str                 # output stem: 00_validation, 10_course_report_C2024-01
    notebook: str             # registry stem
    parameters: dict
    title: str = ""
    ok: bool = False
    error: str = ""
    seconds: float = 0.0
    html: str | None = None   # relative to the run folder
    ipynb: str | None = None


@dataclass
class RunResult:
    """What :func:`run` made.

    Attributes
    ----------
    run_dir : Path
        The finished run folder.
    index : Path
        ``run_dir / "index.html"``.
    reports : list of ReportResult
    findings : list of privacy.Finding
        The privacy audit of the run folder (empty = clean).
    started : str
        ISO time the run started.
    seconds : float
        Run duration.
    input_errors : list of str
        The study's error-level validation problems the run went on with
        (``keep_going``), one line each; empty when there were none.
    """

    run_dir: Path
    index: Path
    reports: list[ReportResult]
    findings: list = field(default_factory=list)
    started: str = ""
    seconds: float = 0.0
    language: str = "ja"
    input_errors: list = field(default_factory=list)

    @property
    def failed(self) -> list[ReportResult]:
        return [r for r in self.reports if not r.ok]

    @property
    def ok(self) -> bool:
        """Every notebook ran, the audit is clean and the input had no error."""
        return not self.failed and not self.findings and not self.input_errors


@dataclass(frozen=True)
class Job:
    """One notebook execution: registry stem, output stem and its parameters."""

    notebook: str
    name: str
    parameters: tuple  # ((key, value), ...) : hashable, ordered

    @property
    def params(self) -> dict:
        return dict(self.parameters)


# ---------------------------------------------------------------------------- kernel

def _kernel_manager_class(env: Mapping[str, str] | None = None, *, quick_ready: bool = False):
    """A kernel manager that always starts ipykernel in *this* interpreter.

    Only the native ``python3`` spec of the running ipykernel is visible to it, whose
    command is ``sys.executable -m ipykernel_launcher``: a user-level ``python3``
    kernelspec pointing at another Python cannot hijack the run, and nothing is
    registered globally.  ``env`` is added to the kernel's environment (this process's
    environment is not changed: several kernels start from threads at once).
    With ``quick_ready``, its clients are :func:`_quick_ready_client` clients.
    """
    extra_env = dict(env or {})
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class CurrentInterpreterKernelManager(AsyncKernelManager):
        if quick_ready:
            @default("client_factory")
            def _client_factory_default(self):
                return _quick_ready_client()

        @default("transport_encryption")
        def _transport_encryption_default(self):
            # CurveZMQ keys when the kernel supports them (ipykernel >= 7.4 does); older
            # jupyter_client versions ignore this trait
            return "auto"

        @default("kernel_spec_manager")
        def _kernel_spec_manager_default(self):
            return KernelSpecManager(kernel_dirs=[], ensure_native_kernel=True)

        async def _async_pre_start_kernel(self, **kw):
            kw["env"] = {**(kw.get("env") or os.environ), **extra_env}
            return await super()._async_pre_start_kernel(**kw)

    return CurrentInterpreterKernelManager


_QUICK_CLIENT = None


def _quick_ready_client():
    """An async kernel client whose ``wait_for_ready`` ends when the kernel is ready.

    jupyter_client's version, after the kernel_info reply and a first IOPub message,
    drains IOPub until 0.2 s pass in silence: 0.2 s lost per notebook.  This one
    proves the same two things (shell answers, IOPub is subscribed) and drains IOPub
    exactly up to the ``idle`` status of a kernel_info request it has the reply of, the
    last message that request causes; if no IOPub message comes within 0.2 s (IOPub not
    yet subscribed) it asks again, as jupyter_client does.  A reply to any of its
    requests counts (a slow kernel answers the previous one).
    """
    global _QUICK_CLIENT
    if _QUICK_CLIENT is not None:
        return _QUICK_CLIENT
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient

    class QuickReadyKernelClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            timeout = KERNEL_START_TIMEOUT if timeout is None else timeout
            deadline = time.monotonic() + timeout
            # a reply to ANY of our requests counts: a kernel that answers in more than 1 s
            # (a loaded machine) answers each request after the next one was sent, and waiting
            # for the latest request's reply only chased them until the deadline
            sent: set = set()
            replies: dict = {}
            idle: set = set()
            while True:
                sent.add(self.kernel_info())
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    reply = None
                if reply is not None and reply["msg_type"] == "kernel_info_reply" \
                        and reply["parent_header"].get("msg_id") in sent:
                    replies[reply["parent_header"]["msg_id"]] = reply
                if replies:
                    try:
                        while not idle & replies.keys():
                            msg = await self.iopub_channel.get_msg(timeout=0.2)
                            if (msg["parent_header"].get("msg_id") in sent and msg["msg_type"] == "status"
                                    and msg["content"].get("execution_state") == "idle"):
                                idle.add(msg["parent_header"]["msg_id"])
                    except Empty:  # IOPub not subscribed yet, or its messages lost: ask again
                        pass
                    done = idle & replies.keys()
                    if done:
                        self._handle_kernel_info_reply(replies[min(done)])
                        return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    _QUICK_CLIENT = QuickReadyKernelClient
    return _QUICK_CLIENT


#: Run between two notebooks in a reused kernel: a clean namespace, no open figures, the
#: execution counter from 1, the job's working folder and environment.  Imported modules
#: (pandas, scipy, statsmodels, matplotlib, dxsurvey) and the loaded study stay, and are
#: moved out of the garbage collector's sight (``gc.freeze``): ``%reset``'s full
#: collection then walks only what the last notebook left, 0.02 s instead of 0.2 s.
_RESET = """\
get_ipython().run_line_magic("reset", "-f")
import gc as _gc, os as _os, matplotlib.pyplot as _plt
_plt.close("all")
_os.chdir({cwd!r})
_os.environ.update({env!r})
get_ipython().execution_count = 1
get_ipython().history_manager.reset(new_session=True)   # line numbers start again at 1
_gc.freeze()
del _gc, _os, _plt
"""

#: Arguments of every warm kernel: its input history stays in memory (nbclient does the
#: same for the kernels it starts), so report code and parameters are not written to the
#: user's ~/.ipython history database, and a reset does not wait on SQLite.
_KERNEL_ARGS = ["--HistoryManager.hist_file=:memory:"]


class _WarmKernels:
    """One kernel per worker thread, reused for that thread's notebooks.

    Starting a kernel and importing the scientific stack cost about 2.5 s, more than
    most reports' own work; reusing the kernel pays it once per worker, and the first
    ``prestart`` kernels start (and import) while the parent process is still reading
    the study.  Each notebook's first step, on papermill's own client before its first
    cell, resets the kernel (:data:`_RESET`, sent by the engine of :func:`_warm_engine`),
    so every report still starts from an empty namespace; a kernel that died is replaced.
    """

    #: What a prestarted kernel imports while it waits (what every report imports first).
    WARM_UP = ("import dxsurvey.reports.course, dxsurvey.reports.comparison, dxsurvey.reports.research, "
               "dxsurvey.reports.validation, dxsurvey.stats, matplotlib.pyplot\n"
               "import gc; gc.collect(); gc.freeze()")

    def __init__(self, env: Mapping[str, str], prestart: int = 0):
        self._env = dict(env)
        self._local = threading.local()
        self._all: list = []
        self._lock = threading.Lock()
        self._ready: queue.Queue = queue.Queue()
        self._pending = prestart
        # what the starting threads use, imported here: two threads importing one module at
        # once can trip Python's import-lock deadlock detection
        for module in ("jupyter_core.utils", "jupyter_client.manager", "jupyter_client.kernelspec",
                       "jupyter_client.blocking", "jupyter_client.asynchronous", "traitlets"):
            importlib.import_module(module)
        _kernel_manager_class(self._env, quick_ready=True)
        _quick_ready_client()
        for _ in range(prestart):
            threading.Thread(target=self._prestart, daemon=True).start()

    def _new(self, cwd: Path | None = None):
        from jupyter_core.utils import run_sync

        km = _kernel_manager_class(self._env, quick_ready=True)(kernel_name="python3")
        with self._lock:
            self._all.append(km)
        run_sync(km.start_kernel)(extra_arguments=list(_KERNEL_ARGS), **({"cwd": str(cwd)} if cwd else {}))
        return km

    def _prestart(self) -> None:
        try:
            km = self._new()
            self._run(km, self.WARM_UP)
            self._ready.put(km)
        except Exception as exc:  # the worker starts its own kernel instead
            self._ready.put(exc)

    @staticmethod
    def _run(km, code: str) -> None:
        kc = km.blocking_client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=KERNEL_START_TIMEOUT)
            reply = kc.execute_interactive(code, timeout=KERNEL_START_TIMEOUT, output_hook=lambda msg: None)
            if reply["content"].get("status") != "ok":
                raise RuntimeError(f"kernel setup failed: {reply['content'].get('evalue')}")
        finally:
            kc.stop_channels()

    def get(self, cwd: Path):
        """This thread's kernel (started in ``cwd`` if it has to be started now)."""
        from jupyter_core.utils import run_sync

        km = getattr(self._local, "km", None)
        if km is not None and not run_sync(km.is_alive)():
            km = None
        if km is None:
            with self._lock:
                take = self._pending > 0
                self._pending -= take
            item = self._ready.get() if take else None
            km = item if item is not None and not isinstance(item, Exception) else self._new(cwd)
            self._local.km = km
        return km

    def shutdown_soon(self) -> None:
        """Start shutting the kernels down in the background (the run's last steps,
        tables.xlsx and the audit, need no kernel); :meth:`shutdown` waits for it."""
        self._stopper = threading.Thread(target=self.shutdown, daemon=True)
        self._stopper.start()

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        stopper = getattr(self, "_stopper", None)
        if stopper is not None and stopper is not threading.current_thread():
            stopper.join()

        with self._lock:
            waiting, self._pending = self._pending, 0
        for _ in range(waiting):                 # kernels still starting (not under the lock:
            self._ready.get()                    # a starting kernel takes it to register)
        with self._lock:
            kms, self._all = self._all, []
        for km in kms:
            try:
                run_sync(km.shutdown_kernel)(now=True)
            except Exception:  # already gone
                pass


def _warm_engine():
    """A papermill engine that executes in a kernel it is given (``km=``) and leaves it running.

    ``reset=`` is code run silently in the kernel once papermill's client is connected,
    before the first cell (:data:`_RESET`); an error in it fails the notebook.
    ``recorded_paths=(input, output)`` replaces the absolute paths papermill records in
    the notebook's metadata (they may name a home folder).
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class WarmKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=KERNEL_START_TIMEOUT, execution_timeout=None,
                                     **kwargs):
            reset = kwargs.pop("reset", None)
            recorded = kwargs.pop("recorded_paths", None)
            if recorded:  # what the executed notebook records instead of absolute paths
                nb_man.nb.metadata.papermill["input_path"], nb_man.nb.metadata.papermill["output_path"] = recorded
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            client = PapermillNotebookClient(nb_man, **merge_kwargs(
                kwargs, timeout=execution_timeout, startup_timeout=start_timeout, kernel_name=kernel_name,
                log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file))

            async def reset_kernel(notebook=None):
                # on papermill's own client: no second connection and handshake per notebook
                msg_id = client.kc.execute(reset, silent=True, store_history=False, allow_stdin=False)
                reply = await client.async_wait_for_reply(msg_id)
                content = (reply or {}).get("content", {})
                if content.get("status") != "ok":
                    raise RuntimeError(f"kernel reset failed: {content.get('ename')}: {content.get('evalue')}")

            if reset:
                client.on_notebook_start = reset_kernel
            try:
                return client.execute()
            finally:
                if client.kc is not None:   # the kernel stays; its client's sockets do not
                    client.kc.stop_channels()

    if "dxsurvey_warm" not in papermill_engines._engines:
        papermill_engines.register("dxsurvey_warm", WarmKernelEngine)
    return "dxsurvey_warm"


# ---------------------------------------------------------------------------- planning

def _notebook_path(stem: str, nb_dir: Path) -> Path:
    path = nb_dir / f"{stem}.ipynb"
    if not path.is_file():
        raise FileNotFoundError(f"notebook {stem!r} is in the registry but {path} does not exist")
    return path


def _select(notebooks: Iterable[str], registry: Mapping[str, Mapping]) -> list[str]:
    if isinstance(notebooks, str):
        notebooks = (notebooks,)
    chosen: list[str] = []
    for nb in notebooks:
        stem = Path(str(nb)).name.removesuffix(".ipynb")
        if stem == "all":
            chosen.extend(registry)
        elif stem in registry:
            chosen.append(stem)
        else:
            raise ValueError(f"unknown notebook {nb!r}; allowed: all, {', '.join(registry)}")
    if not chosen:
        raise ValueError(f"no notebook selected; allowed: all, {', '.join(registry)}")
    return list(dict.fromkeys(chosen))


def _coerce(name: str, value: Any, type_name: str | None) -> Any:
    """Convert a command-line string to the declared type of a notebook parameter."""
    if not isinstance(value, str) or type_name in (None, "None", "str"):
        return value
    try:
        if type_name == "int":
            return int(value)
        if type_name == "float":
            return float(value)
        if type_name == "bool":
            low = value.strip().lower()
            if low in ("true", "1", "yes"):
                return True
            if low in ("false", "0", "no"):
                return False
            raise ValueError(value)
    except ValueError:
        raise ValueError(f"parameter {name!r} must be {type_name}; got {value!r}") from None
    return value


def _declared(path: Path) -> dict[str, dict]:
    """The parameters a notebook declares: :func:`papermill.inspect_notebook`, checked with :mod:`ast`.

    papermill skips a line it cannot parse (e.g. a help comment containing ``=``) with
    only a log warning, and such a parameter would silently not be passed.  The cell
    tagged ``parameters`` is therefore also read with :mod:`ast`; a name papermill
    missed is added (type from its literal) and reported as a warning.
    """
    import ast
    import logging

    import nbformat
    import papermill

    declared = dict(papermill.inspect_notebook(str(path)))
    nb = nbformat.read(str(path), as_version=4)
    cell = next((c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])),
                None)
    if cell is None:
        raise ValueError(f"notebook {path.name} has no code cell tagged 'parameters'")
    missed = []
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name not in declared:
                try:
                    value = ast.literal_eval(node.value)
                except ValueError:
                    value = None
                declared[name] = {"name": name, "inferred_type_name": type(value).__name__ if value is not None
                                  else "None", "default": ast.get_source_segment(cell.source, node.value),
                                  "help": ""}
                missed.append(name)
    for spec in declared.values():   # papermill types only annotated parameters: use the literal
        if spec.get("inferred_type_name") in (None, "None"):
            try:
                spec["inferred_type_name"] = type(ast.literal_eval(str(spec.get("default")))).__name__
            except (ValueError, SyntaxError):
                pass
    if missed:
        logging.getLogger(__name__).warning(
            "%s: papermill cannot read the parameter(s) %s (keep '=' out of the trailing comment)",
            path.name, ", ".join(missed))
    return declared


def _safe(text: str) -> str:
    return _SAFE.sub("_", str(text)).strip("_") or "x"


def expand(notebooks=("all",), *, study, parameters: Mapping[str, Any] | None = None,
           registry: Mapping[str, Mapping] | None = None, nb_dir: Path | None = None) -> list[Job]:
    """The notebook executions of a run, with every parameter checked against the notebooks.

    Parameters
    ----------
    notebooks : iterable of str
        Registry stems, or ``"all"``.
    study : Study
        The loaded study (per-course notebooks run once per course with data).
    parameters : mapping
        Extra parameters (``-p KEY VALUE``).  Each goes to the selected notebooks that
        declare it (:func:`papermill.inspect_notebook`); strings are converted to the
        declared type.  ``course_id`` restricts a per-course notebook to that course.

    Raises
    ------
    ValueError
        Unknown notebook, a parameter no selected notebook declares (named, with the
        declared ones), ``study``/``out`` given as parameters, a bad value, or an
        unknown ``course_id``.
    """
    registry = REPORTS if registry is None else registry
    nb_dir = notebook_dir() if nb_dir is None else Path(nb_dir).resolve()
    parameters = dict(parameters or {})
    for key in _RESERVED:
        if key in parameters:
            raise ValueError(f"parameter {key!r} is set by the run itself; use --{key} instead")
    stems = _select(notebooks, registry)
    declared = {stem: _declared(_notebook_path(stem, nb_dir)) for stem in stems}
    for stem, names in declared.items():
        missing = [k for k in _RESERVED if k not in names]
        if missing:
            raise ValueError(f"notebook {stem} does not declare the parameter(s) {missing} in its "
                             "cell tagged 'parameters'")
    for key in parameters:
        if not any(key in names for names in declared.values()):
            allowed = sorted({k for names in declared.values() for k in names} - set(_RESERVED))
            raise ValueError(f"parameter {key!r} is not declared by {', '.join(stems)}; "
                             f"declared: {', '.join(allowed)}")

    with_data = set(study.submissions["course_id"].dropna().astype(str)) if len(study.submissions) else set()
    courses = [str(c) for c in study.courses["course_id"] if str(c) in with_data]
    courses += sorted(with_data - set(courses))
    jobs = []
    for stem in stems:
        names = declared[stem]
        params = {k: _coerce(k, v, names[k].get("inferred_type_name")) for k, v in parameters.items()
                  if k in names}
        if registry[stem].get("per") == "course":
            if "course_id" not in names:
                raise ValueError(f"notebook {stem} runs per course but does not declare course_id")
            chosen = courses
            if params.get("course_id"):
                if str(params["course_id"]) not in with_data:
                    raise ValueError(f"course_id {params['course_id']!r} has no data; courses with data: "
                                     f"{', '.join(courses) or '(none)'}")
                chosen = [str(params["course_id"])]
            for cid in chosen:
                p = {**params, "course_id": cid}
                jobs.append(Job(stem, f"{stem}_{_safe(cid)}", tuple(p.items())))
        else:
            jobs.append(Job(stem, stem, tuple(params.items())))
    names_seen = [j.name for j in jobs]
    if len(set(names_seen)) != len(names_seen):
        raise ValueError(f"two executions would write the same file: {names_seen}")
    return jobs


# ---------------------------------------------------------------------------- execution

def _execute(job: Job, source: Path, run_dir: Path, base: dict, title: str, language: str,
             env: Mapping[str, str], kernels: _WarmKernels | None = None, auditor=None,
             after: ThreadPoolExecutor | None = None) -> ReportResult | Future:
    """Execute one notebook with papermill, then export its HTML (also for a failed run).

    With ``kernels``, the notebook runs in this worker's warm kernel (reset first);
    without, papermill starts and stops a kernel of its own.  With ``auditor`` (a
    :class:`dxsurvey.privacy.Auditor`), the run's finished files are scanned now, while
    other notebooks still run, and the final audit only re-scans what changed.  With
    ``after`` (an executor), the HTML export, the scan and reading the tables ahead are
    done there and a future of the result is returned: this worker's kernel goes on with
    its next notebook at once instead of idling through them (half a second a notebook).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    params = {**base, **job.params}
    ipynb = run_dir / "notebooks" / f"{job.name}.ipynb"
    html_path = run_dir / "html" / f"{job.name}.html"
    result = ReportResult(name=job.name, notebook=job.notebook, parameters=params, title=title,
                          ipynb=f"notebooks/{job.name}.ipynb")
    t0, started = time.perf_counter(), time.time() - 1.0     # (file times may be coarse)
    nb = None
    try:
        engine = {}
        if kernels is not None:
            engine = {"engine_name": _warm_engine(), "km": kernels.get(run_dir / "notebooks"),
                      "reset": _RESET.format(cwd=str(run_dir / "notebooks"), env=dict(env))}
        nb = papermill.execute_notebook(
            str(source), str(ipynb), parameters=params, kernel_name="python3", language="python",
            progress_bar=False, log_output=False, kernel_manager_class=_kernel_manager_class(env),
            start_timeout=KERNEL_START_TIMEOUT,
            # written once at the end (and on failure), not after every cell: rewriting a
            # notebook with its embedded figures after each cell cost 0.1 s a notebook
            request_save_on_cell_execute=False,
            # the kernel's cwd; papermill's own ``cwd=`` would os.chdir() the whole process,
            # which is not safe with several notebooks executing in threads
            resources={"metadata": {"path": str(run_dir / "notebooks")}},
            recorded_paths=(f"notebooks/{source.name}", f"notebooks/{job.name}.ipynb"), **engine,
        )
        result.ok = True
    except PapermillExecutionError as exc:
        result.error = f"{exc.ename}: {exc.evalue} (cell {exc.exec_count})"
    except Exception as exc:  # a kernel that dies, a bad notebook: recorded, others go on
        result.error = f"{type(exc).__name__}: {exc}"
    if after is not None:
        return after.submit(_finish, result, ipynb, html_path, run_dir, title, language, nb, auditor,
                            t0, started)
    return _finish(result, ipynb, html_path, run_dir, title, language, nb, auditor, t0, started)


def _finish(result: ReportResult, ipynb: Path, html_path: Path, run_dir: Path, title: str, language: str,
            nb, auditor, t0: float, started: float) -> ReportResult:
    """A notebook's HTML, its files scanned by the audit, its tables read for tables.xlsx."""
    from .reports.export import export_html, prefetch_tables

    job_name = ipynb.stem
    if ipynb.is_file():
        try:
            export_html(ipynb, html_path, title, language=language, nb=nb)
            result.html = f"html/{job_name}.html"
        except Exception as exc:
            result.ok = False
            result.error = (result.error + "; " if result.error else "") + f"HTML export: {exc}"
    else:
        result.ipynb = None
    if auditor is not None:
        for path in auditor.files(run_dir):
            if path.parent.name in ("tables", "figures") or path in (ipynb, html_path):
                auditor.scan(run_dir, path)
    # this report's tables, read now for tables.xlsx (written at the end, on one core)
    prefetch_tables(_fresh_tables(run_dir / "tables", started))
    result.seconds = time.perf_counter() - t0
    return result


def _fresh_tables(tables: Path, since: float) -> list[Path]:
    """The tables' CSVs written since ``since`` (a time.time()), while other reports may be
    writing theirs: a hidden temporary file of an atomic write is not a table, and one that
    is renamed or removed between listing and looking at it is passed over."""
    fresh = []
    for path in tables.glob("*.csv"):
        if path.name.startswith("."):
            continue
        try:
            if path.stat().st_mtime >= since:
                fresh.append(path)
        except OSError:
            continue
    return fresh


def _title(job: Job, study, language: str) -> str:
    """The report's name on the index and in the HTML <title>: ``index.report.<notebook>``."""
    key = f"index.report.{job.notebook}"
    title = catalog.text(key, language) if key in catalog.TEXTS else job.notebook
    cid = job.params.get("course_id")
    if cid:
        row = study.courses[study.courses["course_id"].astype(str) == str(cid)]
        course_title = str(row["title"].iloc[0]) if len(row) and row["title"].notna().iloc[0] else ""
        title = f"{title}: {cid} {course_title}".strip()
    return title


def _check_out(out: Path, study_root: Path, force: bool) -> None:
    from .study import check_outside_raw

    check_outside_raw(out, study_root)
    if out == study_root or out in study_root.parents:
        raise ValueError(f"the run folder {out} must not be the study folder, inside raw/, or contain the study")
    if out.exists():
        if not force:
            raise RunExistsError(f"run folder {out} already exists; use force=True (--force) to replace it", out)
        if not out.is_dir() or (any(out.iterdir()) and not (out / "run.json").is_file()):
            raise RunExistsError(f"{out} exists and is not a dxsurvey run folder (no run.json); "
                                 "refusing to replace it", out, replaceable=False)


#: The file in a ``.partial-<pid>`` folder that says which process builds it.
_OWNER = ".owner.json"


def _process_started(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, from /proc), to tell a reused
    pid from the process that wrote an owner file; None where /proc is not available."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


def _owner_alive(folder: Path) -> bool:
    """Whether the process that made ``<out>.partial-<pid>`` (or ``.old-<pid>``) still runs."""
    try:
        pid = int(folder.name.rsplit("-", 1)[-1])
    except ValueError:
        return True   # not ours to judge
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # another user's live process
        return True
    except OSError:
        return True
    try:
        recorded = json.loads((folder / _OWNER).read_text(encoding="utf-8")).get("started")
    except (OSError, ValueError, AttributeError):
        return True
    return recorded is None or recorded == _process_started(pid)


def _remove_stale_partials(out: Path) -> list[Path]:
    """Remove ``<out>.partial-<pid>`` and ``<out>.old-<pid>`` folders no live process owns
    (a run killed with ``kill -9`` or a power cut left them, with the study's pickle)."""
    removed = []
    for folder in sorted(out.parent.glob(f"{glob_escape(out.name)}.partial-*")) + \
            sorted(out.parent.glob(f"{glob_escape(out.name)}.old-*")):
        if folder.is_dir() and not folder.is_symlink() and not _owner_alive(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


@contextlib.contextmanager
def _partial_folder(out: Path):
    """``<out>.partial-<pid>`` with its sub-folders and owner record; removed when the run
    fails or is interrupted (stale ones of earlier runs are removed first)."""
    _remove_stale_partials(out)
    partial = out.with_name(f"{out.name}.partial-{os.getpid()}")
    if partial.exists():
        shutil.rmtree(partial)
    for sub in ("notebooks", "html", "tables", "figures"):
        (partial / sub).mkdir(parents=True)
    (partial / _OWNER).write_text(json.dumps({"pid": os.getpid(), "started": _process_started(os.getpid())}),
                                  encoding="utf-8")
    try:
        yield partial
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _relpath(target: Path, start: Path) -> str:
    try:
        return Path(os.path.relpath(target, start)).as_posix()
    except ValueError:  # another drive on Windows
        return str(target)


#: Environment of every report kernel (job settings arrive with each notebook's reset).
_KERNEL_ENV = {"PYDEVD_DISABLE_FILE_VALIDATION": "1"}   # no debugger warning on kernel stderr


def run(notebooks=("all",), *, study, out, parameters: Mapping[str, Any] | None = None,
        jobs: int | None = None, force: bool = False, progress: bool = True,
        registry: Mapping[str, Mapping] | None = None, nb_dir: str | Path | None = None,
        keep_going: bool = False, figure_titles: bool = True, pdf: bool = False) -> RunResult:
    """Execute report notebooks with papermill into one run folder (see :func:`_run`)."""
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ValueError(f"jobs must be a positive integer; got {jobs!r}")
    jobs = jobs or os.cpu_count() or 1
    single = not isinstance(notebooks, str) and list(notebooks) != ["all"] and len(list(notebooks)) == 1
    kernels = _WarmKernels(_KERNEL_ENV, prestart=1 if single else jobs)
    try:
        return _run(notebooks, study=study, out=out, parameters=parameters, jobs=jobs, force=force,
                    progress=progress, registry=registry, nb_dir=nb_dir, kernels=kernels,
                    keep_going=keep_going, figure_titles=figure_titles, pdf=pdf)
    finally:
        kernels.shutdown()


def _run(notebooks, *, study, out, parameters, jobs, force, progress, registry, nb_dir,
         kernels: _WarmKernels, keep_going: bool = False, figure_titles: bool = True,
         pdf: bool = False) -> RunResult:
    """Execute report notebooks with papermill into one run folder.

    Parameters
    ----------
    notebooks : iterable of str
        Stems of :data:`REPORTS` or ``"all"``.
    study : path or Study
        The study folder (survey.yaml, courses.csv, raw/), or a loaded study.
    out : path
        The run folder to create.
    parameters : mapping
        Extra notebook parameters (``language``, ``min_cell``, ``course_id`` ...), each
        checked against the parameters the notebooks declare.  ``min_cell`` may raise
        the codebook's value (hide more), never lower it; ``0`` means the codebook's.
    jobs : int, optional
        Notebooks executed at once (default: ``os.cpu_count()``).
    force : bool
        Replace an existing run folder (only one with a ``run.json``).
    progress : bool
        Show a tqdm progress bar on stderr.
    registry, nb_dir
        Another registry / notebook folder (tests, custom report sets).
    keep_going : bool
        Build the reports although the study has error-level validation problems; the
        run's ``index.html`` and ``RunResult.input_errors`` then name them.

    Returns
    -------
    RunResult

    Raises
    ------
    RunExistsError
        ``out`` exists and ``force`` is False.
    InputErrorsError
        The study has error-level validation problems and ``keep_going`` is False.
    ValueError
        Unknown notebook or parameter, bad ``jobs``, ``out`` inside the study, a
        ``min_cell`` below the codebook's.

    Notes
    -----
    Each notebook runs with ``cwd`` = the run's ``notebooks/`` folder and gets
    ``study`` and ``out`` as paths relative to it (no home folder in the executed
    notebooks), the resolved ``language`` and ``min_cell``, and its own parameters.
    The study is ingested once here and handed to the kernels as a pickle in the run's
    hidden ``.partial-<pid>/.cache`` folder (it holds respondent codes: deleted when the
    notebooks are done, never in the finished run folder, and never audited as output).
    A failed or interrupted run removes its partial folder; one left by a killed process
    (no live owner: its pid and start time are recorded in ``.owner.json``) is removed
    by the next run of the same output.  When another run made ``out`` while this one
    ran, this run's output is discarded and :class:`RunExistsError` (``lost``) says so.  A per-course notebook's tables and figures get the suffix
    ``_<course_id>`` (``tables/change_C2024-01.csv``), and two notebooks of one run
    writing the same table or figure name is an error in the second one.  A failing notebook does not stop the others.  Then
    ``tables.xlsx``, the privacy audit (:func:`dxsurvey.privacy.audit`, against the
    codebook's ``min_cell``), ``run.json``
    and ``index.html`` are written, and ``<out>.partial-<pid>`` is renamed to ``out``.
    """
    from . import privacy, provenance
    from .reports.context import (CLAIMS_ENV, FIGURE_TITLES_ENV, FILE_SUFFIX_ENV, JOB_ENV, STUDY_CACHE_ENV,
                                  load_study_cached)
    from .reports.export import atomic_write_text, write_figure_index, write_pdfs, write_xlsx
    from .study import Study

    t0 = time.perf_counter()
    started = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    if pdf:
        from .reports.export import PdfError, chromium
        if chromium() is None:      # say so before the notebooks run, not after
            raise PdfError(catalog.text("cli.pdf_no_chromium", str((parameters or {}).get("language") or "ja")))
    registry = REPORTS if registry is None else registry
    nb_dir = notebook_dir() if nb_dir is None else Path(nb_dir).resolve()
    st = study if isinstance(study, Study) else load_study_cached(study)
    study_root = Path(st.root).resolve()
    out = Path(out).resolve()
    _check_out(out, study_root, force)

    params = dict(parameters or {})
    language = params.get("language") or st.language
    if language not in catalog.LANGUAGES:
        raise ValueError(f"language must be one of ja, en; got {language!r}")
    from .reports.validation import error_lines
    input_errors = error_lines(st, language)
    if input_errors and not keep_going:
        raise InputErrorsError(input_errors)
    plan = expand(notebooks, study=st, parameters=params, registry=registry, nb_dir=nb_dir)
    declared = {j.notebook: _declared(_notebook_path(j.notebook, nb_dir)) for j in plan}
    min_cell = params.get("min_cell")
    min_cell = int(_coerce("min_cell", min_cell, "int")) if min_cell not in (None, "", 0, "0") else 0
    # a parameter may hide more, never less: the codebook's min_cell is the floor (the notebooks'
    # Context.open applies the same rule)
    min_cell = privacy.report_min_cell(min_cell, st.min_cell)

    with _partial_folder(out) as partial:
        nbs = partial / "notebooks"
        base = {"study": _relpath(study_root, nbs), "out": "..", "language": language, "min_cell": min_cell}

        # the audit checks against the codebook's min_cell, whatever a parameter raised it to
        auditor = privacy.Auditor(sensitive=st.sensitive, names=privacy.load_names(study_root),
                                  min_cell=st.min_cell, count_headers=privacy.count_headers(catalog.TEXTS))
        # the study's pickle (respondent codes included) lives in the run's own hidden folder: the
        # audit skips it, it is removed when the notebooks are done, and if this process dies, the
        # next run of this output removes the whole partial folder (_remove_stale_partials)
        cache_dir = partial / ".cache"
        cache_dir.mkdir(mode=0o700)
        results: list[ReportResult] = []
        try:
            cache = cache_dir / "study.pkl"
            with open(cache, "wb") as fh:
                pickle.dump({"root": str(study_root), "study": st}, fh, protocol=pickle.HIGHEST_PROTOCOL)
            (cache_dir / "claims").mkdir()
            env = {STUDY_CACHE_ENV: str(cache), CLAIMS_ENV: str(cache_dir / "claims"),
                   FIGURE_TITLES_ENV: "1" if figure_titles else "0", **_KERNEL_ENV}

            from tqdm.auto import tqdm
            bar = tqdm(total=len(plan), desc="dxsurvey", unit="report", disable=not progress, file=sys.stderr)
            # one thread exports, scans and reads each finished report while the kernels run the next
            with ThreadPoolExecutor(max_workers=1) as after, \
                    ThreadPoolExecutor(max_workers=min(jobs, len(plan))) as pool:
                futures = {}
                # study-wide notebooks (the longest) first, the many short per-course ones after:
                # the last seconds of the run are not one long notebook on one busy core
                for job in sorted(plan, key=lambda j: bool(registry[j.notebook].get("per"))):
                    jb = {k: v for k, v in base.items() if k in declared[job.notebook]}
                    suffix = job.name[len(job.notebook):] if registry[job.notebook].get("per") else ""
                    futures[pool.submit(_execute, job, _notebook_path(job.notebook, nb_dir), partial, jb,
                                        _title(job, st, language), language,
                                        {**env, FILE_SUFFIX_ENV: suffix, JOB_ENV: job.name}, kernels,
                                        auditor, after)] = job
                finishing = []
                for fut in as_completed(futures):
                    finishing.append(fut.result())
                    bar.set_postfix_str(futures[fut].name, refresh=False)
                    bar.update(1)
                pool.shutdown()
                kernels.shutdown_soon()
                results.extend(f.result() if isinstance(f, Future) else f for f in finishing)
            bar.close()
        finally:
            shutil.rmtree(cache_dir, ignore_errors=True)
        order = {j.name: i for i, j in enumerate(plan)}
        results.sort(key=lambda r: order[r.name])

        reports = [(r.name, r.title or r.name) for r in results]
        write_xlsx(partial, language=language, reports=reports)
        write_figure_index(partial, reports=reports)
        if pdf:
            write_pdfs(partial, [(r.name, r.title or r.name) for r in results if r.html], language=language)
        seconds = time.perf_counter() - t0
        record = {
            "survey": st.codebook.survey,
            # paths as seen from the run folder / the working folder, never absolute: a study under
            # /home/<user> or C:\Users\<user> would name its owner in every shared run
            "study": _relpath(study_root, out),
            "out": ".",
            "notebooks": [j.notebook for j in plan],
            "parameters": {k: v for k, v in params.items()},
            "language": language,
            "min_cell": min_cell,
            "jobs": jobs,
            "started": started,
            "timezone": st.codebook.timezone,
            "era": st.codebook.era,
            "seconds": round(seconds, 2),
            "reports": [asdict(r) for r in results],
            "inputs": provenance.input_files(st).to_dict("records"),
            "versions": dict(provenance.package_versions().itertuples(index=False)),
            "audit": [],
            "input_errors": input_errors,
            "command": _command(notebooks, study_root, out, params, keep_going=bool(input_errors)),
        }
        # the audit covers every output, index.html included: write the page, audit, write it again
        # with the audit's result (which quotes only masked excerpts)
        atomic_write_text(partial / "index.html", render_index(record, partial, language))
        findings = auditor.audit(partial)
        record["audit"] = [asdict(f) for f in findings]
        atomic_write_text(partial / "run.json", json.dumps(record, ensure_ascii=False, indent=2, default=str))
        atomic_write_text(partial / "index.html", render_index(record, partial, language))

        try:
            _check_out(out, study_root, force)
        except RunExistsError:   # another run made `out` while this one ran: it won
            raise RunExistsError(
                f"another run finished {out} while this one ran; this run's reports were discarded. "
                "Run again with force=True (--force) to replace it, or choose another folder.",
                out, lost=True) from None
        (partial / _OWNER).unlink(missing_ok=True)
        if out.exists():
            old = out.with_name(f"{out.name}.old-{os.getpid()}")
            os.replace(out, old)
            os.replace(partial, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(partial, out)
        return RunResult(run_dir=out, index=out / "index.html", reports=results, findings=findings,
                         started=started, seconds=seconds, language=language, input_errors=input_errors)


def _command(notebooks, study_root: Path, out: Path, params: Mapping, keep_going: bool = False) -> str:
    import shlex
    nbs = [notebooks] if isinstance(notebooks, str) else list(notebooks)
    here = Path.cwd()
    parts = ["dxsurvey", "run", *map(str, nbs), "--study", _relpath(study_root, here),
             "--out", _relpath(out, here)]
    for k, v in params.items():
        parts += ["-p", str(k), str(v)]
    if keep_going:
        parts.append("--keep-going")
    return " ".join(shlex.quote(p) for p in parts)


def render_index(record: Mapping, run_dir: Path, language: str) -> str:
    """The run's ``index.html`` (jinja template ``templates/index.html``) from its record."""
    import jinja2

    from . import privacy
    from .reports.export import TEMPLATES

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=jinja2.select_autoescape(["html"]),
                             undefined=jinja2.StrictUndefined)
    template = env.get_template("index.html")
    findings = [privacy.Finding(**f) for f in record["audit"]]
    return template.render(
        r=record, lang=language, t=lambda key, **fmt: catalog.text(key, language, **fmt),
        title=_run_title(record, language), downloads=_downloads(record, Path(run_dir), language),
        started=local_time(record["started"], record.get("timezone") or "Asia/Tokyo",
                           record.get("era") or "western", language),
        has_xlsx=(Path(run_dir) / "tables.xlsx").is_file(),
        audit_text=privacy.audit_report(findings, language), n_findings=len(findings),
        failed=[r for r in record["reports"] if not r["ok"]],
        titles={r["name"]: r.get("title") or r["name"] for r in record["reports"]},
        font_stack=_font_stack(),
    )


def _downloads(record: Mapping, run_dir: Path, language: str) -> list[dict]:
    """The run's files grouped by report, in report order: each report's PDF, then its
    tables (number, caption, CSV) and figures (number, caption, PNG and SVG), described by
    the captions the reports gave them (``tables/*.meta.json``, ``figures/index.csv``)."""
    import csv

    from .reports.export import read_table_metas

    groups: dict[str, dict] = {}
    for rep in record["reports"]:
        pdf = Path(run_dir) / "pdf" / f"{rep['name']}.pdf"
        groups[rep["name"]] = {"name": rep["name"], "title": rep.get("title") or rep["name"],
                               "pdf": f"pdf/{pdf.name}" if pdf.is_file() else "", "tables": [], "figures": []}
    other = {"name": "", "title": catalog.text("index.other_files", language), "pdf": "", "tables": [], "figures": []}
    metas = read_table_metas(Path(run_dir) / "tables")
    # in each report's order: 表1, 表2, ..., then the tables written but not shown
    metas.sort(key=lambda m: (m.get("number") is None, m.get("number") or 0, m["stem"]))
    for meta in metas:
        groups.get(meta.get("report"), other)["tables"].append(
            {"label": meta.get("label") or "", "caption": meta.get("caption") or meta["stem"],
             "csv": f"tables/{meta['csv'].name}"})
    fig_index = Path(run_dir) / "figures" / "index.csv"
    if fig_index.is_file():
        with open(fig_index, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                stem = row["file"].rsplit(".", 1)[0]
                groups.get(row.get("report"), other)["figures"].append(
                    {"label": row.get("label") or "", "caption": row.get("caption") or stem,
                     "png": f"figures/{stem}.png", "svg": f"figures/{stem}.svg"})
    return [g for g in [*groups.values(), other] if g["tables"] or g["figures"] or g["pdf"]]


def local_time(iso: str, timezone: str = "Asia/Tokyo", era: str = "western", language: str = "ja") -> str:
    """A run's ISO start time as the city reads it: in ``timezone``, western year or 令和.

    Examples
    --------
    >>> local_time("2026-12-03T09:21:48+00:00")
    '2026年12月3日 18:21（Asia/Tokyo）'
    >>> local_time("2026-12-03T09:21:48+00:00", era="reiwa")
    '令和8年12月3日 18:21（Asia/Tokyo）'
    >>> local_time("2019-05-01T00:00:00+09:00", era="reiwa")
    '令和元年5月1日 00:00（Asia/Tokyo）'
    >>> local_time("2026-12-03T09:21:48+00:00", "Europe/Paris", "western", "en")
    '2026-12-03 10:21 (Europe/Paris)'
    """
    moment = _dt.datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.astimezone()
    try:
        import zoneinfo
        zone = zoneinfo.ZoneInfo(timezone)
    except (ValueError, OSError, zoneinfo.ZoneInfoNotFoundError):
        if timezone != "Asia/Tokyo":
            raise
        zone = _dt.timezone(_dt.timedelta(hours=9), "Asia/Tokyo")   # no time zone database (Windows)
    local = moment.astimezone(zone)
    if era == "reiwa" and local.date() >= _dt.date(2019, 5, 1):
        n = local.year - 2018
        year = catalog.text("index.reiwa_year", language,
                            year=catalog.text("index.reiwa_first", language) if n == 1 else n)
    else:
        year = catalog.text("index.western_year", language, year=local.year)
    return catalog.text("index.local_time", language, year=year, month=local.month, day=local.day,
                        time=local.strftime("%H:%M"), zone=timezone)


def _font_stack() -> str:
    from .reports.export import FONT_STACK
    return FONT_STACK


def _run_title(record: Mapping, language: str) -> str:
    return f"{catalog.text('index.title', language)}: {record['survey']}"


def audit_run(run_dir: str | Path, *, language: str = "ja"):
    """Re-run the privacy audit on a finished run folder (the study from its ``run.json``).

    Returns
    -------
    (list of Finding, str)
        The findings and :func:`dxsurvey.privacy.audit_report` text.
    """
    from . import privacy
    from .reports.context import load_study_cached

    run_dir = Path(run_dir)
    rec_path = run_dir / "run.json"
    if not rec_path.is_file():
        raise FileNotFoundError(f"no run.json in {run_dir}: not a run folder made by dxsurvey run")
    record = json.loads(rec_path.read_text(encoding="utf-8"))
    st = load_study_cached(Path(run_dir) / record["study"])   # recorded relative to the run folder
    findings = privacy.audit(run_dir, sensitive=st.sensitive, names=privacy.load_names(st.root),
                             min_cell=st.min_cell,   # the codebook's, never run.json's
                             count_headers=privacy.count_headers(catalog.TEXTS))
    return findings, privacy.audit_report(findings, language)


def demo(out: str | Path = "reports/demo", *, jobs: int | None = None, progress: bool = True,
         language: str = "", pdf: bool = False, figure_titles: bool = True) -> RunResult:
    """Run every report on the shipped demo study; replaces the previous demo output.

    Only a previous run folder (with ``run.json``) is replaced.
    """
    params = {"language": language} if language else {}
    return run(("all",), study=demo_study(), out=out, parameters=params, jobs=jobs, force=True,
               progress=progress, pdf=pdf, figure_titles=figure_titles)
