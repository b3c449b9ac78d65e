/*
 * Promela model of the management-server pair's election and takeover
 * (packages/ha/src/election.ts), checked with spin by packages/ha/src/model.test.ts:
 *   safety   - never two live actives, never two hosts holding the VIP
 *              (with fencing working, and with fencing impossible);
 *   liveness - with fencing working and a node alive, once the environment stops
 *              interfering a live active eventually exists (weak fairness).
 *
 * Abstractions. Time is gone, so a standby may decide at any moment that its peer
 * failed (covers partitions and spurious timeouts) and a lone starter may probe at
 * any moment. Heartbeats travel through one-slot channels and may be stale. Each
 * daemon is three processes, as in the real one: a heartbeat sender, a socket
 * reader, and timers (probe, failure detection, fencing) - so weak fairness, which
 * spin applies per process, matches "a timer that stays due eventually fires".
 * The environment kills daemons (kill -9: the VIP stays on the host until a fence
 * resets the host), restarts them, and cuts/heals the duplex link, within a budget.
 * A fence that works resets the peer's host: its daemon dies and its VIP goes.
 * A restarted daemon has a new socket (nothing queued for the old one reaches it),
 * ignores heartbeats for the freshness window, and receivers drop datagrams older
 * than that window (sender timestamp): so nothing an old incarnation sent is acted
 * on once the new incarnation acts. That is why a restart flushes both channels.
 *
 * Fresher state wins (docs/reliability.md F2). Each node holds a replicated-state
 * version `ver` (abstracted to 0..MAXV): the active's grows, a standby's catches up
 * with the active's over the sync stream, a restarted daemon starts at 0. Heartbeats
 * carry it and a `fencing` flag (a fence is in flight). A node does not take the
 * active role from a fencing peer, nor from a standby whose version is ahead; such
 * a standby fences the undecided peer (its restarted active) and then takes over.
 */

mtype = { UNDECIDED, STANDBY, ACTIVE };

#define MAXTERM 12
#define MAXV 1
#ifndef BUDGET
#define BUDGET 3
#endif

mtype role[2];
bool alive[2];
bool vip[2];
byte term[2];
byte heard[2];
bool fencing[2];
bool inFlight[2];
byte lostTerm[2];
byte ver[2];
bool linkUp = true;
byte budget = BUDGET;
bool fenceWorks = FENCE_WORKS;

/* role, term, fencing flag (a fence in flight), state version */
chan hb[2] = [1] of { mtype, byte, bool, byte };

inline becomeActive(i, t) {
  term[i] = (term[i] > t -> term[i] : t);
  if :: term[i] < MAXTERM -> term[i]++ :: else -> skip fi;
  role[i] = ACTIVE;
  fencing[i] = false;
  inFlight[i] = false;
  vip[i] = true
}

inline startFencing(i) {
  fencing[i] = true;
  inFlight[i] = true;
  lostTerm[i] = heard[i]
}

proctype sender(byte i) {
  byte j = 1 - i;
  do
  :: atomic { alive[i] && linkUp && nfull(hb[j]) -> hb[j]!role[i],term[i],inFlight[i],ver[i] }
  od
}

proctype reader(byte i) {
  mtype r;
  byte t;
  bool f;
  byte v;
  do
  :: atomic { alive[i] && nempty(hb[i]) -> hb[i]?r,t,f,v;
       heard[i] = t;
       if
       :: role[i] == UNDECIDED && inFlight[i] -> skip   /* an issued start-up fence goes on */
       :: role[i] == UNDECIDED && !inFlight[i] ->
            fencing[i] = false;   /* an un-issued start-up fence is dropped */
            if
            :: r == ACTIVE -> role[i] = STANDBY; term[i] = (term[i] > t -> term[i] : t)
            :: r != ACTIVE && f -> skip              /* the peer is fencing this node */
            :: r == STANDBY && !f && v <= ver[i] -> becomeActive(i, t)
            :: r == STANDBY && !f && v > ver[i] -> skip   /* its state is ahead: it fences us */
            /* ... unless it is not fencing us after the start wait (its fencing failed): claim */
            :: r == STANDBY && !f && v > ver[i] -> becomeActive(i, t)
            :: r == UNDECIDED && !f && i == 0 -> becomeActive(i, t)
            :: else -> skip
            fi
       :: role[i] == STANDBY ->
            if
            :: fencing[i] && !inFlight[i] && r == ACTIVE && t == lostTerm[i] -> fencing[i] = false
            :: !fencing[i] && r == UNDECIDED && !f && v < ver[i] -> startFencing(i)
            :: !fencing[i] && r == STANDBY && i == 0 -> becomeActive(i, t)
            :: else -> skip
            fi
       :: role[i] == ACTIVE ->
            if
            :: r == ACTIVE && (t > term[i] || (t == term[i] && i != 0)) -> role[i] = UNDECIDED; vip[i] = false
            :: else -> skip
            fi
       fi }
  od
}

