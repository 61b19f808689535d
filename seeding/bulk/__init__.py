"""The bulk loader behind `manage.py seed_cases`: cases with their customers, complaints, events and
history, generated in Python and written a batch at a time.

Why it bypasses the services. `complaint_log` and `case_transition` do per-row work (a form, a
counter UPDATE, one INSERT per row, a history row through a signal, an event, FSM checks) that
costs milliseconds per case — hours for a million. This is a bulk loader: it generates the rows in
Python and writes them per batch with PostgreSQL's COPY (psycopg 3), or `bulk_create` on other
databases (SQLite in the tests), committing each batch so memory stays flat. What the services
define once it still takes from them: the new case from `case_build`, each event's payload from
its kind's builder.

- mix.py: how cases spread over time, states, channels and tiers, and how long each step takes;
- texts.py: names, phones and complaint texts in both languages;
- owners.py: the seeded agents and supervisor;
- generator.py: the rows of one batch, pure Python;
- payloads.py: the events' payloads, through cases.events;
- writer.py: ids, case numbers, the tables and their columns, COPY or bulk_create.
"""
