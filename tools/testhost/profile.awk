# SPDX-License-Identifier: GPL-2.0
#
# Turns the instruction traces of make profile into a profile per exit kind
# and hypervisor. Inputs, in this order:
#   1. symbols: "ADDR TYPE NAME [MODULE]" lines, sorted by address, 16 hex
#      digits: the emulated host's /proc/kallsyms text symbols followed by
#      exitbench's own (nm -n), as tools/testhost/profile prepares them
#   2. Bochs' stdout (bochs.out): port 0xe9 labels
#        MVPROF BEGIN <exit> <hv> ... MVPROF END <exit> <hv> trace=<how>
#      around each run, and between them the trace lines of the debugger
#        (0).[TICK] [0xPHYS] SEG:LINEAR (unk. ctxt): MNEMONIC OPERANDS ; BYTES
# Variables: tsv=FILE (machine-readable copy, "exit<TAB>hv<TAB>key<TAB>value",
#            appended to), kver= and commit= (for the header), top=N (default 12)
#
# Each traced instruction is attributed to the kernel function holding its
# address (the symbol at or below it), to "user:<function>" for exitbench,
# or to "guest" (the real-mode guest runs below 1 MiB). The census counts
# host instructions only (kernel and userspace): the guest's own CPUID or
# RDMSR is the cause of the exit, not part of its cost.
#
# Portable awk (mawk): addresses are compared as 16-digit hex strings.

function hex16(s)
{
	s = tolower(s)
	sub(/^0x/, "", s)
	while (length(s) < 16)
		s = "0" s
	return s
}

# The symbol at or below address a (16-digit hex), "" if none.
function lookup(a,    lo, hi, mid)
{
	if (nsym == 0 || a < saddr[1])
		return ""
	lo = 1
	hi = nsym
	while (lo < hi) {
		mid = int((lo + hi + 1) / 2)
		if (saddr[mid] <= a)
			lo = mid
		else
			hi = mid - 1
	}
	return sname[lo]
}

function classify(mn, ops)
{
	if (mn == "vmread") return "VMREAD"
	if (mn == "vmwrite") return "VMWRITE"
	if (mn ~ /^(f?xsave|xsaveopt|xsavec|xsaves|f?xrstor|xrstors)(64|q)?$/) return "XSAVE/XRSTOR"
	if (mn == "rdmsr") return "RDMSR"
	if (mn == "wrmsr") return "WRMSR"
	if (mn == "cpuid") return "CPUID"
	if (mn == "verw") return "VERW"
	if (mn ~ /^[lms]fence$/) return "FENCE"
	if (mn ~ /^mov/ && ops ~ /(^|[^a-z0-9])%?cr[0-9]+([^0-9]|$)/) return "MOV CR"
	if (mn ~ /^(vmptrld|vmptrst|vmclear|invept|invvpid)$/) return "VMPTRLD/VMCLEAR/INV*"
	if (mn ~ /^(syscall|sysret[lqd]?|iret[lqdw]?|swapgs)$/) return "SYSCALL/SYSRET/IRET/SWAPGS"
	if (mn ~ /^(vmlaunch|vmresume)$/) return "VM ENTRY"
	return ""
}

function start_run(k, h)
{
	lastfn = from = ""
	cur = k SUBSEP h
	if (!(cur in seen)) {
		seen[cur] = 1
		nrun++
		rkind[nrun] = k
		rhv[nrun] = h
		if (!(k in kseen)) {
			kseen[k] = 1
			nkind++
			kinds[nkind] = k
		}
	}
	total[cur] = 0
	tracing = 1
}

BEGIN {
	if (top == "")
		top = 12
	ncls = split("VMREAD|VMWRITE|XSAVE/XRSTOR|RDMSR|WRMSR|CPUID|VERW|FENCE|MOV CR|" \
		     "VMPTRLD/VMCLEAR/INV*|SYSCALL/SYSRET/IRET/SWAPGS|VM ENTRY", cls, "|")
	hvname["mv"] = "minivisor"
	hvname["kvm"] = "kvm-intel"
}

# ---- file 1: symbols ----
FNR == NR {
	nsym++
	saddr[nsym] = hex16($1)
	sname[nsym] = $3 (NF >= 4 ? " " $4 : "")
	if (NF >= 4)
		nmod++
	next
}

{ sub(/\r$/, "") }

/^MVPROF BEGIN / { start_run($3, $4); next }
/^MVPROF END / {
	k = $3 SUBSEP $4
	tracing = 0
	how = $5
	sub(/^trace=/, "", how)
	trace_how[k] = how
	st = $0
	sub(/^.* status=/, "", st)
	rstatus[k] = st
	next
}
/^MVPROF DONE/ { done = 1; next }

