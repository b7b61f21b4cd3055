# SPDX-License-Identifier: GPL-2.0
#
# Turns TAP 13 / KTAP output into one line per leaf test case:
#   PASS<TAB>name
#   SKIP<TAB>name<TAB>reason
#   FAIL<TAB>name<TAB>reason
# Nested streams (indented subtests) are followed to their leaves; a parent
# result only counts when it adds information (a "not ok" parent whose
# subtests all passed, e.g. a program that exited non-zero after its last
# test, is one failure). Planned but missing results are failures, and so
# are a stream without a plan, more results than planned, a subtest that
# never got its parent's result line (crash, timeout), "Bail out!", results
# numbered out of sequence, and a subtest announced ("# Subtest: x") that
# printed no TAP at all although its parent says "ok" (a program that exited
# 0 without a plan: its results are unknown, so it did not pass).
#
# Several consecutive top-level streams are fine (the host tier prints one
# per program). Lines that are not TAP are ignored.
#
# Variables (-v): names="a|b|c" names top-level tests 1, 2, 3 when they are
# missing; prefix="x: " goes in front of every name.
#
# Portable awk (mawk, gawk, busybox).

function trim(s)
{
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}

function add(k, line)
{
	buf[k] = (buf[k] == "") ? line : buf[k] "\n" line
}

function count_fail(b,    n, i, a, c)
{
	c = 0
	n = split(b, a, "\n")
	for (i = 1; i <= n; i++)
		if (substr(a[i], 1, 5) == "FAIL\t")
			c++
	return c
}

# Puts "p: " in front of the name field of every line of b.
function prefix_buf(b, p,    n, i, a, out, t)
{
	if (b == "" || p == "")
		return b
	out = ""
	n = split(b, a, "\n")
	for (i = 1; i <= n; i++) {
		t = index(a[i], "\t")
		if (substr(a[i], t + 1, 1) == "\t")	# unnamed: the parent's name
			a[i] = substr(a[i], 1, t) p substr(a[i], t + 1)
		else
			a[i] = substr(a[i], 1, t) p ": " substr(a[i], t + 1)
		out = (out == "") ? a[i] : out "\n" a[i]
	}
	return out
}

function open_stream(i)
{
	sp++
	ind[sp] = i
	plan[sp] = -1
	seen[sp] = 0
	buf[sp] = ""
	bail[sp] = ""
	skipall[sp] = ""
	misnum[sp] = 0
	pend_child[sp] = ""
	sub_name[sp] = (i in pending) ? pending[i] : ""
	delete pending[i]
	if (sp == 1)
		ntop++
}

# Adds the end-of-stream verdicts (missing results, no plan...) to buf[k]
# and sets "incomplete" when there were any.
function finish(k,    j, nm)
{
	incomplete = (plan[k] < 0 || seen[k] != plan[k])
	if (plan[k] < 0) {
		if (seen[k] == 0)
			add(k, "FAIL\t(no results)\tno plan and no test results")
		else
			add(k, "FAIL\t(plan)\tno plan line (1..N) for " seen[k] " results")
	} else if (seen[k] < plan[k]) {
		for (j = seen[k] + 1; j <= plan[k]; j++) {
			nm = "test " j
			if (k == 1 && ntop == 1 && (j in topname))
				nm = topname[j]
			add(k, "FAIL\t" nm "\tmissing: " \
			    (bail[k] != "" ? "bailed out (" bail[k] ")" : \
			     "planned " plan[k] ", got " seen[k]))
		}
	} else if (seen[k] > plan[k]) {
		add(k, "FAIL\t(plan)\t" seen[k] " results but the plan said " plan[k])
	}
	if (plan[k] == 0 && seen[k] == 0 && skipall[k] != "")
		add(k, "SKIP\t\t" skipall[k])	# named by its parent
	if (pend_child[k] != "")
		add(k, pend_child[k])
}

# Closes stream sp when no parent result line will come for it (the
# program died inside a subtest, or the input ended): its results go to the
# level below (or out), with one more failure saying so.
function close_orphan(    b, nm)
{
	finish(sp)
	b = buf[sp]
	nm = sub_name[sp]
	if (sp > 1 || nm != "") {
		b = prefix_buf(b, nm)
		b = (b == "" ? "" : b "\n") "FAIL\t" (nm != "" ? nm : "(subtest)") \
		    "\tno result line after its subtests (crashed or cut off?)"
	}
	sp--
	if (sp == 0)
		emit(b)
	else
		add(sp, b)
}

# Closes stream sp because a new stream starts at the same indent (or it
# bailed out): its results wait for the parent's next result line.
function close_sibling(    b)
{
	finish(sp)
	b = buf[sp]
	sp--
	if (sp == 0)
		emit(b)
	else if (b != "")
		pend_child[sp] = (pend_child[sp] == "") ? b : pend_child[sp] "\n" b
}

function emit(b,    n, i, a, t)
{
	if (b == "")
		return
	n = split(b, a, "\n")
	for (i = 1; i <= n; i++) {
		t = index(a[i], "\t")
		if (substr(a[i], t + 1, 1) == "\t")
			a[i] = substr(a[i], 1, t) "(all tests)" substr(a[i], t + 1)
		print substr(a[i], 1, t) prefix substr(a[i], t + 1)
	}
}

