# shellcheck shell=bash
# Shared helpers for scripts/db-up, db-down, db-ctl and test: throwaway
# PostgreSQL and MariaDB servers on 127.0.0.1 with all data in one state dir.
# Source this file (after `set -euo pipefail`); it only defines things.
#
# State dir layout (default /tmp/corm-db):
#   .corm-db             marker: "this dir is ours" (db-down only deletes such dirs)
#   .lock                flock so concurrent db-up/db-ctl/db-down don't interleave
#   env.sh               the export lines printed by db-up
#   pg.conf.sh           port/user/bindir db-up chose, reused by db-ctl
#   mysql.conf.sh        same for MariaDB
#   pg/                  owned by the PostgreSQL OS user
#     data/  postgres.log  .s.PGSQL.<port> (unix socket)  initialized (marker)
#   mysql/               owned by the MariaDB OS user
#     data/  mysql.sock  mysql.pid  mysql.err  install.log  initialized (marker)

# shellcheck disable=SC2034  # used by the scripts that source this
CORM_SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROG=${PROG:-$(basename "$0")}

STATE=$(realpath -m -- "${CORM_DB_DIR:-/tmp/corm-db}")
TIMEOUT=${CORM_DB_TIMEOUT:-60}   # seconds to wait for a server to come up

PG_DIR=$STATE/pg
PG_DATA=$PG_DIR/data
PG_LOG=$PG_DIR/postgres.log
MY_DIR=$STATE/mysql
MY_DATA=$MY_DIR/data
MY_SOCK=$MY_DIR/mysql.sock
MY_PID=$MY_DIR/mysql.pid
MY_ERR=$MY_DIR/mysql.err

# Client/server env that would redirect our own psql/mariadb calls elsewhere
# (tests may run with these set, and we may be called from a test process).
unset PGHOST PGHOSTADDR PGPORT PGUSER PGPASSWORD PGDATABASE PGDATA PGSERVICE \
      PGSERVICEFILE PGOPTIONS PGPASSFILE PGSSLMODE PGCONNECT_TIMEOUT \
      MYSQL_HOST MYSQL_TCP_PORT MYSQL_UNIX_PORT MYSQL_PWD MYSQL_HOME LD_PRELOAD
# initdb fails on a LANG that isn't generated (common in containers).
export LC_ALL=C.UTF-8 LANG=C.UTF-8

log()  { printf '%s: %s\n' "$PROG" "$*" >&2; }
die()  { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }

is_root() { [[ $EUID -eq 0 ]]; }

# Normalise an engine name given on the command line.
engine_name() {
    case "${1:-}" in
        postgres|postgresql|pg) echo postgres ;;
        mysql|mariadb|my)       echo mysql ;;
        *) die "unknown engine '${1:-}' (expected: postgres or mysql)" ;;
    esac
}

# ---------------------------------------------------------------- utilities

# Run a command as USER (servers must not run as root). cwd=/ so a cwd the
# user can't read (e.g. /root) doesn't produce warnings or failures.
as_user() {   # USER: sets AS_USER to the command prefix that runs as USER
    AS_USER=()
    if is_root && [[ $1 != root ]]; then AS_USER=(runuser -u "$1" --); fi
}
run_as() {
    local user=$1; shift
    as_user "$user"
    (cd / && "${AS_USER[@]}" "$@")
}

