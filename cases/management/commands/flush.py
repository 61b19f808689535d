"""Django's `flush`, able to wipe the append-only case timeline on SQLite too.

On PostgreSQL flush TRUNCATEs, which row triggers do not see; on SQLite it DELETEs table by table in
no fixed order, so the append-only trigger would refuse to delete an event whose case is not gone
yet. The triggers are suspended for the wipe and put back in the same transaction."""

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections, transaction

from cases.db_protections import sqlite_triggers_install, sqlite_triggers_remove


class Command(DjangoFlush):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                sqlite_triggers_remove(cursor)
            try:
                return super().handle(**options)
            finally:
                with connection.cursor() as cursor:
                    sqlite_triggers_install(cursor)
