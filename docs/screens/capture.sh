#!/bin/sh
# Captures calltop's screens as plain text into docs/screens/, for the
# README: the demo's calls screen (alone, with the alert pane, filtered by
# a name), a call, a diagnosis read in full, help, a paused replay, a
# refused feed and the too-small message, at 80x24 and 200x50,
# each with TERM=xterm-256color and with NO_COLOR=1 (-nocolor files).
# Needs tmux. Run from the repository root: docs/screens/capture.sh
set -eu
out=docs/screens
tmp=$(mktemp -d)
bin=$tmp/calltop
go build -o "$bin" ./cmd/calltop
sock=calltop-screens-$$
trap 'tmux -L $sock kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT

# A minute of recorded feed for the replay screens.
"$bin" hub --listen 127.0.0.1:17171 --simulate 12 --seed 2 >/dev/null 2>&1 &
hub=$!
sleep 1
"$bin" record --feed ws://127.0.0.1:17171/feed -o "$tmp/recording.jsonl" --duration 60s >/dev/null 2>&1
kill $hub

# start SIZE ENV CMD: a fresh pane of SIZE running CMD with ENV set (by
# env(1): tmux puts its own default-terminal in TERM over new-session -e).
start() {
	tmux -L $sock kill-server 2>/dev/null || true
	tmux -L $sock -f /dev/null new-session -d -x "${1%x*}" -y "${1#*x}" -s s \
		"env TERM=xterm-256color $2 HOME=$tmp $3"
}
shot() { tmux -L $sock capture-pane -p -t s >"$out/$1.txt"; }
keys() { tmux -L $sock send-keys -t s "$@"; sleep 1; }

for size in 80x24 200x50; do
	for env in COLORTERM=truecolor NO_COLOR=1; do
		sfx=$size
		[ "$env" = NO_COLOR=1 ] && sfx=$size-nocolor
		start "$size" "$env" "$bin demo --seed 1"
		sleep 25 # findings raise, then alerts fire after their 10 s
		shot "calls-$sfx"
		keys '!'
		shot "calls-alerts-$sfx"
		keys '!'
		keys /
		tmux -L $sock send-keys -t s -l Ada
		keys Enter
		shot "calls-filter-$sfx"
		keys Escape
		keys Enter
		sleep 1
		shot "call-$sfx"
		keys Enter
		shot "diagnosis-$sfx"
		keys Escape
		keys '?'
		shot "help-$sfx"
		keys q
		start "$size" "$env" "$bin replay $tmp/recording.jsonl --speed 4"
		sleep 6
		keys Space
		shot "replay-paused-$sfx"
		keys q
	done
done
# A feed that is not there: what is wrong, said in the body.
start 80x24 "" "$bin --feed ws://127.0.0.1:1/feed --state-dir $tmp/state"
sleep 2
shot feed-refused-80x24
keys q
start 60x20 NO_COLOR=1 "$bin demo --seed 1"
sleep 3
shot too-small-60x20
keys q