# Close every fd above 2 in the current (sub)shell: daemons we start must not
# inherit our lock fd or a test harness's pipes (meson would wait for EOF).
close_fds() {
    local fd
    for fd in "/proc/$BASHPID/fd/"*; do
        fd=${fd##*/}
        if [[ $fd =~ ^[0-9]+$ ]] && (( fd > 2 && fd < 255 )); then
            eval "exec $fd>&-" 2>/dev/null || true
        fi
    done
}

# Is something accepting TCP connections on 127.0.0.1:PORT?
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The port a server of ours listens on: $1 when the user set it; else the
# port an earlier db-up saved in $3 (while our server runs there or it is
# free); else the first free port from $2 on. Below 32768, outside Linux's
# ephemeral range (32768-60999), so an outgoing connection cannot take it
# between our check and the server's bind.
choose_port() {   # USER_SET DEFAULT SAVED_CONF VAR OUR_PID
    local user=$1 p=$2 saved=$3 var=$4 ours=$5 old=
    if [[ -n $user ]]; then echo "$user"; return; fi
    [[ -f $saved ]] && old=$(. "$saved"; eval "echo \${$var:-}")
    if [[ $old =~ ^[0-9]+$ ]] && (( old < 32768 )) && { [[ -n $ours ]] || ! port_open "$old"; }; then
        echo "$old"; return
    fi
    while port_open "$p"; do
        p=$((p + 1))
        (( p < 32768 )) || die "no free TCP port on 127.0.0.1 between $2 and 32767; set the port explicitly"
    done
    echo "$p"
}

# Is process PID's cwd the directory DIR? Same path string AND same inode:
# the string alone can match a process in another chroot/mount namespace.
in_dir() {   # PID DIR
    [[ $(readlink "/proc/$1/cwd" 2>/dev/null) == "$2" && /proc/$1/cwd -ef $2 ]]
}

# PIDs of server processes (named postgres, mariadbd or mysqld) whose cwd
# is DIR. Both servers (and all postgres children) chdir into their data dir,
# so this finds a cluster's processes even when pid files are stale or
# missing or the postmaster was kill -9'd, without touching anything else.
server_pids() {
    local dir=$1 p comm
    for p in /proc/[0-9]*; do
        # comm via the read builtin first: cheap, no fork per process
        read -r comm 2>/dev/null <"$p/comm" || continue
        case $comm in postgres|mariadbd|mysqld) ;; *) continue ;; esac
        in_dir "${p#/proc/}" "$dir" && echo "${p#/proc/}"
    done
    return 0
}

# Wait until no server process runs in DIR; returns 1 after SECS seconds.
wait_procs_gone() {
    local dir=$1 secs=$2 i
    for (( i = 0; i < secs * 10; i++ )); do
        [[ -z $(server_pids "$dir") ]] && return 0
        sleep 0.1
    done
    return 1
}

# SIGKILL every server process in DIR and wait until they are all gone.
kill_dir_procs() {
    local dir=$1 pids
    pids=$(server_pids "$dir")
    [[ -z $pids ]] && return 0
    log "killing leftover server processes in $dir: ${pids//$'\n'/ }"
    # shellcheck disable=SC2086
    kill -9 $pids 2>/dev/null || true
    wait_procs_gone "$dir" 10 ||
        die "could not kill server processes in $dir: $(server_pids "$dir" | tr '\n' ' ')"
}

show_log() {   # FILE: last lines of a server log, for failure messages
    [[ -f $1 ]] || return 0
    printf -- '---- last lines of %s ----\n' "$1" >&2
    tail -n 30 "$1" >&2 || true
    printf -- '----\n' >&2
}

# Take the state-dir lock (held until the script exits).
take_lock() {
    exec {CORM_LOCK_FD}>>"$STATE/.lock"
    flock -w 120 "$CORM_LOCK_FD" || die "another db-up/db-ctl/db-down has held $STATE/.lock for 120 s"
}