# Pops the streams indented deeper than i. Returns the results of the direct
# child (the stream that a result line at indent i is the parent of) and
# sets had_child and child_incomplete.
function pop_to(i,    b)
{
	b = ""
	while (sp > 0 && ind[sp] > i) {
		if (sp > 1 && ind[sp - 1] > i) {
			close_orphan()
			continue
		}
		finish(sp)
		child_incomplete = incomplete
		b = buf[sp]
		sp--
		had_child = 1
	}
	return b
}

BEGIN {
	sp = 0
	if (names != "") {
		n = split(names, tmp, "|")
		for (j = 1; j <= n; j++)
			topname[j] = tmp[j]
	}
}

{
	sub(/\r$/, "")
	line = $0
	match(line, /^ */)
	i = RLENGTH
	s = substr(line, i + 1)
}

s ~ /^#[ \t]*Subtest:/ {
	nm = s
	sub(/^#[ \t]*Subtest:[ \t]*/, "", nm)
	pending[i] = trim(nm)
	next
}

s ~ /^(K?TAP version|TAP version)/ {
	while (sp > 0 && ind[sp] > i)
		close_orphan()
	if (sp > 0 && ind[sp] == i) {
		if (seen[sp] == 0 && plan[sp] < 0)
			next
		close_sibling()
	}
	open_stream(i)
	next
}

s ~ /^1\.\.[0-9]+[ \t]*(#.*)?$/ {
	while (sp > 0 && ind[sp] > i)
		close_orphan()
	p = s
	sub(/^1\.\./, "", p)
	dir = ""
	if (index(p, "#") > 0) {
		dir = trim(substr(p, index(p, "#") + 1))
		p = substr(p, 1, index(p, "#") - 1)
	}
	p = trim(p) + 0
	if (sp > 0 && ind[sp] == i && plan[sp] >= 0)
		close_sibling()
	if (sp == 0 || ind[sp] < i)
		open_stream(i)
	plan[sp] = p
	if (p == 0)
		skipall[sp] = (dir != "") ? dir : "empty plan"
	next
}

s ~ /^Bail out!/ {
	while (sp > 0 && ind[sp] > i)
		close_orphan()
	if (sp > 0) {
		r = s
		sub(/^Bail out![ \t]*/, "", r)
		bail[sp] = (r != "") ? r : "no reason given"
		close_sibling()
	}
	next
}

s ~ /^(not ok|ok)([ \t]|$)/ {
	had_child = 0
	child_incomplete = 0
	child = pop_to(i)
	# A "# Subtest:" announced deeper than this line that never opened a
	# stream: the child printed nothing that TAP parsers could read.
	silent = ""
	if (!had_child && pend_child[sp] == "")
		for (j in pending)
			if (j + 0 > i) {
				silent = pending[j]
				delete pending[j]
			}
	if (sp == 0 || ind[sp] < i)
		open_stream(i)
	if (pend_child[sp] != "") {
		child = (child == "") ? pend_child[sp] : pend_child[sp] "\n" child
		had_child = 1
		pend_child[sp] = ""
	}
	seen[sp]++
	okay = (substr(s, 1, 2) == "ok")
	r = s
	sub(/^(not ok|ok)[ \t]*/, "", r)
	num = ""
	if (match(r, /^[0-9]+/)) {
		num = substr(r, 1, RLENGTH)
		r = substr(r, RLENGTH + 1)
	}
	sub(/^[ \t]*-?[ \t]*/, "", r)
	dir = ""
	if (r ~ /^#/) {
		dir = trim(substr(r, 2))
		r = ""
	} else if ((h = index(r, " # ")) > 0) {
		dir = trim(substr(r, h + 3))
		r = substr(r, 1, h - 1)
	}
	# Out-of-sequence numbers mean lost or mixed-up output: say so once.
	if (num != "" && num + 0 != seen[sp] && !misnum[sp]) {
		misnum[sp] = 1
		add(sp, "FAIL\t(numbering)\tresult numbered " num " where " seen[sp] " was expected")
	}
	desc = trim(r)
	if (desc == "")
		desc = "test " (num != "" ? num : seen[sp])
	ldir = tolower(dir)
	skip = (ldir ~ /^skip/)
	todo = (ldir ~ /^todo/)

	if (had_child) {
		nf = count_fail(child)
		add(sp, prefix_buf(child, desc))
		# A program that crashed or timed out is a failure of its
		# own besides its missing tests; one that merely reports its
		# failed tests through its exit status is not counted twice.
		if (!okay && !todo && (nf == 0 || child_incomplete))
			add(sp, "FAIL\t" desc "\t" (dir != "" ? dir : "failed after its subtests passed"))
		else if (okay && skip && child == "")
			add(sp, "SKIP\t" desc "\t" dir)
	} else if (skip) {
		add(sp, "SKIP\t" desc "\t" dir)
	} else if (okay && silent != "") {
		add(sp, "FAIL\t" desc "\tprinted no TAP (no plan, no results) but its parent says ok")
	} else if (okay || todo) {
		add(sp, "PASS\t" desc)
	} else {
		add(sp, "FAIL\t" desc "\t" (dir != "" ? dir : "not ok"))
	}
	next
}

END {
	while (sp > 1)
		close_orphan()
	if (sp == 1) {
		finish(1)
		emit(buf[1])
	}
}
