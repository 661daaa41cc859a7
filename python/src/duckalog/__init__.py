"""DuckDB catalogs that a declarative config keeps true, for Python programs.

`connect()` brings the catalog up to date with the duckalog binary installed
with this package, then replays the catalog's session (extensions, settings,
secrets, attachments) on a connection of the caller's own `duckdb` package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import warnings
from pathlib import Path
from typing import Any, Optional, Union

__all__ = [
    "CatalogConnection",
    "DuckalogError",
    "IncompatibleDuckDBError",
    "binary",
    "connect",
    "connect_to_catalog",
]

PathLike = Union[str, "os.PathLike[str]"]


class DuckalogError(Exception):
    """duckalog could not bring the catalog up or restore its session.

    The message is one line with secret values masked; `exit_code` is the
    binary's exit code when the binary failed (see docs/cli.md), else None.
    """

    def __init__(self, message: str, exit_code: Optional[int] = None):
        super().__init__(message)
        self.exit_code = exit_code


class IncompatibleDuckDBError(DuckalogError):
    """The caller's duckdb package cannot open the catalog or load its extensions."""


def binary() -> str:
    """The path of the duckalog binary installed with this package."""
    schemes = [sysconfig.get_path("scripts")]
    user = f"{os.name}_user"
    if user in sysconfig.get_scheme_names():
        schemes.append(sysconfig.get_path("scripts", user))
    for folder in [*schemes, str(Path(sys.executable).parent)]:
        candidate = Path(folder) / "duckalog"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("duckalog")
    if found:
        return found
    raise DuckalogError("the duckalog binary is not installed: pip install duckalog-bin")


# `duckalog run` exits with 4 when it went on without an optional
# attachment: the catalog is usable, and its warnings say what was left out.
PARTIAL = 4


def _run(args: list[str]) -> str:
    proc = subprocess.run([binary(), *args], capture_output=True, text=True)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    if proc.returncode in (0, PARTIAL) and args[0] == "run":
        # What the binary warns about (views left out, orphans kept) is the
        # caller's to see; its messages hold no secret value.
        for line in lines:
            warnings.warn(line, stacklevel=3)
    elif proc.returncode != 0:
        message = lines[-1] if lines else f"duckalog exited with code {proc.returncode}"
        raise DuckalogError(message.removeprefix("error: "), proc.returncode)
    return proc.stdout


def _mask(text: str, secrets: list[str]) -> str:
    for value in secrets:
        text = text.replace(value, "***")
    return text


def _platform(duckdb: Any) -> str:
    return duckdb.execute("PRAGMA platform").fetchone()[0]


def _replay(con: Any, session: dict[str, Any], duckdb: Any) -> None:
    """Runs each statement of `session` on `con`; an optional attachment
    that fails is left out with a warning, as duckalog leaves it out."""
    for step in session["instance"] + session["connection"]:
        try:
            con.execute(step["sql"])
            continue
        except duckdb.Error as e:
            # Raised below, outside this block: the exception DuckDB raised
            # may quote the statement, secrets and all, and must not become
            # the context of ours.
            reason = _mask(" ".join(str(e).split()), session["mask"])
        what = step["what"]
        if step["optional"]:
            warnings.warn(f"{what} is optional and unavailable: {reason}", stacklevel=3)
            continue
        if what.startswith("extension "):
            raise IncompatibleDuckDBError(
                f"{what}: this duckdb {duckdb.__version__} on {_platform(duckdb)} cannot load it; "
                f"the catalog's extensions are for DuckDB {session['duckdb_version']} on "
                f"{session['platform']} (pip install duckdb=={session['duckdb_version']}): {reason}"
            )
        raise DuckalogError(f"{what}: {reason}")


def _open(duckdb: Any, database: str, read_only: bool, wanted: str) -> Any:
    try:
        return duckdb.connect(database, read_only=read_only)
    except duckdb.Error as e:
        reason = " ".join(str(e).split())
    if "version" in reason.lower() or "serializ" in reason.lower():
        raise IncompatibleDuckDBError(
            f"duckdb {duckdb.__version__} cannot open {database}, a catalog of DuckDB "
            f"{wanted} (pip install duckdb=={wanted}): {reason}"
        )
    raise DuckalogError(f"cannot open {database}: {reason}")


def connect(
    config: PathLike = "duckalog.toml",
    *,
    read_only: bool = False,
    database: Optional[PathLike] = None,
    force_rebuild: bool = False,
    extension_dir: Optional[PathLike] = None,
) -> Any:
    """A `duckdb.DuckDBPyConnection` on the catalog of `config`, with its session restored.

    Unless `read_only`, the catalog is brought up to date first (`duckalog
    run`, or a full rebuild with `force_rebuild`); a read-only connection
    changes nothing and needs a catalog that was built. `database` replaces
    the config's `duckdb.database`; `extension_dir` the extension folder.

    The settings that DuckDB keeps per connection (every extension's
    setting, `search_path`) hold on the connection returned; a cursor is
    another connection, without them, as in DuckDB itself.
    """
    import duckdb

    if read_only and force_rebuild:
        raise ValueError("force_rebuild writes the catalog: it cannot be read_only")
    common = [os.fspath(config)]
    if database is not None:
        common += ["--db", os.fspath(database)]
    if extension_dir is not None:
        common += ["--extension-dir", os.fspath(extension_dir)]
    if not read_only:
        _run(["run", *common, *(["--force-rebuild"] if force_rebuild else [])])
    out = _run(["generate-sql", "--session", "--format", "json", "--show-secrets", *common])
    session = json.loads(out)
    path = session["database"]
    if read_only and not Path(path).exists():
        raise DuckalogError(f"{path} does not exist: build it with `duckalog run` first")
    con = _open(duckdb, path, read_only, session["duckdb_version"])
    try:
        _replay(con, session, duckdb)
    except BaseException:
        con.close()
        raise
    return con


class CatalogConnection:
    """What the Python duckalog tool's `connect_to_catalog` returns: the
    connection is opened on the first `get_connection()`, and closed by
    `close()` or at the end of a `with` block."""

    def __init__(self, config_path: PathLike, database_path: Optional[PathLike] = None,
                 read_only: bool = False, force_rebuild: bool = False):
        self._args = (config_path, database_path, read_only, force_rebuild)
        self._con: Any = None

    def get_connection(self) -> Any:
        if self._con is None:
            config, database, read_only, force_rebuild = self._args
            self._con = connect(config, database=database, read_only=read_only,
                                force_rebuild=force_rebuild)
        return self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> "CatalogConnection":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect_to_catalog(config_path: PathLike, database_path: Optional[PathLike] = None,
                       read_only: bool = False, force_rebuild: bool = False) -> CatalogConnection:
    """`connect()` with the Python duckalog tool's argument names and return
    type, for code written for that tool."""
    return CatalogConnection(config_path, database_path, read_only, force_rebuild)