# Create the state dir, or check an existing one is ours.
ensure_state_dir() {
    if [[ -e $STATE && ! -e $STATE/.corm-db ]]; then
        [[ -d $STATE && -z $(ls -A "$STATE") ]] ||
            die "$STATE exists and was not created by db-up; remove it or set CORM_DB_DIR to another path"
    fi
    # Unix socket paths are limited to 107 bytes (sun_path).
    (( ${#PG_DIR} + 18 <= 107 && ${#MY_SOCK} <= 107 )) ||
        die "CORM_DB_DIR=$STATE is too long for unix socket paths (max ~85 chars); use a shorter path"
    mkdir -p "$STATE" || die "cannot create $STATE (set CORM_DB_DIR to a writable path)"
    chmod 0755 "$STATE"   # the server users must be able to traverse it
    touch "$STATE/.corm-db"
}

require_state() {
    [[ -e $STATE/.corm-db ]] || die "no server state in $STATE; run scripts/db-up first (or set CORM_DB_DIR)"
}

# OS user for a server. As root: the distro's user if present, else a
# dedicated system user "corm-db". As non-root: ourselves.
server_osuser() {   # DISTRO_USER
    if ! is_root; then id -un; return; fi
    if getent passwd "$1" >/dev/null; then echo "$1"; return; fi
    if ! getent passwd corm-db >/dev/null; then
        useradd --system --user-group --home-dir /nonexistent --no-create-home \
            --shell /usr/sbin/nologin corm-db >&2 ||
            die "useradd corm-db failed (needed because servers refuse to run as root)"
    fi
    echo corm-db
}

# Make DIR owned by USER and check USER can actually reach it (a state dir
# under e.g. /root is not traversable by the postgres user).
own_dir() {   # USER DIR
    mkdir -p "$2"
    if is_root; then chown "$1:" "$2"; fi
    run_as "$1" test -w "$2" -a -x "$2" ||
        die "user '$1' cannot access $2 (a parent directory is not world-searchable?); set CORM_DB_DIR to a path under /tmp"
}


# ------------------------------------------------------------- PostgreSQL

pg_bindir() {
    if [[ -n ${CORM_PG_BINDIR:-} ]]; then echo "$CORM_PG_BINDIR"; return; fi
    local d
    d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    if [[ -n $d && -x $d/pg_ctl ]]; then echo "$d"; return; fi
    d=$(command -v pg_ctl 2>/dev/null) && { dirname "$d"; return; }
    die "PostgreSQL server binaries not found; install them: apt-get install postgresql (or set CORM_PG_BINDIR)"
}

# Load (db-ctl) or choose (db-up) the PostgreSQL settings.
pg_load_conf() {
    [[ -f $STATE/pg.conf.sh ]] || die "PostgreSQL was never set up in $STATE; run scripts/db-up postgres first"
    # shellcheck disable=SC1091
    . "$STATE/pg.conf.sh"
}
pg_choose_conf() {
    PG_PORT=$(choose_port "${CORM_PG_PORT:-}" 25432 "$STATE/pg.conf.sh" PG_PORT "$(pg_pid)")
    PG_USER=$(server_osuser postgres)
    PG_BIN=$(pg_bindir)
    [[ $PG_PORT =~ ^[0-9]+$ ]] || die "CORM_PG_PORT must be a number, got '$PG_PORT'"
}
pg_save_conf() {
    printf 'PG_PORT=%q\nPG_USER=%q\nPG_BIN=%q\n' "$PG_PORT" "$PG_USER" "$PG_BIN" >"$STATE/pg.conf.sh"
}

pg_ctl_() { run_as "$PG_USER" "$PG_BIN/pg_ctl" -D "$PG_DATA" "$@"; }

# psql as the superuser over the unix socket (trust auth).
# shellcheck disable=SC2120  # extra psql args are optional
pg_psql() {
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres "$@"
}

# PID of the running postmaster, or nothing. Checking the cwd guards
# against a stale postmaster.pid whose pid was reused by something else.
pg_pid() {
    local pid
    [[ -r $PG_DATA/postmaster.pid ]] || return 0
    pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null) || return 0
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    in_dir "$pid" "$PG_DATA" && echo "$pid"
    return 0
}

pg_initdb() {
    log "initialising PostgreSQL cluster in $PG_DATA (as user $PG_USER)"
    rm -rf "$PG_DIR"
    own_dir "$PG_USER" "$PG_DIR"
    run_as "$PG_USER" "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --encoding=UTF8 \
        --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 --no-sync \
        >"$PG_DIR/initdb.log" 2>&1 || { show_log "$PG_DIR/initdb.log"; die "initdb failed"; }
    # Password auth over TCP (so a wrong password really fails), trust on
    # the socket for our own setup commands. Nothing else is accepted.
    cat >"$PG_DATA/pg_hba.conf" <<'EOF'
# Written by corm scripts/lib/servers.sh
local   all   all                  trust
host    all   all   127.0.0.1/32   scram-sha-256
EOF
    echo "include 'corm.conf'" >>"$PG_DATA/postgresql.conf"
    is_root && chown "$PG_USER:" "$PG_DATA/pg_hba.conf" "$PG_DATA/postgresql.conf"
    return 0
}

# (Re)write the server settings we own; read at every start, so db-ctl
# start/restart always use what db-up chose.
pg_write_conf() {
    cat >"$PG_DATA/corm.conf" <<EOF
# Written by corm scripts/lib/servers.sh; throwaway test server.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DIR'
max_connections = 200
password_encryption = 'scram-sha-256'
# durability is pointless for throwaway data; speed matters
fsync = off
synchronous_commit = off
full_page_writes = off
huge_pages = off
EOF
    is_root && chown "$PG_USER:" "$PG_DATA/corm.conf"
    return 0
}


pg_wait_ready() {
    local i
    for (( i = 0; i < TIMEOUT * 10; i++ )); do
        [[ -n $(pg_pid) ]] || break
        "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 1 && return 0
        sleep 0.1
    done
    show_log "$PG_LOG"
    die "PostgreSQL did not accept connections on 127.0.0.1:$PG_PORT within ${TIMEOUT}s (log: $PG_LOG)"
}

pg_start() {
    local pid
    pid=$(pg_pid)
    if [[ -n $pid ]]; then pg_wait_ready; return 0; fi
    # Leftovers of a kill -9: orphaned backends, stale pid and socket lock files.
    kill_dir_procs "$PG_DATA"
    rm -f "$PG_DATA/postmaster.pid" "$PG_DIR/.s.PGSQL.$PG_PORT" "$PG_DIR/.s.PGSQL.$PG_PORT.lock"
    port_open "$PG_PORT" &&
        die "port $PG_PORT on 127.0.0.1 is already in use by another program (see: ss -ltnp 'sport = :$PG_PORT'); stop it or set CORM_PG_PORT"
    pg_write_conf
    # setsid: the postmaster must not live in the caller's session/process
    # group (meson kills a timed-out test's whole group). pg_ctl -w waits
    # until the server accepts connections.
    as_user "$PG_USER"
    if ! ( close_fds; cd / && exec setsid -w "${AS_USER[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" \
            -l "$PG_LOG" -w -t "$TIMEOUT" -s start ) </dev/null >&2; then
        show_log "$PG_LOG"
        die "PostgreSQL failed to start (log: $PG_LOG)"
    fi
    pg_wait_ready
}

pg_stop() {
    if [[ -n $(pg_pid) ]]; then
        # fast = roll back open transactions, drop every connection, clean
        # shutdown; -w returns once the postmaster has exited.
        pg_ctl_ stop -m fast -w -t 30 -s >&2 ||
            log "pg_ctl stop failed; killing the PostgreSQL processes"
    fi
    kill_dir_procs "$PG_DATA"
    rm -f "$PG_DATA/postmaster.pid" "$PG_DIR/.s.PGSQL.$PG_PORT" "$PG_DIR/.s.PGSQL.$PG_PORT.lock"
}

pg_status() {
    local pid
    pid=$(pg_pid)
    if [[ -z $pid ]]; then echo "postgres: stopped"; return 3; fi
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2; then
        echo "postgres: running (pid $pid) on 127.0.0.1:$PG_PORT"
    else
        echo "postgres: process $pid exists but does not accept connections on 127.0.0.1:$PG_PORT"
        return 1
    fi
}

# Role and database for the tests (idempotent: also run on reuse).
pg_setup() {
    # shellcheck disable=SC2119
    pg_psql <<'SQL' >/dev/null || die "creating PostgreSQL role/database failed (log: $PG_LOG)"
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'corm') THEN
    CREATE ROLE corm LOGIN CREATEDB SUPERUSER PASSWORD 'corm';
  ELSE
    ALTER ROLE corm LOGIN CREATEDB SUPERUSER PASSWORD 'corm';
  END IF;
END $$;
SELECT 'CREATE DATABASE corm_test OWNER corm'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'corm_test') \gexec
SQL
}

