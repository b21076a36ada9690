# tokenization: a throwaway PostgreSQL 15 cluster for the PostgreSQL store tests
# (tokenization/tests/postgres_servers.rs, feature `postgres`). Sourced by .ci/run.
PG_BIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PG_BIN/initdb" ]; then apt_install postgresql-15; fi
TOK_PG_DIR=$CI_TMP/tok-pg
mkdir -p "$TOK_PG_DIR"
chown postgres "$TOK_PG_DIR"
runuser -u postgres -- "$PG_BIN/initdb" -D "$TOK_PG_DIR/data" -A trust >/dev/null
TOK_PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$TOK_PG_DIR/data" -w \
    -o "-p $TOK_PG_PORT -k $TOK_PG_DIR -c listen_addresses=127.0.0.1" -l "$TOK_PG_DIR/log" start >/dev/null
on_exit "runuser -u postgres -- $PG_BIN/pg_ctl -D $TOK_PG_DIR/data -m fast stop >/dev/null"
export MPAY_PG_URL="postgresql://postgres@127.0.0.1:$TOK_PG_PORT/postgres"
extra_test "cargo test -p mpay-tokenization --features postgres,legacy-ff3-1"
