# Services for CI, sourced by .ci/run (and by .ci/services-under-load, which checks them).
#
# A service is started in the foreground of a background job, so that its pid is ours to stop,
# on a port the OS says is free, and waited for until it answers: a daemonizing server returns
# once it has forked, not once it listens, and on a busy machine the first ping loses that race.
# Every service started here is stopped at exit, on failure too.

CI_SERVICE_TIMEOUT=${CI_SERVICE_TIMEOUT:-15}
CI_SERVICE_DIR=${CI_SERVICE_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/ci-services.XXXXXX")}
CI_SERVICE_PIDS=()

# free_port: a loopback TCP port nothing listens on now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# stop_services: stop every service started here (SIGTERM, then SIGKILL after 5 s).
stop_services() {
  local pid i
  for pid in "${CI_SERVICE_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${CI_SERVICE_PIDS[@]}"; do
    for i in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  done
  CI_SERVICE_PIDS=()
}

# wait_ready NAME PID LOG CHECK...: poll CHECK until it succeeds, for at most CI_SERVICE_TIMEOUT
# seconds. Returns 1 when the service died (port taken, bad option), 2 on the deadline; shows the log.
wait_ready() {
  local name=$1 pid=$2 log=$3
  shift 3
  local deadline=$((SECONDS + CI_SERVICE_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name exited before it was ready; its log:" >&2
      tail -n 40 "$log" >&2 || true
      return 1
    fi
    if ((SECONDS >= deadline)); then
      echo "$name was not ready after ${CI_SERVICE_TIMEOUT} s; its log:" >&2
      tail -n 40 "$log" >&2 || true
      return 2
    fi
    sleep 0.1
  done
}

# redis_pong PORT [REDIS-CLI OPTIONS...]: whether the server on PORT answers PING with PONG.
redis_pong() {
  local port=$1
  shift
  [ "$(redis-cli -h 127.0.0.1 -p "$port" "$@" ping 2>/dev/null)" = "PONG" ]
}

# start_redis VAR [REDIS-SERVER OPTIONS...]: start a redis-server on a free loopback port, wait until
# it answers PING, and put its port in VAR. A port taken between the pick and the bind is retried
# on another port, three times. In the options, @PORT@ stands for the port and @BUS@ for another
# free port (a cluster node's bus port: the default, port + 10000, may be taken or above 65535).
start_redis() {
  # Locals are underscored so that they never shadow the caller's VAR.
  local _var=$1
  shift
  local _attempt _port _bus _log _pid _status _options
  for _attempt in 1 2 3; do
    _port=$(free_port)
    _bus=$(free_port)
    _options=("${@//@PORT@/$_port}")
    _options=("${_options[@]//@BUS@/$_bus}")
    _log="$CI_SERVICE_DIR/redis-$_port.log"
    redis-server --port "$_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
      --dir "$CI_SERVICE_DIR" "${_options[@]}" >"$_log" 2>&1 &
    _pid=$!
    CI_SERVICE_PIDS+=("$_pid")
    _status=0
    wait_ready "redis-server on port $_port" "$_pid" "$_log" redis_pong "$_port" || _status=$?
    if ((_status == 0)); then
      printf -v "$_var" '%s' "$_port"
      return 0
    fi
    kill "$_pid" 2>/dev/null || true
    ((_status == 1)) || return 1 # alive but never ready: another port will not help
    echo "(attempt $_attempt of 3: trying another port)" >&2
  done
  return 1
}

# cluster_ok PORT: whether the cluster node on PORT says cluster_state:ok.
cluster_ok() {
  redis-cli -h 127.0.0.1 -p "$1" cluster info 2>/dev/null | grep -q '^cluster_state:ok'
}

# start_redis_cluster VAR: start a Redis Cluster of 3 masters (no replicas) on free loopback ports,
# create it, wait until every node says cluster_state:ok (at most CI_CLUSTER_TIMEOUT seconds), and
# put its nodes in VAR as 127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3. Its nodes are stopped with the
# other services; on failure their logs are shown.
CI_CLUSTER_TIMEOUT=${CI_CLUSTER_TIMEOUT:-60}
start_redis_cluster() {
  local _cvar=$1
  local _i _node _nodes=() _ports=() _deadline _created="$CI_SERVICE_DIR/cluster-create.log"
  for _i in 1 2 3; do
    start_redis _node --cluster-enabled yes --cluster-config-file "nodes-@PORT@.conf" --cluster-port @BUS@ \
      --cluster-node-timeout 5000 || return 1
    _ports+=("$_node")
    _nodes+=("127.0.0.1:$_node")
  done
  if ! timeout "$CI_CLUSTER_TIMEOUT" redis-cli --cluster create "${_nodes[@]}" --cluster-replicas 0 --cluster-yes \
    >"$_created" 2>&1; then
    echo "redis-cli --cluster create failed:" >&2
    tail -n 40 "$_created" >&2 || true
    return 1
  fi
  _deadline=$((SECONDS + CI_CLUSTER_TIMEOUT))
  for _node in "${_ports[@]}"; do
    until cluster_ok "$_node"; do
      if ((SECONDS >= _deadline)); then
        echo "the cluster ${_nodes[*]} was not ok after ${CI_CLUSTER_TIMEOUT} s; its logs:" >&2
        for _i in "${_ports[@]}"; do
          tail -n 20 "$CI_SERVICE_DIR/redis-$_i.log" >&2 || true
        done
        return 2
      fi
      sleep 0.2
    done
  done
  printf -v "$_cvar" '%s' "$(
    IFS=,
    echo "${_nodes[*]}"
  )"
}