# ---------------------------------------------------------------- MariaDB

my_load_conf() {
    [[ -f $STATE/mysql.conf.sh ]] || die "MariaDB was never set up in $STATE; run scripts/db-up mysql first"
    # shellcheck disable=SC1091
    . "$STATE/mysql.conf.sh"
}
my_choose_conf() {
    MY_PORT=$(choose_port "${CORM_MYSQL_PORT:-}" 23306 "$STATE/mysql.conf.sh" MY_PORT "$(my_pid)")
    [[ $MY_PORT =~ ^[0-9]+$ ]] || die "CORM_MYSQL_PORT must be a number, got '$MY_PORT'"
    MY_USER=$(server_osuser mysql)
    MY_BIN=$(command -v mariadbd || command -v /usr/sbin/mariadbd || command -v mysqld || true)
    [[ -n $MY_BIN ]] ||
        die "MariaDB server not found; install it: apt-get install mariadb-server mariadb-client"
    command -v mariadb-install-db >/dev/null ||
        die "mariadb-install-db not found; install it: apt-get install mariadb-server"
    if ! command -v mariadb >/dev/null || ! command -v mariadb-admin >/dev/null; then
        die "MariaDB client not found; install it: apt-get install mariadb-client"
    fi
}
my_save_conf() {
    printf 'MY_PORT=%q\nMY_USER=%q\nMY_BIN=%q\n' "$MY_PORT" "$MY_USER" "$MY_BIN" >"$STATE/mysql.conf.sh"
}

