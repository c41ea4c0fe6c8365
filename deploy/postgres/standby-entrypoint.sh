#!/bin/sh
# The standby: copied from the primary with pg_basebackup on first start (with a slot, so
# that the primary keeps the WAL it has not received), then a hot standby.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA" && chmod 700 "$PGDATA"
    gosu postgres pg_basebackup -h primary -U replicator -D "$PGDATA" \
        -X stream -R -C -S standby1 -c fast
fi
exec gosu postgres postgres -c hot_standby=on -c hot_standby_feedback=on -c max_connections=100
