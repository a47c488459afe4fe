"""Load and fault test: survey submissions through gunicorn + PostgreSQL + Redis + a Celery worker.

    .venv/bin/python bench/load_surveys.py -n 10000 -c 200
    .venv/bin/python bench/load_surveys.py -n 5000 -c 100 --broker-down-at 20 --broker-down-for 60
    .venv/bin/python bench/load_surveys.py -n 2000 -c 50 --kill-worker-every 5
    .venv/bin/python bench/load_surveys.py -n 2000 -c 100 --db-restart-at 30 --db-down-for 15

It starts its own PostgreSQL cluster (port 5443, data in /tmp/send-voice-load/pg, run as the
`postgres` user) and its own Redis for the broker and cache (port 6391), so the machine's shared
services are never stopped, then a Celery worker (with beat) and gunicorn with production
settings on 127.0.0.1:8765, then runs N complete submissions of the young people's survey from C
concurrent clients. A client that gets the 503 "not saved, try again" page does what the page
asks: waits and sends the same page again (up to 20 times). Each submission carries a unique
marker in its free-text answer. At the end it counts, in the database, how many submissions
with each acknowledged marker were stored (must be exactly one) and how many of their feedback
items were analysed, and prints throughput and latency. All traffic stays on 127.0.0.1; every
loop is bounded in count and time.
This is a benchmark script, not a test.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PORT = 8765
BROKER_PORT = 6391
PG_PORT = 5443
SURVEY = "young-people"
MARKER_FIELD = "one-thing"
# Every tenth submission says something the safeguarding screen must flag, so the fault runs
# can count alerts and alert emails per item.
SAFEGUARDING_EVERY = 10
SAFEGUARDING_TEXT = "she keeps saying she wants to end it all"


class FormParser(HTMLParser):
    """Collects the first POST form's fields and fills them with a plausible answer."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.in_form = False
        self.fields: dict[str, list[str]] = {}
        self.radio: dict[str, str] = {}
        self.checkbox: dict[str, str] = {}
        self.text: list[str] = []
        self.selects: dict[str, str] = {}
        self._select = None
        self.buttons: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post" and self.action is None:
            self.action, self.in_form = a.get("action") or "", True
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "hidden":
                self.fields[name] = [a.get("value", "")]
            elif kind == "radio":
                self.radio.setdefault(name, a.get("value", ""))
            elif kind == "checkbox":
                self.checkbox.setdefault(name, a.get("value", ""))
            elif kind == "text" and name != "website":
                self.text.append(name)
        elif tag == "textarea" and name:
            self.text.append(name)
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and a.get("value"):
            self.selects.setdefault(self._select, a["value"])
        elif tag == "button" and name:
            self.buttons.append((name, a.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        if tag == "select":
            self._select = None

    def data(self, marker: str) -> list[tuple[str, str]]:
        out = [(k, v) for k, vs in self.fields.items() for v in vs]
        out += list(self.radio.items()) + list(self.checkbox.items()) + list(self.selects.items())
        for name in self.text:
            if name.endswith(".other"):
                continue
            value = marker if MARKER_FIELD in name else ("3" if "number" in name else "ok")
            out.append((name, value))
        return out


class Client:
    """One browser: its own cookies, CSRF token from the cookie, manual redirects."""

    def __init__(self, timeout=30):
        self.cookies: dict[str, str] = {}
        self.timeout = timeout
        self.requests: list[float] = []
        self.statuses: list[int] = []

    def request(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=self.timeout)
        headers = {
            "Host": "127.0.0.1",
            "X-Forwarded-Proto": "https",
            "Origin": "https://127.0.0.1",
            "Referer": f"https://127.0.0.1{path}",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
        finally:
            conn.close()
        self.requests.append(time.perf_counter() - start)
        self.statuses.append(resp.status)
        for header, value in resp.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return resp.status, resp.getheader("Location") or "", payload.decode("utf-8", "replace")

    def follow(self, method, path, body=None, limit=5):
        status, location, html = self.request(method, path, body)
        while status in (301, 302, 303) and limit:
            path = urlsplit(location).path or "/"
            status, location, html = self.request("GET", path)
            limit -= 1
        return status, path, html


UNAVAILABLE = {"count": 0, "unclear": 0, "other_5xx": 0, "interrupted": 0}
RETRY_503 = 20


def send(client: Client, method: str, path: str, body=None, follow=False):
    """Send, and on the 503 page (or the 400 "may already have been saved" page) do what it
    asks: wait, then send the same thing again."""
    for _ in range(RETRY_503):
        if follow:
            status, where, html = client.follow(method, path, body)
        else:
            status, where, html = client.request(method, path, body)
        if status == 400 and "may already have been saved" in html:
            # The session could not be saved: the page says go back and send again.
            UNAVAILABLE["interrupted"] += 1
            time.sleep(1)
            continue
        if status != 503:
            if status >= 500:
                UNAVAILABLE["other_5xx"] += 1
            return status, where, html
        UNAVAILABLE["count"] += 1
        if "has not been saved" not in html:
            UNAVAILABLE["unclear"] += 1
        time.sleep(2)
    return status, where, html


def submit_once(marker: str) -> tuple[bool, str]:
    """Complete the survey once. Returns (acknowledged, note)."""
    client = Client()
    status, path, html = send(client, "GET", f"/surveys/{SURVEY}/", follow=True)
    if status != 200:
        return False, f"start {status}"
    for _ in range(12):  # pages, then check-your-answers
        form = FormParser()
        form.feed(html)
        if form.action is None:
            return False, f"no form at {path}"
        data = form.data(marker)
        if path.endswith("/check/"):
            status, location, html = send(client, "POST", path, urlencode(data))
            if status == 302 and location.rstrip("/").endswith("/done"):
                return True, "ok"
            return False, f"check {status}"
        status, path, html = send(client, "POST", form.action or path, urlencode(data), follow=True)
        if status >= 500:
            return False, f"server {status}"
    return False, "too many pages"


PG_URL = f"postgres://postgres@127.0.0.1:{PG_PORT}"


def psql(db: str, sql: str) -> str:
    return subprocess.run(
        ["psql", f"{PG_URL}/{db}", "-Atc", sql],
        capture_output=True,
        text=True,  # noqa: S603,S607
        check=True,
    ).stdout.strip()


class PrivatePostgres:
    """A throwaway PostgreSQL cluster this script may stop and start at will."""

    def __init__(self, root: Path):
        self.data = root / "pg"
        self.log = root / "pg.log"
        self.bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]

    def _as_postgres(self, *cmd):
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *cmd],
            check=True,  # noqa: S603,S607
            stdout=subprocess.DEVNULL,
        )

    def init(self):
        subprocess.run(["rm", "-rf", str(self.data)], check=True)  # noqa: S603,S607
        self.data.mkdir(parents=True)
        subprocess.run(["chown", "postgres", str(self.data)], check=True)  # noqa: S603,S607
        subprocess.run(["chmod", "777", str(self.data.parent)], check=True)  # noqa: S603,S607
        self._as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self.start()

    def start(self):
        self._as_postgres(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-o",
            f"-p {PG_PORT} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=on",
            "start",
        )

    def stop(self, mode="fast"):
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")