# mariadbd refuses to run as root unless told --user; as root we give it the
# unprivileged user, as non-root it simply runs as us.
my_user_opt() { MY_USER_OPT=(); if is_root; then MY_USER_OPT=(--user="$MY_USER"); fi; }

my_server_args() {
    my_user_opt
    # shellcheck disable=SC2054  # commas are part of option values
    MY_ARGS=(--no-defaults   # must be first: ignore /etc/mysql/*
        --datadir="$MY_DATA" --socket="$MY_SOCK" --pid-file="$MY_PID" --log-error="$MY_ERR"
        # Its own temporary directory: servers in other PID namespaces
        # name their files in a shared /tmp the same way
        # (#sql-temptable-<pid>-...) and delete each other's.
        --tmpdir="$MY_DIR/tmp"
        --port="$MY_PORT" --bind-address=127.0.0.1 --skip-name-resolve
        "${MY_USER_OPT[@]}"
        --max-connections=200
        --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci
        --sql-mode=STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION
        # durability is pointless for throwaway data; speed matters
        --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --sync-binlog=0
        --skip-log-bin --innodb-buffer-pool-size=128M --innodb-log-file-size=48M
        # io_setup() can fail with EAGAIN on busy CI hosts (fs.aio-max-nr)
        --innodb-use-native-aio=0
        --performance-schema=OFF)
}

# SQL as the MariaDB root user over the unix socket.
my_sql() {
    mariadb --no-defaults --protocol=socket --socket="$MY_SOCK" -uroot --batch "$@"
}

# PID of the running mariadbd, or nothing (cwd check guards stale pid files).
my_pid() {
    local pid
    if [[ -r $MY_PID ]]; then
        pid=$(head -n 1 "$MY_PID" 2>/dev/null) || pid=
        if [[ $pid =~ ^[0-9]+$ ]] && in_dir "$pid" "$MY_DATA"; then
            echo "$pid"; return 0
        fi
    fi
    server_pids "$MY_DATA" | head -n 1
}

my_install() {
    log "initialising MariaDB data dir $MY_DATA (as user $MY_USER)"
    rm -rf "$MY_DIR"
    own_dir "$MY_USER" "$MY_DIR"
    own_dir "$MY_USER" "$MY_DATA"
    own_dir "$MY_USER" "$MY_DIR/tmp"
    # normal = root@localhost with an empty password (no unix_socket plugin
    # mapping), so any OS user can do the setup over our private socket.
    my_user_opt
    (cd / && mariadb-install-db --no-defaults --datadir="$MY_DATA" "${MY_USER_OPT[@]}" \
        --tmpdir="$MY_DIR/tmp" \
        --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
        --innodb-doublewrite=0 --innodb-flush-log-at-trx-commit=0 --innodb-log-file-size=48M \
        ) </dev/null >"$MY_DIR/install.log" 2>&1 ||
        { show_log "$MY_DIR/install.log"; die "mariadb-install-db failed (log: $MY_DIR/install.log)"; }
}

# Ping over the socket: it answers only after "ready for connections", and
# the TCP listener is created before that. (A raw TCP probe would litter the
# error log with "Aborted connection" warnings.)
my_alive() {
    mariadb-admin --no-defaults --protocol=socket --socket="$MY_SOCK" -uroot \
        --connect-timeout=1 ping >/dev/null 2>&1
}

my_start() {
    local spawned i
    if [[ -n $(my_pid) ]]; then my_wait_ready; return 0; fi
    kill_dir_procs "$MY_DATA"
    rm -f "$MY_PID" "$MY_SOCK" "$MY_SOCK.lock"
    # The server's --tmpdir (a state dir made before it existed lacks it).
    [[ -d $MY_DIR/tmp ]] || own_dir "$MY_USER" "$MY_DIR/tmp"
    port_open "$MY_PORT" &&
        die "port $MY_PORT on 127.0.0.1 is already in use by another program (see: ss -ltnp 'sport = :$MY_PORT'); stop it or set CORM_MYSQL_PORT"
    my_server_args
    # mariadbd reopens the log after dropping privileges: must be its file.
    touch "$MY_ERR"
    is_root && chown "$MY_USER:" "$MY_ERR"
    # Own session (see pg_start), no inherited fds, stdio to the error log.
    ( close_fds; cd / && exec setsid "$MY_BIN" "${MY_ARGS[@]}" ) </dev/null >>"$MY_ERR" 2>&1 &
    spawned=$!
    for (( i = 0; i < TIMEOUT * 10; i++ )); do
        my_alive && return 0
        if ! kill -0 "$spawned" 2>/dev/null; then
            show_log "$MY_ERR"
            die "MariaDB exited during startup (log: $MY_ERR)"
        fi
        sleep 0.1
    done
    show_log "$MY_ERR"
    die "MariaDB did not accept connections on 127.0.0.1:$MY_PORT within ${TIMEOUT}s (log: $MY_ERR)"
}

