#!/bin/sh
# Records a real chrome://webrtc-internals dump of a loopback WebRTC call in
# headless Chromium, inside a network namespace that has only loopback, then
# checks it with verify.js. See README.md beside this file.
#
#   scripts/chromium/record-webrtc-internals.sh SCENARIO OUT [--duration S] [--keep-removed]
#                                               [--rtcstats OUT2] [--tries N]
#
#   SCENARIO  clean, or problems joined by commas, each optionally @seconds after
#             "connected": bitrate-cap, mic-off, video-off, pc-close
#             (e.g. bitrate-cap, mic-off@20, bitrate-cap@10,pc-close@25)
#   OUT       the dump; OUT ending in .gz keeps Chrome's own gzip output.
#             OUT.meta.json gets the browser version and what was induced when.
#   --duration S    seconds from "connected" to the dump (default 40)
#   --keep-removed  open chrome://webrtc-internals?keepRemovedConnections, so a closed
#                   connection stays in the dump (by default Chrome drops it, as for a customer)
#   --rtcstats OUT2 also save the page's "rtcstats dump" download (Chrome's RTCStatsDump, gzip)
#   --tries N       record again, up to N times in all, while verify.js fails (default 3)
set -eu

here=$(cd "$(dirname "$0")" && pwd)

die() { echo "record-webrtc-internals: $*" >&2; exit 1; }

[ $# -ge 2 ] || die "usage: $0 SCENARIO OUT [--duration S] [--keep-removed] [--rtcstats OUT2] [--tries N]"
scenario=$1
out=$2
shift 2

chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || die "no Chromium at $chromium (Debian: apt-get install -y chromium; or set CHROMIUM)"
command -v node >/dev/null || die "node not found (Node.js 20 or later)"
command -v unshare >/dev/null || die "unshare not found (util-linux)"
if [ ! -d "$here/node_modules/playwright-core" ]; then
	echo "record-webrtc-internals: installing the pinned playwright-core (npm ci)" >&2
	(cd "$here" && npm ci --no-audit --no-fund --silent) || die "npm ci failed in $here"
fi

# An absolute OUT, so it means the same inside the namespace.
case $out in
/*) ;;
*) out=$(pwd)/$out ;;
esac
mkdir -p "$(dirname "$out")"

# The duration (default 40 s) bounds each run: the call, plus start-up and the dump.
# All options go on to record.js, which ignores --tries.
duration=40
tries=3
prev=
for a in "$@"; do
	case $prev in
	--duration) duration=$a ;;
	--tries) tries=$a ;;
	esac
	prev=$a
done
case $duration in '' | *[!0-9]*) die "--duration must be whole seconds" ;; esac
case $tries in '' | *[!0-9]* | 0) die "--tries must be a positive whole number" ;; esac
limit=$((duration + 150))

# A network namespace of our own with only loopback up: nothing can leave the machine.
# As root a plain new namespace; otherwise a user namespace maps us to root inside it.
if [ "$(id -u)" = 0 ]; then ns="unshare -n"; else ns="unshare -r -n"; fi

# verify.js fails a recording made on a machine too busy for a fair sample (freezes,
# RTT spikes or concealed audio on loopback before any problem): try again then.
try=1
while :; do
	echo "record-webrtc-internals: $scenario for ${duration} s -> $out (try $try of $tries, at most ${limit} s)" >&2
	timeout -k 10 "$limit" $ns sh -c 'ip link set lo up && exec "$@"' sh \
		node "$here/record.js" "$scenario" "$out" --chromium "$chromium" "$@" ||
		die "recording failed (see above)"
	if node "$here/verify.js" "$out"; then exit 0; fi
	[ "$try" -lt "$tries" ] || die "the dump in $out did not pass verify.js after $tries tries (kept for a look)"
	try=$((try + 1))
	sleep 10
done