# A traced instruction.
tracing && /^\([0-9]+\)\.\[[0-9]+\] / {
	line = $0
	tick = line
	sub(/^\([0-9]+\)\.\[/, "", tick)
	sub(/\].*/, "", tick)
	rest = line
	sub(/^\([0-9]+\)\.\[[0-9]+\] +\[[^]]*\] +/, "", rest)
	# rest: "SEG:LINEAR (unk. ctxt): MNEMONIC OPERANDS ; BYTES"
	split(rest, w, " ")
	lin = w[1]
	sub(/^[0-9a-fA-F]+:/, "", lin)
	lin = hex16(lin)
	insn = rest
	sub(/^[^:]*:[^:]*: */, "", insn)	# drop "SEG:LINEAR (unk. ctxt): "
	sub(/ *;.*$/, "", insn)
	n = split(insn, iw, " ")
	j = 1
	while (j < n && iw[j] ~ /^(rep|repe|repz|repne|repnz|lock|data16|data32|addr16|addr32|o16|o32|a16|a32)$/)
		j++
	mn = tolower(iw[j])
	ops = ""
	for (j++; j <= n; j++)
		ops = ops " " tolower(iw[j])

	total[cur]++
	if (firsttick[cur] == "")
		firsttick[cur] = tick
	lasttick[cur] = tick
	if (lin >= "ffff800000000000") {
		fn = lookup(lin)
		if (fn == "")
			fn = "kernel:?"
		where = "kernel"
	} else if (lin < "0000000000100000") {
		fn = "guest"
		where = "guest"
	} else {
		fn = lookup(lin)
		fn = fn == "" ? "user:?" : "user:" fn
		where = "user"
	}
	part[cur, where]++
	if (fn != lastfn) {
		from = lastfn
		lastfn = fn
	}
	fcount[cur, fn]++
	if (!((cur, fn) in fseen)) {
		fseen[cur, fn] = 1
		nf[cur]++
		fname[cur, nf[cur]] = fn
	}
	if (where != "guest") {
		c = classify(mn, ops)
		if (c != "") {
			census[cur, c]++
			# Leaf wrappers say little; name their caller too.
			if (fn ~ /^(native_(read|write)_msr|native_cpuid|__rdmsr|__wrmsr)/)
				fn = fn " <- " from
			if (!((cur, c, fn) in cwhere))
				cfn[cur, c] = cfn[cur, c] (cfn[cur, c] == "" ? "" : SUBSEP) fn
			cwhere[cur, c, fn]++
		}
		# Intel syntax, destination first: "mov cr3, rdi" writes CR3.
		if (c == "MOV CR" && ops ~ /^ %?cr[0-9]/)
			crw[cur]++
	}
	next
}

function out(k, h, key, val)
{
	if (tsv != "")
		printf "%s\t%s\t%s\t%s\n", k, h, key, val >> tsv
}

function host(r)
{
	return part[r, "kernel"] + part[r, "user"]
}