proctype timers(byte i) {
  byte j = 1 - i;
  do
  /* start wait over with nobody heard: probe the VIP (duplicate-address ARP) */
  :: atomic { alive[i] && role[i] == UNDECIDED && !fencing[i] ->
       if
       :: !vip[j] && i == 0 -> becomeActive(i, heard[i])
       :: vip[j] || i != 0 -> startFencing(i)
       fi }
  /* standby: peer silent for missCount heartbeats (one less after a closed stream and a refused
     reconnect); untimed here, so at any moment */
  :: atomic { alive[i] && role[i] == STANDBY && !fencing[i] -> startFencing(i) }
#ifdef BROKEN_TAKEOVER
  /* mutant for the test that proves the check can fail: take over without fencing */
  :: atomic { alive[i] && role[i] == STANDBY -> becomeActive(i, heard[i]) }
#endif
  /* a fencing attempt completes */
  :: atomic { alive[i] && fencing[i] && inFlight[i] && role[i] != ACTIVE ->
       if
       :: fenceWorks -> alive[j] = false; vip[j] = false; role[j] = UNDECIDED; fencing[j] = false;
                        inFlight[j] = false; becomeActive(i, heard[i])
       :: !fenceWorks -> inFlight[i] = false   /* fails; retried later */
       fi }
  /* a failed fence is retried */
  :: atomic { alive[i] && fencing[i] && !inFlight[i] && role[i] != ACTIVE -> inFlight[i] = true }
  /* the active's state changes; a standby's mirror catches up over the sync stream */
  :: atomic { alive[i] && role[i] == ACTIVE && ver[i] < MAXV -> ver[i]++ }
  :: atomic { alive[i] && role[i] == STANDBY && alive[j] && role[j] == ACTIVE && linkUp && ver[i] != ver[j] ->
       ver[i] = ver[j] }
  od
}

proctype environment() {
  byte i;
  do
  /* kill -9 of either daemon: its VIP stays on the host */
  :: atomic { budget > 0 -> budget--; select(i : 0 .. 1); alive[i] = false }
  /* operator hand-over (haconnact restart): release the VIP, tell the peer, exit */
  :: atomic { budget > 0 && linkUp -> budget--; select(i : 0 .. 1);
       if
       :: alive[i] && role[i] == ACTIVE && nfull(hb[1 - i]) ->
            role[i] = UNDECIDED; vip[i] = false; alive[i] = false; hb[1 - i]!STANDBY,term[i],false,ver[i]
       :: else -> skip
       fi }
  /* restart of a dead daemon */
  :: atomic { budget > 0 -> budget--; select(i : 0 .. 1);
       if
       :: !alive[i] -> alive[i] = true; role[i] = UNDECIDED; vip[i] = false; fencing[i] = false;
            inFlight[i] = false; ver[i] = 0;
            do :: nempty(hb[i]) -> hb[i]?_,_,_,_ :: empty(hb[i]) -> break od;
            do :: nempty(hb[1 - i]) -> hb[1 - i]?_,_,_,_ :: empty(hb[1 - i]) -> break od
       :: else -> skip
       fi }
  /* duplex link cut and healed */
  :: atomic { linkUp && budget > 0 -> budget--; linkUp = false }
  :: atomic { !linkUp -> linkUp = true }
  :: budget == 0 -> break
  od
}

init {
  atomic {
    role[0] = UNDECIDED; role[1] = UNDECIDED;
    alive[0] = true; alive[1] = true;
    run sender(0); run sender(1); run reader(0); run reader(1); run timers(0); run timers(1);
    run environment()
  }
}

ltl safety { [] (!(vip[0] && vip[1]) && !(alive[0] && alive[1] && role[0] == ACTIVE && role[1] == ACTIVE)) }

ltl liveness { [] ((budget == 0 && linkUp && fenceWorks && (alive[0] || alive[1])) -> <> ((alive[0] && role[0] == ACTIVE) || (alive[1] && role[1] == ACTIVE))) }
