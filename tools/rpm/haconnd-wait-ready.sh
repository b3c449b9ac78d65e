#!/bin/sh
# haconnd-wait-ready <control socket> <timeout seconds>
# ExecStartPost of haconnd.service: returns 0 once the daemon's control socket exists (the
# daemon creates it when it is initialised), 1 when the daemon exited first ($MAINPID, set by
# systemd, is gone) or the timeout passed. Polls every 0.2 s.
sock=${1:?usage: haconnd-wait-ready <control socket> <timeout seconds>}
timeout=${2:-60}
ticks=$((timeout * 5))
while [ "$ticks" -gt 0 ]; do
  [ -S "$sock" ] && exit 0
  if [ -n "${MAINPID:-}" ] && ! kill -0 "$MAINPID" 2>/dev/null; then
    echo "haconnd exited before it was ready (no control socket $sock)" >&2
    exit 1
  fi
  sleep 0.2
  ticks=$((ticks - 1))
done
echo "haconnd not ready after ${timeout}s (no control socket $sock)" >&2
exit 1