def start(cmd, env, log):
    # Each in its own process group, so killing "the worker" kills its pool processes and its
    # embedded beat too, as losing the machine or container would (killing only the parent left
    # orphaned beats sending the schedule).
    return subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,  # noqa: S603,SIM115
        start_new_session=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="submissions")
    parser.add_argument("-c", type=int, default=50, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--broker-down-at", type=float, default=None)
    parser.add_argument("--broker-down-for", type=float, default=60)
    parser.add_argument("--kill-worker-every", type=float, default=None)
    parser.add_argument("--db-restart-at", type=float, default=None, help="seconds into the run")
    parser.add_argument("--db-down-for", type=float, default=10)
    parser.add_argument("--max-seconds", type=float, default=1800)
    parser.add_argument("--analysis-wait", type=float, default=180)
    args = parser.parse_args()

    db = "sv_load"
    logs = Path("/tmp/send-voice-load")  # noqa: S108
    logs.mkdir(exist_ok=True)
    mail_dir = logs / "mail"
    subprocess.run(["rm", "-rf", str(mail_dir)], check=True)  # noqa: S603,S607
    mail_dir.mkdir()
    pg = PrivatePostgres(logs)
    pg.init()
    subprocess.run(["psql", f"{PG_URL}/postgres", "-qc", f"CREATE DATABASE {db}"], check=True)  # noqa: S603,S607
    broker = start(
        ["redis-server", "--port", str(BROKER_PORT), "--save", "", "--appendonly", "no"],
        dict(os.environ),
        logs / "redis.log",
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "load-test-" + uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "127.0.0.1",
        # Production refuses to start without a public https base; nothing here emails a link out.
        "SITE_BASE_URL": "https://send.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"{PG_URL}/{db}",
        "DATABASE_CONN_MAX_AGE": "60",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{BROKER_PORT}/0",
        "CACHE_URL": f"redis://127.0.0.1:{BROKER_PORT}/1",
        # Alert emails land as files, so the run can count them per alert.
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SURVEYS_RATE_LIMIT_COUNT": "100000000",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_WORKERS": str(args.workers),
        "GUNICORN_THREADS": "4",
        "GUNICORN_ACCESS_LOG": "/dev/null",
    }
    procs = {}
    try:
        for step in (
            ["migrate", "--noinput", "-v0"],
            ["load_plan"],
            ["load_demo", "--allow-production"],
            ["collectstatic", "--noinput", "-v0"],
        ):
            subprocess.run(
                [PY, "manage.py", *step],
                cwd=ROOT,
                env=env,
                check=True,  # noqa: S603
                stdout=subprocess.DEVNULL,
            )
        before = int(psql(db, "SELECT count(*) FROM surveys_response WHERE status='submitted'"))
        # -B runs beat inside the worker, so the periodic sweep re-queues anything the broker lost.
        worker_cmd = [
            PY,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-B",
            "-l",
            "warning",
            "-c",
            "2",
            "--schedule",
            str(logs / "beat-schedule"),
        ]
        procs["worker"] = start(worker_cmd, env, logs / "worker.log")
        procs["web"] = start(
            [PY, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"], env, logs / "web.log"
        )
        for _ in range(100):
            try:
                if Client(timeout=2).request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)

        run_id = uuid.uuid4().hex[:8]
        acked: list[str] = []
        failures: dict[str, int] = {}
        latencies: list[float] = []
        lock = threading.Lock()
        counter = iter(range(args.n))
        deadline = time.monotonic() + args.max_seconds
        started = time.perf_counter()
        events: list[str] = []

        def client_loop():
            while time.monotonic() < deadline:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                marker = f"load-{run_id}-{n}"
                text = f"{marker} {SAFEGUARDING_TEXT}" if n % SAFEGUARDING_EVERY == 0 else marker
                t0 = time.perf_counter()
                try:
                    ok, note = submit_once(text)
                except OSError as exc:
                    ok, note = False, f"connection {exc.__class__.__name__}"
                with lock:
                    if ok:
                        acked.append(marker)
                        latencies.append(time.perf_counter() - t0)
                    else:
                        failures[note] = failures.get(note, 0) + 1

        recovery: dict[str, float] = {}
        watchers: list[threading.Thread] = []

        def watch_backlog(back_at: str):
            """Seconds from the broker's return until everything submitted before it is fed to
            feedback and analysed (the aim is under 2 minutes)."""
            sql = (
                "SELECT (SELECT count(*) FROM surveys_answer a JOIN surveys_response r ON "
                "a.response_id = r.id WHERE a.fed_to_feedback_at IS NULL AND a.text <> '' AND "
                f"r.status = 'submitted' AND r.submitted_at <= '{back_at}') + (SELECT count(*) "
                "FROM feedback_feedbackitem WHERE channel = 'survey' AND analysis_state <> 'done' "
                f"AND received_at <= '{back_at}')"
            )
            start_watch = time.monotonic()
            recovery["backlog_at_return"] = int(psql(db, sql))
            samples = recovery.setdefault("samples", [])
            while time.monotonic() - start_watch < 900:
                waiting = int(psql(db, sql))
                since = time.monotonic() - start_watch
                # Every 10 s, how much of the backlog is left: shows where the time goes.
                if not samples or since - samples[-1][0] >= 10:
                    samples.append((since, waiting))
                if waiting == 0:
                    recovery["seconds"] = since
                    return
                time.sleep(2)

        def chaos():
            t0 = time.monotonic()
            nonlocal_broker = [broker]
            while any(t.is_alive() for t in threads):
                elapsed = time.monotonic() - t0
                if args.broker_down_at is not None and elapsed >= args.broker_down_at and nonlocal_broker[0]:
                    nonlocal_broker[0].terminate()
                    nonlocal_broker[0].wait()
                    events.append(f"{elapsed:.0f}s broker stopped")
                    time.sleep(args.broker_down_for)
                    nonlocal_broker[0] = None
                    procs["broker2"] = start(
                        ["redis-server", "--port", str(BROKER_PORT), "--save", "", "--appendonly", "no"],
                        dict(os.environ),
                        logs / "redis2.log",
                    )
                    events.append(f"{time.monotonic() - t0:.0f}s broker back (empty)")
                    args.broker_down_at = None
                    watcher = threading.Thread(target=watch_backlog, args=(psql(db, "SELECT now()"),))
                    watcher.start()
                    watchers.append(watcher)
                if args.db_restart_at is not None and elapsed >= args.db_restart_at:
                    args.db_restart_at = None
                    pg.stop()
                    events.append(f"{elapsed:.0f}s database stopped")
                    time.sleep(args.db_down_for)
                    pg.start()
                    events.append(f"{time.monotonic() - t0:.0f}s database back")
                if args.kill_worker_every and elapsed >= args.kill_worker_every * (
                    1 + sum(e.endswith("worker killed") for e in events)
                ):
                    os.killpg(procs["worker"].pid, signal.SIGKILL)
                    procs["worker"].wait()
                    events.append(f"{elapsed:.0f}s worker killed")
                    procs["worker"] = start(worker_cmd, env, logs / "worker.log")
                time.sleep(0.5)

        threads = [threading.Thread(target=client_loop) for _ in range(args.c)]
        for t in threads:
            t.start()
        chaos_thread = threading.Thread(target=chaos)
        chaos_thread.start()
        for t in threads:
            t.join()
        chaos_thread.join()
        for watcher in watchers:
            watcher.join()
        elapsed = time.perf_counter() - started

        stored = psql(
            db,
            f"SELECT split_part(answers->>'{MARKER_FIELD}', ' ', 1), count(*) "
            "FROM surveys_response "
            f"WHERE status='submitted' AND answers->>'{MARKER_FIELD}' LIKE 'load-{run_id}-%' "
            "GROUP BY 1",
        )
        counts = dict(line.split("|") for line in stored.splitlines() if line)
        lost = [m for m in acked if m not in counts]
        duplicated = [m for m, c in counts.items() if int(c) > 1]
        total_after = int(psql(db, "SELECT count(*) FROM surveys_response WHERE status='submitted'"))

        # Analysis: every free-text answer becomes a feedback item that the worker analyses.
        t_wait = time.monotonic()
        pending = None
        while time.monotonic() - t_wait < args.analysis_wait:
            pending = int(
                psql(
                    db,
                    "SELECT count(*) FROM feedback_feedbackitem WHERE channel='survey' "
                    "AND analysis_state <> 'done'",
                )
            )
            fed = int(
                psql(
                    db,
                    "SELECT count(*) FROM surveys_answer a JOIN surveys_response r ON "
                    "a.response_id = r.id WHERE a.fed_to_feedback_at IS NULL AND "
                    "r.status='submitted' AND a.kind IN ('short_text','long_text')",
                )
            )
            if pending == 0 and fed == 0:
                break
            time.sleep(5)
        analysed_after = time.monotonic() - t_wait
        duplicate_items = int(
            psql(
                db,
                "SELECT count(*) FROM (SELECT source_ref FROM feedback_feedbackitem "
                "WHERE source_ref <> '' GROUP BY 1 HAVING count(*) > 1) d",
            )
        )
        flagged_run = int(
            psql(
                db,
                "SELECT count(*) FROM feedback_feedbackitem i JOIN "
                "feedback_feedbackoriginal o ON o.item_id = i.id "
                f"WHERE o.text LIKE 'load-{run_id}-%' AND i.safeguarding",
            )
        )
        expected_flags = sum(1 for m in acked if int(m.rsplit("-", 1)[1]) % SAFEGUARDING_EVERY == 0)
        alerts = dict(
            line.split("|")
            for line in psql(db, "SELECT id, item_id FROM feedback_safeguardingalert").splitlines()
            if line
        )
        duplicate_tags = int(
            psql(
                db,
                "SELECT count(*) FROM (SELECT 1 FROM feedback_objectivetag "
                "GROUP BY item_id, objective_id HAVING count(*) > 1) d",
            )
        )
        duplicate_themes = int(
            psql(
                db,
                "SELECT count(*) FROM (SELECT 1 FROM feedback_itemtheme "
                "GROUP BY item_id, theme_id HAVING count(*) > 1) d",
            )
        )
        unnotified = int(
            psql(db, "SELECT count(*) FROM feedback_safeguardingalert WHERE notified_at IS NULL")
        )
        attempts = psql(
            db,
            "SELECT analysis_attempts, count(*) FROM feedback_feedbackitem "
            "WHERE channel='survey' GROUP BY 1 ORDER BY 1",
        ).replace("\n", ", ")
        emails_per_alert: dict[str, int] = {}
        for message in mail_dir.glob("*.log"):
            for line in message.read_text(errors="replace").splitlines():
                if line.startswith("Subject: Safeguarding alert: feedback #"):
                    item_id = line.split("#", 1)[1].split()[0]
                    emails_per_alert[item_id] = emails_per_alert.get(item_id, 0) + 1
        alert_items = set(alerts.values())

        lat = sorted(latencies)
        print(f"submissions requested {args.n}, clients {args.c}, gunicorn workers {args.workers}")
        print(
            f"acknowledged {len(acked)}, stored for those {len(acked) - len(lost)}, lost {len(lost)}, "
            f"duplicated {len(duplicated)}, new submitted rows {total_after - before}"
        )
        print(f"not acknowledged {sum(failures.values())}: {failures}")
        print(
            f"server errors (5xx other than the 503 'try again' page) {UNAVAILABLE['other_5xx']}; "
            f"503 pages answered {UNAVAILABLE['count']} (without the 'not saved' message: "
            f"{UNAVAILABLE['unclear']}); 'may already have been saved' pages answered "
            f"{UNAVAILABLE['interrupted']}"
        )
        print(f"elapsed {elapsed:.1f}s, throughput {len(acked) / elapsed:.1f} submissions/s")
        if lat:
            print(
                f"submission latency p50 {statistics.median(lat):.2f}s, "
                f"p95 {lat[int(0.95 * (len(lat) - 1))]:.2f}s, max {lat[-1]:.2f}s"
            )
        print(
            f"feedback items still waiting for analysis: {pending} "
            f"(checked for {analysed_after:.0f}s after the load ended); duplicate items {duplicate_items}"
        )
        print(
            f"safeguarding: {flagged_run} of this run's items flagged (expected {expected_flags}); "
            f"alerts {len(alerts)} for {len(alert_items)} items; alerts never emailed {unnotified}; "
            f"alert emails: {sum(emails_per_alert.values())} for {len(emails_per_alert)} alerts, "
            f"alerts with more than one email {sum(1 for c in emails_per_alert.values() if c > 1)}, "
            f"alerts with none {len(alert_items - set(emails_per_alert))}"
        )
        print(
            f"duplicate objective tags {duplicate_tags}, duplicate themes {duplicate_themes}; "
            f"analysis attempts per item (attempts|items): {attempts}"
        )
        if recovery:
            print(
                f"after the broker came back: {recovery['backlog_at_return']} answers/items from "
                "before it were waiting; all fed and analysed "
                + (f"{recovery['seconds']:.0f}s later" if "seconds" in recovery else "NOT within 900s")
            )
            print(
                "  still waiting (seconds after return: items):",
                ", ".join(f"{t:.0f}s: {n}" for t, n in recovery["samples"]),
            )
        print("events:", events or "none")
    finally:
        for p in procs.values():
            if p and p.poll() is None:
                p.terminate()
        for p in procs.values():
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
            try:  # anything its children left behind
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if broker.poll() is None:
            broker.terminate()
        pg.stop()


if __name__ == "__main__":
    main()
