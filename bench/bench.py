"""duckalog benchmarks, each against a baseline measured in the same run.

1. Catalogs of N views over local Parquet: a cold build (`duckalog run` on a
   new database) against DuckDB's shell executing the same `generate-sql`
   script, and a no-op `duckalog run` against DuckDB's shell opening the same
   database and reading its catalog.
2. A no-op `duckalog run` with 1, 4, 16 and 64 PostgreSQL attachments on the
   local server against DuckDB's shell doing the same work one statement at a
   time: list the catalog's views, load the extension, attach each.
3. The same restores behind a proxy that adds 100 ms to every new
   connection: in parallel (the default) against one at a time (--jobs 1).

Where the Python duckalog tool (0.6.3, on DuckDB 1.5.5) can do the same
work from the same config, its figure is shown too, against the same
baseline.

Every figure is the median of several runs; peak memory is the largest
resident set of one run.
"""
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

DUCKALOG = os.environ["DUCKALOG_BIN"]
DUCKDB = os.environ["DUCKDB_BIN"]
PYTHON_TOOL = os.environ["PYTHON_DUCKALOG_BIN"]
QUICK = "--quick" in sys.argv
# The Python tool creates views one statement at a time, outside a
# transaction: 100,000 views would take longer than the rest together.
PYTHON_TOOL_MAX_VIEWS = 10000


