"""`make run` on the embedded default (SQLite, no REDIS_URL) still fires reminders: Celery beat, as
the Makefile starts it, runs the sweep inline (issue 8). Run as a user would: separate processes on a
database file of their own."""

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

MAKE_A_PROMISE = """
from datetime import timedelta
from django.contrib.auth.models import Group
from django.utils import timezone
from accounts.models import Profile
from cases.services import promise_make
from complaints.services import complaint_log
from django.contrib.auth import get_user_model
agent = get_user_model().objects.create_user("agent_beat", password="x")
agent.groups.add(Group.objects.get(name="agent"))
Profile.objects.create(user=agent, reminder_minutes=15)
complaint, _ = complaint_log(actor=agent, data={
    "customer_name": "王小明", "customer_phone": "13800138000", "channel": "phone",
    "summary": "话费多扣", "what_happened": "多扣两百元"})
promise_make(case=complaint.case, actor=agent, data={
    "kind": "progress_update", "description": "告知进展",
    "due_at": (timezone.now() + timedelta(minutes=10)).isoformat(), "customer_chose_time": True})
"""


def _reminders(db):
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM notifications_notification WHERE event = 'promise_due'").fetchone()[0]


def test_beat_on_the_embedded_default_sends_the_reminder(tmp_path):
    db = tmp_path / "embedded.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DATABASE_URL=f"sqlite:///{db}", DJANGO_SETTINGS_MODULE="config.settings.dev", DEBUG="1",
               PROMISE_SWEEP_SECONDS="1")  # fmt: skip
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True}
    subprocess.run([BIN / "python", "manage.py", "migrate", "--no-input", "-v", "0"], **run)  # noqa: S603
    subprocess.run([BIN / "python", "manage.py", "shell", "-c", MAKE_A_PROMISE], **run)  # noqa: S603
    assert _reminders(db) == 0
    beat = subprocess.Popen(  # noqa: S603 - our own commands
        [BIN / "celery", "-A", "config", "beat", "--loglevel=info", f"--schedule={tmp_path / 'schedule'}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    # Beat logs each sweep before running it inline: the second one logged means the first has run.
    # No sleeping: read its log; a watchdog ends a beat that never gets there (EOF ends the loop).
    watchdog = threading.Timer(60, beat.kill)
    watchdog.start()
    output, sweeps = [], 0
    try:
        for line in beat.stdout:
            output.append(line)
            sweeps += "Sending due task promises-sweep" in line
            if sweeps == 2:
                break
    finally:
        watchdog.cancel()
        beat.terminate()
        output.append(beat.communicate(timeout=30)[0])
    assert _reminders(db) == 1, "".join(output)
