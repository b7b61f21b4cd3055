# SPDX-License-Identifier: GPL-2.0
#
# The checks of make check that look at the results as a whole, so that a
# run cannot stay green because results went missing:
#   - every expected selftest program (selftests/Makefile PROGS, or the ones
#     TESTS= names) has results in every boot;
#   - every boot saw as many online CPUs as it was given (runtests prints
#     the count), one result "STAGE: online CPUs" per boot;
#   - in a boot with several CPUs, the programs that must run there (the
#     smp program) may not skip: their SKIP lines become failures;
#   - at least the minimum number of results per tier and per selftest
#     program that tools/testhost/expected-counts fixes.
#
# usage: awk -v progs="api smp" -v stages="vmx smp2" -v cpus="vmx=1 smp2=2" \
#            -v online="vmx=1 smp2=2" -v noskip="smp2=smp" \
#            -v tiers="host build testhost vmx smp2" \
#            -f gates.awk expected-counts results.txt
# Prints the results again (with the SKIPs that are failures rewritten) and
# then the gate results, in the format of tap-results.awk:
# PASS|SKIP|FAIL<TAB>name<TAB>reason.
#   progs   the selftest programs each boot should have run
#   stages  the boots that ran (their results are named "STAGE: ...")
#   cpus, online  STAGE=N: CPUs given to the boot / reported by the guest
#   noskip  STAGE=PROGRAM...: programs whose skips fail in that boot
#   tiers   the tiers whose "tier" minimum applies (a run limited by TESTS=
#           or with TH_* overrides leaves some out); "prog" minimums apply
#           to every program of progs in every stage
# Portable awk (mawk, gawk, busybox).

function pairs(s, arr,    n, i, a, kv)
{
	n = split(s, a, " ")
	for (i = 1; i <= n; i++)
		if (split(a[i], kv, "=") == 2)
			arr[kv[1]] = kv[2]
}

function out(st, name, why)
{
	printf "%s\t%s\t%s\n", st, name, why
	if (st != "PASS" && st != "SKIP")
		nfail++
}

# The tier of a result: the part of its name before the first ": ".
function tier_of(name,    c)
{
	c = index(name, ": ")
	return c ? substr(name, 1, c - 1) : name
}

BEGIN {
	FS = "\t"
	pairs(cpus, want_cpus)
	pairs(online, got_cpus)
	pairs(noskip, ns)
	nprogs = split(progs, P, " ")
	nstages = split(stages, S, " ")
	ntiers = split(tiers, T, " ")
}

# expected-counts: "tier NAME MIN" and "prog NAME MIN"; # comments.
FNR == NR {
	line = $0
	sub(/#.*/, "", line)
	if (split(line, w, /[ \t]+/) < 3) {
		if (line ~ /[^ \t]/)
			bad = bad " line " FNR
		next
	}
	if (w[1] == "")	# leading blanks
		for (j = 1; j < 4; j++)
			w[j] = w[j + 1]
	if (w[1] == "tier")
		tmin[w[2]] = w[3] + 0
	else if (w[1] == "prog")
		pmin[w[2]] = w[3] + 0
	else
		bad = bad " line " FNR
	next
}

# The results: passed through, counted per tier and per program.
{
	st = $1
	name = $2
	why = $3
	t = tier_of(name)
	if (st == "SKIP" && (t in ns) && (t in want_cpus) && want_cpus[t] > 1) {
		rest = substr(name, length(t) + 3)
		n = split(ns[t], np, ",")
		for (j = 1; j <= n; j++)
			if (rest == np[j] || index(rest, np[j] ": ") == 1) {
				st = "FAIL"
				why = "skipped in the boot with " want_cpus[t] \
				      " CPUs, where it must run (" why ")"
			}
	}
	out(st, name, why)
	count[t]++
	rest = substr(name, length(t) + 3)
	c = index(rest, ": ")
	prog = c ? substr(rest, 1, c - 1) : rest
	pcount[t SUBSEP prog]++
}

END {
	if (bad != "")
		out("FAIL", "testhost: expected-counts", "cannot parse" bad)
	for (i = 1; i <= nstages; i++) {
		s = S[i]
		wc = (s in want_cpus) ? want_cpus[s] : "?"
		g = (s in got_cpus) ? got_cpus[s] : ""
		if (g == "")
			out("FAIL", s ": online CPUs", "the test runner printed no CPU count " \
			    "(\"# runtests: online CPUs: N\"); the boot has " wc)
		else if (g != wc)
			out("FAIL", s ": online CPUs", "the guest has " g " online CPU(s), " \
			    "the boot was given " wc)
		else
			out("PASS", s ": online CPUs = " g)
		count[s]++
		for (j = 1; j <= nprogs; j++) {
			p = P[j]
			n = pcount[s SUBSEP p] + 0
			if (n == 0)
				out("FAIL", s ": " p, "expected (selftests/Makefile PROGS) " \
				    "but it has no result in the console")
			else if ((p in pmin) && n < pmin[p])
				out("FAIL", s ": " p ": result count", n " result(s), " \
				    "tools/testhost/expected-counts expects at least " pmin[p])
		}
	}
	for (i = 1; i <= ntiers; i++) {
		t = T[i]
		n = count[t] + 0
		if ((t in tmin) && n < tmin[t])
			out("FAIL", t ": result count", "tier " t ": " n " result(s), " \
			    "tools/testhost/expected-counts expects at least " tmin[t])
	}
}