def measure(cmd, cwd, stdin=None):
    """Wall time (s) and peak RSS (MiB) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.PIPE if stdin else None,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if stdin:
        proc.stdin.write(stdin.encode())
        proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read().decode()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0,):
        raise SystemExit(f"{cmd} failed ({proc.returncode}): {err}")
    return elapsed, usage.ru_maxrss / 1024


def repeat(n, setup, cmd, cwd, stdin=None):
    times, peaks = [], []
    for _ in range(n):
        setup()
        t, m = measure(cmd, cwd, stdin)
        times.append(t)
        peaks.append(m)
    return statistics.median(times), max(peaks)


def views_bench(rows):
    sizes = [10, 100, 1000] if QUICK else [10, 100, 1000, 10000, 100000]
    with tempfile.TemporaryDirectory(dir=os.environ["BENCH_TMP"]) as d:
        subprocess.run([DUCKDB, "-c", f"COPY (SELECT range AS id, range * 2 AS v FROM range(1000)) TO '{d}/data.parquet'"], check=True)
        for n in sizes:
            reps = 1 if n >= 100000 else 3 if n >= 10000 or QUICK else 7
            with open(f"{d}/c{n}.toml", "w") as f:
                f.write(f'[duckdb]\ndatabase = "c{n}.duckdb"\n')
                for i in range(n):
                    f.write(f'[[views]]\nname = "v{i}"\nsource = "parquet"\nuri = "data.parquet"\n')
            # The same catalog in the Python tool's format, with its own database.
            with open(f"{d}/py{n}.yaml", "w") as f:
                f.write(f"version: 1\nduckdb:\n  database: {d}/py{n}.duckdb\nviews:\n")
                for i in range(n):
                    f.write(f"  - name: v{i}\n    source: parquet\n    uri: data.parquet\n")
            script = subprocess.run([DUCKALOG, "generate-sql", f"c{n}.toml"], cwd=d, check=True, capture_output=True, text=True).stdout
            script = "BEGIN TRANSACTION;\n" + script + "COMMIT;\n"

            def fresh(name):
                def go():
                    for suffix in ("", ".wal"):
                        if os.path.exists(f"{d}/{name}{suffix}"):
                            os.remove(f"{d}/{name}{suffix}")
                return go

            python_tool = n <= PYTHON_TOOL_MAX_VIEWS
            cold = repeat(reps, fresh(f"c{n}.duckdb"), [DUCKALOG, "run", f"c{n}.toml"], d)
            floor_cold = repeat(reps, fresh("floor.duckdb"), [DUCKDB, "floor.duckdb"], d, stdin=script)
            py_cold = python_tool and repeat(reps, fresh(f"py{n}.duckdb"), [PYTHON_TOOL, "run", f"py{n}.yaml"], d)
            rows.append((f"cold build, {n} views", cold, floor_cold, "duckdb shell runs the same script", py_cold))
            noop = repeat(reps, lambda: None, [DUCKALOG, "run", f"c{n}.toml"], d)
            floor_noop = repeat(reps, lambda: None, [DUCKDB, "-readonly", f"c{n}.duckdb", "-c",
                                                    "SELECT count(*) FROM duckdb_views() WHERE NOT internal"], d)
            py_noop = python_tool and repeat(reps, lambda: None, [PYTHON_TOOL, "run", f"py{n}.yaml"], d)
            rows.append((f"no-op run, {n} views", noop, floor_noop, "duckdb shell opens the file, reads its catalog", py_noop))
            plan = repeat(reps, lambda: None, [DUCKALOG, "plan", f"c{n}.toml"], d)
            rows.append((f"plan, {n} views", plan, floor_noop, "duckdb shell opens the file, reads its catalog", None))


def delaying_proxy(upstream, delay):
    """A TCP proxy on 127.0.0.1 that holds each new connection for `delay` s."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)

    def pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            try:
                b.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def serve(client):
        time.sleep(delay)
        server = socket.create_connection(("127.0.0.1", upstream))
        threading.Thread(target=pipe, args=(client, server), daemon=True).start()
        pipe(server, client)

    def accept():
        while True:
            client, _ = listener.accept()
            threading.Thread(target=serve, args=(client,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1]


def pg_config(path, ports, user, password):
    with open(path, "w") as f:
        f.write(f'[duckdb]\ndatabase = "{os.path.splitext(os.path.basename(path))[0]}.duckdb"\n')
        for i, port in enumerate(ports):
            f.write(f'[[attachments.postgres]]\nalias = "pg{i}"\nhost = "127.0.0.1"\nport = {port}\n'
                    f'database = "postgres"\nuser = "{user}"\npassword = "{password}"\n')
        f.write('[[views]]\nname = "v"\nsql = "SELECT 1 AS x"\n')


def remote_bench(rows):
    port = int(os.environ["DUCKALOG_TEST_PG_PORT"])
    user, password = os.environ["DUCKALOG_TEST_PG_USER"], os.environ["DUCKALOG_TEST_PG_PASSWORD"]
    ext = os.environ["DUCKALOG_EXTENSION_DIR"].replace("'", "''")
    reps = 3 if QUICK else 5
    with tempfile.TemporaryDirectory() as d:
        for n in [1, 4, 16, 64]:
            pg_config(f"{d}/pg{n}.toml", [port] * n, user, password)
            subprocess.run([DUCKALOG, "run", f"pg{n}.toml"], cwd=d, check=True, capture_output=True)
            shutil.copy(f"{d}/pg{n}.duckdb", f"{d}/shell{n}.duckdb")
            dsn = f"host=127.0.0.1 port={port} dbname=postgres user={user} password={password}"
            script = (f"SET extension_directory = '{ext}';\nSET autoinstall_known_extensions = false;\n"
                      "SELECT count(*) FROM duckdb_views() WHERE NOT internal;\nLOAD postgres_scanner;\n"
                      + "".join(f"ATTACH '{dsn}' AS pg{i} (TYPE postgres, READ_ONLY);\n" for i in range(n)))
            noop = repeat(reps, lambda: None, [DUCKALOG, "run", f"pg{n}.toml"], d)
            shell = repeat(reps, lambda: None, [DUCKDB, f"shell{n}.duckdb"], d, stdin=script)
            rows.append((f"no-op run, {n} PostgreSQL attachment(s)", noop, shell,
                         "duckdb shell lists the views, loads postgres_scanner, attaches each", None))
        for n in [1, 4, 16, 64]:
            pg_config(f"{d}/lat{n}.toml", [delaying_proxy(port, 0.1) for _ in range(n)], user, password)
            seq = repeat(reps, lambda: None, [DUCKALOG, "run", f"lat{n}.toml", "--jobs", "1"], d)
            par = repeat(reps, lambda: None, [DUCKALOG, "run", f"lat{n}.toml"], d)
            rows.append((f"restore {n} PostgreSQL attachment(s), 100 ms latency", par, seq,
                         "the same restore, one at a time (--jobs 1)", None))


def main():
    rows = []
    views_bench(rows)
    remote_bench(rows)
    print(f"duckalog: {subprocess.run([DUCKALOG, '--version'], capture_output=True, text=True).stdout.strip()}; "
          f"baseline: DuckDB shell {subprocess.run([DUCKDB, '--version'], capture_output=True, text=True).stdout.strip()}; "
          f"{os.cpu_count()} cores")
    print()
    print("| case | duckalog (median) | baseline (median) | ratio | duckalog peak | baseline peak "
          "| Python duckalog 0.6.3 (median) | its ratio | its peak | baseline |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, (t, m), (bt, bm), what, py in rows:
        theirs = f"{py[0] * 1000:.0f} ms | {py[0] / bt:.2f} | {py[1]:.0f} MiB" if py else "— | — | —"
        print(f"| {name} | {t * 1000:.0f} ms | {bt * 1000:.0f} ms | {t / bt:.2f} | {m:.0f} MiB | {bm:.0f} MiB "
              f"| {theirs} | {what} |")


main()
