"""The documented backup and restore (docs/operations.md) really brings every row back.

Runs on PostgreSQL only (it uses pg_dump / pg_restore, as production does).
"""

import os
import shutil
import subprocess
import uuid

import pytest
from django.db import connection

from portal.demo import demo_users_ensure
from portal.plan_loader import plan_file_load

pytestmark = pytest.mark.django_db(transaction=True)


def _pg_env(settings_dict):
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": settings_dict.get("HOST") or "127.0.0.1",
            "PGPORT": str(settings_dict.get("PORT") or 5432),
            "PGUSER": settings_dict.get("USER") or "postgres",
        }
    )
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


def _row_counts(cursor) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    tables = [r[0] for r in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from pg_tables
        counts[table] = cursor.fetchone()[0]
    return counts


def test_pg_dump_and_restore_bring_back_every_row(tmp_path):
    if connection.vendor != "postgresql" or not shutil.which("pg_dump"):
        if os.environ.get("CI"):
            pytest.fail("CI must run the backup/restore test on PostgreSQL")
        pytest.skip("needs PostgreSQL and pg_dump")
    plan_file_load()
    demo_users_ensure()
    with connection.cursor() as cursor:
        before = _row_counts(cursor)
    assert before["portal_objective"] >= 33 and before["portal_user"] >= 7

    env = _pg_env(connection.settings_dict)
    dump = tmp_path / "backup.dump"
    source = connection.settings_dict["NAME"]
    target = f"restore_{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), source],  # noqa: S603,S607
        env=env,
        check=True,
        timeout=120,
    )
    subprocess.run(["createdb", target], env=env, check=True, timeout=60)  # noqa: S603,S607
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", target, str(dump)],  # noqa: S603,S607
            env=env,
            check=True,
            timeout=300,
        )
        import psycopg

        params = {
            "host": env["PGHOST"],
            "port": env["PGPORT"],
            "user": env["PGUSER"],
            "dbname": target,
            "password": env.get("PGPASSWORD"),
        }
        with psycopg.connect(**params) as restored, restored.cursor() as cursor:
            after = _row_counts(cursor)
            cursor.execute("SELECT code FROM portal_objective WHERE code = 'PAP2B:2'")
            assert cursor.fetchone() == ("PAP2B:2",)
    finally:
        subprocess.run(["dropdb", "--if-exists", target], env=env, check=False, timeout=60)  # noqa: S603,S607
    assert after == before
