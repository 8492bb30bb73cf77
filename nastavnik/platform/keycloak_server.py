"""A real Keycloak server for development and tests, without containers.

The ``keycloak-quarkus-dist`` archive comes from Maven Central through ``mvn`` (the one
client every developer machine and CI already has), is unpacked once into a cache, and
is started with ``kc.sh start-dev --import-realm`` on the embedded H2 database. Each
start imports the realm file afresh unless ``keep_data`` is set, so tests always see
the demo realm exactly as ``deploy/keycloak/nastavnik-realm.json`` describes it.

This module imports nothing from the application: the CLI (``nastavnik keycloak``) and
the test suite both drive it directly.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import time
import zipfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from types import TracebackType
    from typing import Self

__all__ = [
    "DEFAULT_ADMIN_PASSWORD",
    "DEFAULT_ADMIN_USERNAME",
    "DEFAULT_HEAP",
    "DEFAULT_HTTP_PORT",
    "DEFAULT_MANAGEMENT_PORT",
    "DEFAULT_STARTUP_TIMEOUT",
    "KEYCLOAK_VERSION",
    "MINIMUM_JAVA_MAJOR",
    "REALM_FILE",
    "KeycloakError",
    "KeycloakServer",
    "default_cache_dir",
    "ensure_distribution",
    "is_ready",
    "java_major_version",
]

KEYCLOAK_VERSION = "26.4.2"
MINIMUM_JAVA_MAJOR = 17
DEFAULT_HTTP_PORT = 8180
DEFAULT_MANAGEMENT_PORT = 9180
DEFAULT_ADMIN_USERNAME = "admin"
DEFAULT_ADMIN_PASSWORD = "admin"  # noqa: S105 - the bootstrap admin of a throwaway dev server
DEFAULT_HEAP = "-Xms64m -Xmx512m"
DEFAULT_STARTUP_TIMEOUT = 180.0

# The realm export kept in the repository; callers may pass another file.
REALM_FILE = Path(__file__).resolve().parents[2] / "deploy" / "keycloak" / "nastavnik-realm.json"

_MAVEN_ARTIFACT = "org.keycloak:keycloak-quarkus-dist:{version}:zip"
_LOG_TAIL_LINES = 60
_POLL_INTERVAL = 0.25


class KeycloakError(RuntimeError):
    """Keycloak could not be fetched, unpacked or started."""


def default_cache_dir() -> Path:
    """Return where distributions are unpacked: ``$NASTAVNIK_KEYCLOAK_CACHE`` or XDG cache."""
    explicit = os.environ.get("NASTAVNIK_KEYCLOAK_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "nastavnik" / "keycloak"


def _java_executable() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("java")
    if found is None:
        msg = (
            f"Java {MINIMUM_JAVA_MAJOR}+ is needed to run Keycloak but `java` is not on "
            "PATH (and JAVA_HOME is not set). Install a JDK, e.g. "
            "`apt-get install openjdk-17-jdk-headless`."
        )
        raise KeycloakError(msg)
    return found


def java_major_version() -> int:
    """Return the major version of the ``java`` that ``kc.sh`` runs (JAVA_HOME, then PATH)."""
    java = _java_executable()
    completed = subprocess.run(  # noqa: S603 - fixed arguments, executable found above
        [java, "-version"],
        capture_output=True,
        text=True,
        check=False,
    )
    # `java -version` prints to stderr, e.g. `openjdk version "17.0.15" 2025-04-15`.
    match = re.search(r'version "(\d+)(?:\.(\d+))?', completed.stderr + completed.stdout)
    if completed.returncode != 0 or match is None:
        output = completed.stderr.strip()
        msg = f"Could not read the Java version from `{java} -version`: {output}"
        raise KeycloakError(msg)
    major = int(match.group(1))
    # Java 8 and older report themselves as "1.8".
    return int(match.group(2) or 0) if major == 1 else major


def _require_java() -> None:
    major = java_major_version()
    if major < MINIMUM_JAVA_MAJOR:
        msg = f"Keycloak {KEYCLOAK_VERSION} needs Java {MINIMUM_JAVA_MAJOR}+, found Java {major}."
        raise KeycloakError(msg)


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """Serialise downloads between parallel test workers sharing one cache."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _download_archive(cache_dir: Path, version: str) -> Path:
    mvn = shutil.which("mvn")
    if mvn is None:
        msg = (
            "Maven (`mvn`) is needed to fetch the Keycloak distribution from Maven Central "
            "but is not on PATH. Install it, e.g. `apt-get install maven`, or unpack "
            f"keycloak-{version} into {cache_dir} yourself."
        )
        raise KeycloakError(msg)
    _require_java()
    command = [
        mvn,
        "-q",
        "-B",
        "-Dstyle.color=never",
        "dependency:copy",
        f"-Dartifact={_MAVEN_ARTIFACT.format(version=version)}",
        f"-DoutputDirectory={cache_dir}",
    ]
    # cwd is the cache so that mvn never picks up a pom.xml from wherever we were called.
    completed = subprocess.run(  # noqa: S603 - fixed arguments, executable found above
        command,
        cwd=cache_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    archive = cache_dir / f"keycloak-quarkus-dist-{version}.zip"
    if completed.returncode != 0 or not archive.is_file():
        output = (completed.stdout + completed.stderr).strip()
        msg = f"`{' '.join(command)}` failed (exit {completed.returncode}):\n{output[-4000:]}"
        raise KeycloakError(msg)
    return archive


def _extract(archive: Path, destination: Path) -> None:
    """Unpack with the stdlib, restoring the Unix permission bits zipfile drops."""
    with zipfile.ZipFile(archive) as bundle:
        for info in bundle.infolist():
            extracted = Path(bundle.extract(info, destination))
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                extracted.chmod(mode)
    for script in destination.glob("*/bin/*.sh"):
        script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def ensure_distribution(cache_dir: Path, version: str = KEYCLOAK_VERSION) -> Path:
    """Return the Keycloak home in ``cache_dir``, fetching and unpacking it if missing.

    The archive is fetched with ``mvn dependency:copy`` (it is published as a ``zip``;
    there is no ``tar.gz`` on Maven Central), unpacked into a scratch directory and
    renamed into place, so an interrupted run never leaves a half-unpacked home behind.
    """
    cache_dir = cache_dir.expanduser().resolve()
    home = cache_dir / f"keycloak-{version}"
    if (home / "bin" / "kc.sh").is_file():
        return home
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _locked(cache_dir / ".download.lock"):
        if (home / "bin" / "kc.sh").is_file():  # another worker finished meanwhile
            return home
        archive = _download_archive(cache_dir, version)
        scratch = cache_dir / f".keycloak-{version}.partial"
        shutil.rmtree(scratch, ignore_errors=True)
        try:
            _extract(archive, scratch)
            unpacked = scratch / f"keycloak-{version}"
            if not (unpacked / "bin" / "kc.sh").is_file():
                msg = f"{archive} does not contain keycloak-{version}/bin/kc.sh"
                raise KeycloakError(msg)
            shutil.rmtree(home, ignore_errors=True)
            unpacked.rename(home)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        # mvn keeps its own copy in ~/.m2; this one was only needed for unpacking.
        archive.unlink(missing_ok=True)
    return home


def is_ready(url: str, timeout: float = 2.0) -> bool:
    """Tell whether ``url`` (a ``/health/ready`` endpoint) answers 200 with status UP."""
    try:
        # trust_env=False: a developer's HTTP(S)_PROXY must not capture loopback probes.
        response = httpx.get(url, timeout=timeout, trust_env=False)
        body: Any = response.json() if response.status_code == httpx.codes.OK else None
    except (httpx.HTTPError, ValueError):
        # HTTPError covers refused connections and timeouts while the JVM boots.
        return False
    return isinstance(body, dict) and body.get("status") == "UP"


def _answers_ok(url: str, timeout: float = 5.0) -> bool:
    try:
        response = httpx.get(url, timeout=timeout, trust_env=False)
    except httpx.HTTPError:
        return False
    return response.status_code == httpx.codes.OK


def _port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def _realm_name(realm_file: Path) -> str:
    try:
        data: Any = json.loads(realm_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        msg = f"Cannot read the realm export {realm_file}: {error}"
        raise KeycloakError(msg) from error
    name = data.get("realm") if isinstance(data, dict) else None
    if not isinstance(name, str) or not name:
        msg = f"{realm_file} has no top-level `realm` name"
        raise KeycloakError(msg)
    return name


class KeycloakServer:
    """One ``kc.sh start-dev`` process, started from a realm export.

    ``work_dir`` holds the log (``keycloak.log``) and the H2 database (``data/h2``), so
    servers from one cached distribution keep their state apart. Use it as a context
    manager or call :meth:`start` and :meth:`stop`.
    """

    def __init__(
        self,
        home: Path,
        work_dir: Path,
        *,
        realm_file: Path = REALM_FILE,
        http_port: int = DEFAULT_HTTP_PORT,
        management_port: int = DEFAULT_MANAGEMENT_PORT,
        host: str = "127.0.0.1",
        admin_username: str = DEFAULT_ADMIN_USERNAME,
        admin_password: str = DEFAULT_ADMIN_PASSWORD,
        heap: str = DEFAULT_HEAP,
        keep_data: bool = False,
        reuse: bool = False,
        extra_env: Mapping[str, str] | None = None,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        """Describe a server; nothing runs until :meth:`start`.

        ``extra_env`` reaches the Keycloak process, where it also fills the
        ``${NAME:default}`` placeholders of the realm file (for example
        ``NASTAVNIK_BACKCHANNEL_LOGOUT_URL`` for a test server on another port).
        ``extra_args`` are appended to the ``kc.sh`` command line.
        """
        # Absolute paths: kc.sh runs with cwd=work_dir and --db-url-path must not be relative.
        self.home = home.expanduser().resolve()
        self.work_dir = work_dir.expanduser().resolve()
        self.realm_file = realm_file.expanduser().resolve()
        self.http_port = http_port
        self.management_port = management_port
        self.host = host
        self.admin_username = admin_username
        self.admin_password = admin_password
        self.heap = heap
        self.keep_data = keep_data
        self.reuse = reuse
        self.extra_env: dict[str, str] = dict(extra_env or {})
        self.extra_args = extra_args
        self.realm = _realm_name(realm_file)
        self.log_file = self.work_dir / "keycloak.log"
        self.startup_seconds: float | None = None
        self.reused = False
        self._process: subprocess.Popen[bytes] | None = None
        self._log_handle: IO[bytes] | None = None

    # --- addresses -------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """Root URL of the server, e.g. ``http://127.0.0.1:8180``."""
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def issuer(self) -> str:
        """Issuer of tokens of the imported realm."""
        return f"{self.base_url}/realms/{self.realm}"

    @property
    def ready_url(self) -> str:
        """The readiness probe on the management port."""
        return f"http://127.0.0.1:{self.management_port}/health/ready"

    @property
    def running(self) -> bool:
        """True while a process started by this object is alive."""
        return self._process is not None and self._process.poll() is None

    # --- lifecycle -------------------------------------------------------------------

    def command(self) -> list[str]:
        """Return the command line :meth:`start` runs (useful for printing in the CLI)."""
        return [
            str(self.home / "bin" / "kc.sh"),
            "start-dev",
            "--import-realm",
            f"--http-host={self.host}",
            f"--http-port={self.http_port}",
            f"--http-management-port={self.management_port}",
            "--health-enabled=true",
            # The H2 database lives under work_dir instead of <home>/data.
            f"--db-url-path={self.work_dir}",
            *self.extra_args,
        ]

    def environment(self) -> dict[str, str]:
        """Return the environment of the Keycloak process."""
        env = dict(os.environ)
        # kc.sh ignores JAVA_OPTS_KC_HEAP (and its own sane defaults) when JAVA_OPTS is set.
        env.pop("JAVA_OPTS", None)
        env.update(
            {
                "KC_BOOTSTRAP_ADMIN_USERNAME": self.admin_username,
                "KC_BOOTSTRAP_ADMIN_PASSWORD": self.admin_password,
                "JAVA_OPTS_KC_HEAP": self.heap,
            },
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = DEFAULT_STARTUP_TIMEOUT) -> float:
        """Start Keycloak and wait until it is ready; return the seconds it took.

        With ``reuse=True`` a server already answering on the ports is used as it is
        (0.0 is returned and :meth:`stop` leaves it running). Otherwise a busy port is
        an error.
        """
        if self._process is not None:
            msg = "This KeycloakServer has already been started"
            raise KeycloakError(msg)
        if self._ports_busy():
            if self.reuse and self._wait_for_foreign(timeout):
                if not _answers_ok(f"{self.issuer}/.well-known/openid-configuration"):
                    msg = (
                        f"The Keycloak on port {self.http_port} has no realm {self.realm!r}; "
                        "stop it or choose other ports."
                    )
                    raise KeycloakError(msg)
                self.reused = True
                self.startup_seconds = 0.0
                return 0.0
            msg = (
                f"Port {self.http_port} or {self.management_port} is already in use"
                + (" by something that is not a ready Keycloak" if self.reuse else "")
                + "; stop it or choose other ports."
            )
            raise KeycloakError(msg)

        kc_sh = self.home / "bin" / "kc.sh"
        if not kc_sh.is_file():
            msg = f"{kc_sh} not found; call ensure_distribution() first"
            raise KeycloakError(msg)
        _require_java()
        self._prepare_directories()

        began = time.monotonic()
        self._log_handle = self.log_file.open("wb")
        self._process = subprocess.Popen(  # noqa: S603 - our own command line
            self.command(),
            cwd=self.work_dir,
            env=self.environment(),
            stdin=subprocess.DEVNULL,
            stdout=self._log_handle,
            stderr=subprocess.STDOUT,
            # Own process group: stop() signals kc.sh and the JVM it spawns together.
            start_new_session=True,
        )
        atexit.register(self.stop)
        try:
            self._wait_until_ready(began + timeout)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        return self.startup_seconds

    def stop(self, timeout: float = 30.0) -> None:
        """Terminate the process group (SIGTERM, then SIGKILL) and wait for it."""
        atexit.unregister(self.stop)
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                self._signal_group(process, signal.SIGTERM)
                try:
                    process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self._signal_group(process, signal.SIGKILL)
                    process.wait(timeout=timeout)
            # kc.sh may exit before its JVM; make sure nothing of the group survives.
            self._signal_group(process, signal.SIGKILL)
        if self._log_handle is not None:
            self._log_handle.close()
            self._log_handle = None

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        """Return the last lines of the server log."""
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> Self:
        """Start the server (see :meth:`start`)."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the server (see :meth:`stop`)."""
        self.stop()

    # --- internals -------------------------------------------------------------------

    def _prepare_directories(self) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        # A kept database is reused only while it was imported from this very realm file:
        # skipping the schema set-up and the import saves most of a start (dev runs),
        # and an edited realm export is still imported afresh.
        stamp = self.work_dir / "realm.sha256"
        digest = hashlib.sha256(self.realm_file.read_bytes()).hexdigest()
        if not self.keep_data or not stamp.is_file() or stamp.read_text().strip() != digest:
            # Without a database the realm is imported again from the file.
            shutil.rmtree(self.work_dir / "data" / "h2", ignore_errors=True)
        stamp.write_text(digest + "\n")
        # --import-realm reads every *.json in <home>/data/import; keep only ours there.
        import_dir = self.home / "data" / "import"
        import_dir.mkdir(parents=True, exist_ok=True)
        for stale in import_dir.glob("*.json"):
            stale.unlink()
        shutil.copyfile(self.realm_file, import_dir / f"{self.realm}-realm.json")

    def _ports_busy(self) -> bool:
        return _port_open("127.0.0.1", self.http_port) or _port_open(
            "127.0.0.1",
            self.management_port,
        )

    def _wait_until_ready(self, deadline: float) -> None:
        while True:
            process = self._process
            if process is None or process.poll() is not None:
                code = None if process is None else process.returncode
                msg = (
                    f"Keycloak exited with code {code} while starting. "
                    f"Log {self.log_file}:\n{self.log_tail()}"
                )
                raise KeycloakError(msg)
            if is_ready(self.ready_url, timeout=1.0):
                return
            if time.monotonic() > deadline:
                msg = f"Keycloak was not ready within the timeout. Log {self.log_file}:\n{self.log_tail()}"
                raise KeycloakError(msg)
            time.sleep(_POLL_INTERVAL)

    def _wait_for_foreign(self, timeout: float) -> bool:
        """Wait for a server someone else started (it may still be booting)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if is_ready(self.ready_url, timeout=1.0):
                return True
            if not _port_open("127.0.0.1", self.management_port):
                return False
            time.sleep(_POLL_INTERVAL)
        return False

    @staticmethod
    def _signal_group(process: subprocess.Popen[bytes], signum: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signum)