my_wait_ready() {
    local i
    for (( i = 0; i < TIMEOUT * 10; i++ )); do
        my_alive && return 0
        [[ -n $(my_pid) ]] || break
        sleep 0.1
    done
    show_log "$MY_ERR"
    die "MariaDB is not accepting connections on 127.0.0.1:$MY_PORT (log: $MY_ERR)"
}

my_stop() {
    local pid
    pid=$(my_pid)
    if [[ -n $pid ]]; then
        # SIGTERM = normal shutdown: kills client connections, rolls back,
        # exits. Wait until the process is really gone.
        kill -TERM "$pid" 2>/dev/null || true
        wait_procs_gone "$MY_DATA" 30 || log "MariaDB did not stop within 30s; killing it"
    fi
    kill_dir_procs "$MY_DATA"
    rm -f "$MY_PID" "$MY_SOCK" "$MY_SOCK.lock"
}

my_status() {
    local pid
    pid=$(my_pid)
    if [[ -z $pid ]]; then echo "mysql: stopped"; return 3; fi
    if my_alive && port_open "$MY_PORT"; then
        echo "mysql: running (pid $pid) on 127.0.0.1:$MY_PORT"
    else
        echo "mysql: process $pid exists but does not accept connections on 127.0.0.1:$MY_PORT"
        return 1
    fi
}

# Users and database for the tests (idempotent: also run on reuse).
# Tests create extra databases, hence ALL PRIVILEGES ON *.*.
my_setup() {
    local extra
    # mariadb-install-db also creates root@<hostname>, root@127.0.0.1, root@::1
    # with empty passwords: drop them (we only need root over our socket).
    # root@<hostname> would also log a warning on every login.
    extra=$(my_sql -N -e "SELECT CONCAT('DROP USER ', QUOTE(user), '@', QUOTE(host), ';')
        FROM mysql.user WHERE user = '' OR (user = 'root' AND host <> 'localhost')") ||
        die "cannot query MariaDB users (log: $MY_ERR)"
    { echo "$extra"; cat; } <<'SQL' | my_sql || die "creating MariaDB users/database failed (log: $MY_ERR)"
CREATE USER IF NOT EXISTS 'corm'@'127.0.0.1';
CREATE USER IF NOT EXISTS 'corm'@'localhost';
ALTER USER 'corm'@'127.0.0.1' IDENTIFIED VIA mysql_native_password USING PASSWORD('corm');
ALTER USER 'corm'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('corm');
GRANT ALL PRIVILEGES ON *.* TO 'corm'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'corm'@'localhost' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS corm_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
FLUSH PRIVILEGES;
SQL
}

# ------------------------------------------------------------ engine dispatch

engine_load()  { case $1 in postgres) pg_load_conf ;; mysql) my_load_conf ;; esac; }
engine_start() { case $1 in postgres) pg_start ;; mysql) my_start ;; esac; }
engine_stop()  { case $1 in postgres) pg_stop ;; mysql) my_stop ;; esac; }
engine_status() { case $1 in postgres) pg_status ;; mysql) my_status ;; esac; }

# Verify the URL credentials work over TCP, exactly as the tests connect.
engine_check_login() {
    case $1 in
        postgres)
            PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q -At \
                "postgresql://corm:corm@127.0.0.1:$PG_PORT/corm_test" -c 'SELECT 1' >/dev/null ||
                die "cannot log in to PostgreSQL as corm over TCP (log: $PG_LOG)" ;;
        mysql)
            mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P"$MY_PORT" -ucorm -pcorm \
                --connect-timeout=5 corm_test -e 'SELECT 1' >/dev/null ||
                die "cannot log in to MariaDB as corm over TCP (log: $MY_ERR)" ;;
    esac
}