END {
	if (nsym == 0)
		print "profile.awk: no symbols (the kallsyms dump is missing)" > "/dev/stderr"
	if (nrun == 0) {
		print "profile.awk: no traced runs in Bochs' output" > "/dev/stderr"
		exit 1
	}
	printf "Exit profile: one round trip per exit kind, traced instruction by instruction\n"
	printf "in the emulated host (Bochs 2.7, host kernel %s, 1 CPU), commit %s.\n", kver, commit
	printf "host = kernel + userspace instructions from the guest's exiting instruction\n"
	printf "to its next one; the census counts host instructions only.\n\n"

	# Summary table.
	printf "%-7s %-10s %7s %6s %6s %6s", "exit", "hv", "host", "kernel", "user", "guest"
	for (i = 1; i <= ncls; i++)
		printf " %s", short[i] = abbrev(cls[i])
	printf "\n"
	for (a = 1; a <= nkind; a++) {
		for (hh = 1; hh <= 2; hh++) {
			h = hh == 1 ? "mv" : "kvm"
			r = kinds[a] SUBSEP h
			if (!(r in seen))
				continue
			printf "%-7s %-10s", kinds[a], hvname[h]
			if (trace_how[r] != "closed") {
				printf " %7s  (%s)\n", "-", status_of(r)
				continue
			}
			printf " %7d %6d %6d %6d", host(r), part[r, "kernel"], part[r, "user"],
			       part[r, "guest"]
			for (i = 1; i <= ncls; i++)
				printf(" %" length(short[i]) "d", census[r, cls[i]])
			printf "\n"
		}
	}
	printf "\nColumns: "
	for (i = 1; i <= ncls; i++)
		printf "%s%s = %s", (i > 1 ? ", " : ""), short[i], cls[i]
	printf ".\n"

	# Per run: census and top functions.
	for (a = 1; a <= nkind; a++) {
		for (hh = 1; hh <= 2; hh++) {
			h = hh == 1 ? "mv" : "kvm"
			r = kinds[a] SUBSEP h
			if (!(r in seen))
				continue
			out(kinds[a], h, "trace", trace_how[r] == "" ? "unlabelled" : trace_how[r])
			out(kinds[a], h, "status", rstatus[r] == "" ? "unfinished" : rstatus[r])
			printf "\n== %s on %s: ", kinds[a], hvname[h]
			if (trace_how[r] != "closed") {
				printf "%s\n", status_of(r)
				continue
			}
			printf "%d host instructions (kernel %d, userspace %d), %d guest; %d ticks first to last\n",
			       host(r), part[r, "kernel"], part[r, "user"], part[r, "guest"],
			       lasttick[r] - firsttick[r]
			out(kinds[a], h, "host", host(r))
			out(kinds[a], h, "kernel", part[r, "kernel"] + 0)
			out(kinds[a], h, "user", part[r, "user"] + 0)
			out(kinds[a], h, "guest", part[r, "guest"] + 0)
			line = ""
			for (i = 1; i <= ncls; i++) {
				out(kinds[a], h, cls[i], census[r, cls[i]] + 0)
				if (census[r, cls[i]])
					line = line (line == "" ? "" : ", ") cls[i] " " census[r, cls[i]]
			}
			if (census[r, "MOV CR"])
				sub(/MOV CR [0-9]+/, "& (" crw[r] + 0 " writes)", line)
			out(kinds[a], h, "MOV to CR", crw[r] + 0)
			printf "census: %s\n", line == "" ? "none" : line
			# Where each counted instruction is, by function.
			for (i = 1; i <= ncls; i++) {
				c = cls[i]
				if (!census[r, c])
					continue
				m = split(cfn[r, c], wf, SUBSEP)
				line = ""
				for (j = 1; j <= m; j++)
					line = line (j > 1 ? ", " : "") wf[j] \
					       (cwhere[r, c, wf[j]] > 1 ? " x" cwhere[r, c, wf[j]] : "")
				printf "  %-26s %s\n", c ":", line
			}
			if (host(r) == 0)
				printf "  (no VM exit: the hypervisor lets the guest execute it)\n"
			printf "top functions (instructions):\n"
			# Top functions: selection sort on the few distinct names.
			m = nf[r]
			for (i = 1; i <= m; i++) {
				ord[i] = fname[r, i]
				cnt[i] = fcount[r, ord[i]]
			}
			for (i = 1; i <= m && i <= top; i++) {
				best = i
				for (j = i + 1; j <= m; j++)
					if (cnt[j] > cnt[best])
						best = j
				t = ord[i]; ord[i] = ord[best]; ord[best] = t
				t = cnt[i]; cnt[i] = cnt[best]; cnt[best] = t
				printf "  %6d  %s\n", cnt[i], ord[i]
				out(kinds[a], h, "top" i, cnt[i] " " ord[i])
			}
			if (m > top)
				printf "  (%d more functions)\n", m - top
		}
	}
	if (!done)
		print "profile.awk: the profile did not finish (no MVPROF DONE)" > "/dev/stderr"
}

function status_of(r,    s)
{
	s = rstatus[r]
	if (s ~ /^unhandled/) {
		s = "unhandled:" substr(s, 12)
		if (trace_how[r] == "none")
			return s
	}
	if (trace_how[r] == "none")
		return s " (no trace: the run ended before the traced iteration)"
	if (trace_how[r] == "aborted")
		return s " (trace aborted: the guest stopped between its markers)"
	return "no end label: the run did not finish"
}

function abbrev(c)
{
	if (c == "XSAVE/XRSTOR") return "XSAV"
	if (c == "MOV CR") return "MOVCR"
	if (c == "VMPTRLD/VMCLEAR/INV*") return "VMPTR"
	if (c == "SYSCALL/SYSRET/IRET/SWAPGS") return "SYS"
	if (c == "VM ENTRY") return "ENTRY"
	if (c == "FENCE") return "FENCE"
	return c
}
