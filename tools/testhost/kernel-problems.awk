# SPDX-License-Identifier: GPL-2.0
#
# Finds kernel log lines that mean something went wrong (BUG, WARNING, Oops,
# lockups...) in the emulated host's serial log. Prints, one per line:
#   FAIL<TAB>kernel: <message> (<when>)<TAB>at <uptime> s
#   BOOT<TAB><message><TAB>at <uptime> s
# BOOT lines are from before /init started: the stock kernel warns about the
# emulated CPU at boot (e.g. an xstate size WARNING on Bochs 2.7), which
# says nothing about our code. Everything after /init started is a FAIL.
# A line seen twice (on the console and in the final dmesg dump) counts once.
# <when> names the selftest that was running, from the markers the runner
# writes to the kernel log.
#
# Portable awk (mawk, gawk, busybox).

function when(t, ctx,    j, w)
{
	if (ctx != "")
		return ctx
	w = "before the selftests"
	for (j = 1; j <= nt; j++) {
		if (t < tstart[j])
			break
		if (tend[j] == "" || t <= tend[j])
			w = "during selftest " tname[j]
		else
			w = "after selftest " tname[j]
	}
	return w
}

BEGIN {
	init_t = -1
	console_ctx = ""
	nt = 0
	# BUG: only as a word of its own ("MV_SET_GUEST_DEBUG:" is no bug).
	pat = "(^|[^A-Za-z_])BUG:|WARNING:|Oops|general protection fault|refcount_t|" \
	      "list_del corruption|Kernel panic|soft lockup|hung task|" \
	      "blocked for more than|detected stall|Call Trace|UBSAN:|KASAN:"
}

{ sub(/\r$/, "") }

/^# ----- dmesg -----/ { in_dump = 1 }
/^# ----- end of dmesg -----/ { in_dump = 0 }

init_t < 0 && /mv-init: start / {
	if (match($0, /uptime=[0-9.]+/))
		init_t = substr($0, RSTART + 7, RLENGTH - 7) + 0
}

# Where the console is: which selftest the runner said it started.
/^# selftest [^ ]+: start / {
	console_ctx = "during selftest " $3
	sub(/:$/, "", console_ctx)
}
/^# selftest [^ ]+: exit=/ {
	console_ctx = "after selftest " $3
	sub(/:$/, "", console_ctx)
}

# The runner writes "mv-runtests: start NAME" and "mv-runtests: end NAME"
# to /dev/kmsg, so the markers carry the same clock as the kernel's lines.
match($0, /\[ *[0-9]+\.[0-9]+\] mv-runtests: (start|end) [^ ]+/) {
	m = substr($0, RSTART, RLENGTH)
	t = m
	sub(/\].*/, "", t)
	gsub(/[^0-9.]/, "", t)
	n = split(m, a, " ")
	if (a[n - 1] == "start") {
		for (j = 1; j <= nt; j++)
			if (tname[j] == a[n] && tstart[j] == t + 0)
				break
		if (j > nt) {
			nt++
			tname[nt] = a[n]
			tstart[nt] = t + 0
			tend[nt] = ""
		}
	} else {
		for (j = nt; j >= 1; j--)
			if (tname[j] == a[n]) {
				tend[j] = t + 0
				break
			}
	}
	next
}

match($0, /\[ *[0-9]+\.[0-9]+\] /) {
	stamp = substr($0, RSTART, RLENGTH)
	msg = substr($0, RSTART + RLENGTH)
	if (msg !~ pat)
		next
	t = stamp
	gsub(/[^0-9.]/, "", t)
	t += 0
	key = t " " msg
	if (key in seen)
		next
	seen[key] = 1
	nf++
	ft[nf] = t
	fmsg[nf] = msg
	# A line the kernel printed on the console itself is placed by where
	# it appears; a copy from dmesg by the markers' time stamps.
	fctx[nf] = (!in_dump && $0 !~ /^# kernel: /) ? console_ctx : ""
}

# Classified at the end: the console shows boot-time lines before /init
# prints its start time.
END {
	for (j = 1; j <= nf; j++) {
		if (init_t >= 0 && ft[j] < init_t)
			printf "BOOT\t%s\tat %s s\n", fmsg[j], ft[j]
		else
			printf "FAIL\tkernel: %s (%s)\tat %s s\n", fmsg[j], when(ft[j], fctx[j]), ft[j]
	}
}
