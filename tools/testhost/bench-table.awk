# SPDX-License-Identifier: GPL-2.0
#
# Makes the Markdown bench table (bench.md, and the block in README.md) from
# the "bench:" lines of exitbench (bench.txt) and, when given, the
# machine-readable profile of make profile (profile.tsv).
#
# usage: awk -v kver=VER -v commit=C -f bench-table.awk bench.txt [profile.tsv]
#
# Portable awk (mawk).

function label(k)
{
	if (k == "cpuid") return "CPUID (in kernel)"
	if (k == "vmcall") return "VMCALL (in kernel)"
	if (k == "pio") return "port I/O to userspace"
	if (k == "mmio") return "MMIO to userspace"
	if (k == "rdmsr") return "RDMSR IA32_PAT (intercepted)"
	if (k == "wrmsr") return "WRMSR KERNEL_GS_BASE (pass-through in kvm)"
	if (k == "ipi") return "IPI round trip vCPU 0 -> 1 -> 0 (x2APIC MSRs, HLT; per round trip)"
	if (k == "lapic_timer") return "LAPIC timer interrupt (x2APIC, TSC deadline, HLT; per interrupt)"
	if (k == "ipi_xapic") return "IPI round trip, xAPIC MMIO (minivisor: APICv)"
	if (k == "lapic_timer_xapic") return "LAPIC timer interrupt, xAPIC MMIO (minivisor: APICv)"
	if (k == "cpuid_stats_off") return "CPUID, minivisor statistics off (module parameter stats=N)"
	if (k == "cpuid_no_flight") return "CPUID, minivisor statistics without the flight recorder"
	if (k == "cpuid_hist_off") return "CPUID, minivisor statistics without histograms"
	return k
}

# A bench column: a number, "unhandled (exit reason N)", or "failed"/"n/a"
# followed by the reason the comment gives for that side.
function cell(v, who, comment,    m)
{
	if ((v == "failed" || v == "n/a") && match(comment, who ": [^;]+")) {
		m = substr(comment, RSTART + length(who) + 2, RLENGTH - length(who) - 2)
		gsub(/\|/, "/", m)
		return v " (" m ")"
	}
	if (v != "unhandled")
		return v
	m = comment
	if (match(m, who ": internal error: unhandled exit reason [0-9]+")) {
		m = substr(m, RSTART, RLENGTH)
		sub(/.* /, "", m)
		return "unhandled (exit reason " m ")"
	}
	return "unhandled"
}

function head(c)
{
	if (c == "host") return "instructions"
	if (c == "FENCE") return "fences"
	if (c == "VMPTRLD/VMCLEAR/INV*") return "VMPTRLD/VMCLEAR/INVEPT/INVVPID"
	return c
}

function field(s, key,    a, n, i)
{
	n = split(s, a, " ")
	for (i = 1; i <= n; i++)
		if (index(a[i], key "=") == 1)
			return substr(a[i], length(key) + 2)
	return ""
}

# exitbench's "bench-mode:" lines: one exit kind in three VMX modes.
function mode_line(s,    c, w, k, n, i, m)
{
	c = ""
	if (index(s, " # ")) {
		c = substr(s, index(s, " # ") + 3)
		s = substr(s, 1, index(s, " # ") - 1)
	}
	split(s, w, " ")
	k = w[2]
	if (k == "note:") {
		mnote[++mnn] = substr(s, length("bench-mode: note: ") + 1)
		return
	}
	if (k == "owner") {
		for (i = 1; i <= 3; i++) {
			m = i == 1 ? "owned" : i == 2 ? "shared" : "shared_kvm"
			mowner[m] = field(s, m)
		}
		return
	}
	mk[++mnk] = k
	for (i = 1; i <= 3; i++) {
		m = i == 1 ? "owned" : i == 2 ? "shared" : "shared_kvm"
		mv_mode[k, m] = mcell(field(s, m), m, c)
	}
	mr1[k] = field(s, "shared/owned")
	mr2[k] = field(s, "shared_kvm/owned")
	if (mr1[k] == "n/a") mr1[k] = "-"
	if (mr2[k] == "n/a") mr2[k] = "-"
}

# A mode cell, with the reason the comment gives for that mode when it has no figure.
function mcell(v, m, comment,    r)
{
	if (v ~ /^[0-9.-]+$/ || !match(comment, "(^|; )" m ": [^;]+"))
		return v
	r = substr(comment, RSTART, RLENGTH)
	sub(/^; /, "", r)
	r = substr(r, length(m) + 3)
	gsub(/\|/, "/", r)
	return v " (" r ")"
}

function mode_table(    i, k)
{
	if (!mnk)
		return
	printf "\nminivisor's own VMX operation vs shared with kvm_intel (same boot; module\n"
	printf "parameter `vmx_share`; Documentation/design.md, \"Running beside KVM\"). Ticks\n"
	printf "per exit round trip as above. owned: `self` (minivisor's VMXON); shared:\n"
	printf "`kvm` with no KVM vCPU, so no foreign VMCS is current and ours stays current;\n"
	printf "shared, KVM VMCS current: `kvm` while a KVM VM whose vCPU has run is open, so\n"
	printf "minivisor's VMCS is current only in interrupt-off windows. Mode reported by\n"
	printf "`MV_CHECK_CAP(MV_CAP_VMX_OWNER)`: owned=%s, shared=%s, shared with KVM VMCS=%s.\n\n", \
		mowner["owned"], mowner["shared"], mowner["shared_kvm"]
	printf "| exit | owned (`self`) | shared, no KVM VMCS current | shared, KVM VMCS current | shared / owned | KVM VMCS current / owned |\n"
	printf "|---|---|---|---|---|---|\n"
	for (i = 1; i <= mnk; i++) {
		k = mk[i]
		printf "| %s | %s | %s | %s | %s | %s |\n", label(k), mv_mode[k, "owned"], \
			mv_mode[k, "shared"], mv_mode[k, "shared_kvm"], mr1[k], mr2[k]
	}
	if (mnn)
		printf "\n"
	for (i = 1; i <= mnn; i++)
		printf "- %s\n", mnote[i]
}

FNR == NR {
	sub(/\r$/, "")
	if ($0 ~ /^bench-mode: /) {
		mode_line($0)
		next
	}
	if ($0 ~ /^bench: [0-9]+ exits per run/) {
		iters = $2
		sub(/.*median of /, "")
		sub(/ runs.*/, "")
		repeat = $0
		next
	}
	if ($0 ~ /^bench: note: /) {
		nn++
		note[nn] = substr($0, length("bench: note: ") + 1)
		next
	}
	if ($0 !~ /^bench: [a-z_]+ +mv=/)
		next
	comment = ""
	line = $0
	if (index(line, " # ")) {
		comment = substr(line, index(line, " # ") + 3)
		line = substr(line, 1, index(line, " # ") - 1)
	}
	split(line, w, " ")
	k = w[2]
	nk++
	kind[nk] = k
	if (k ~ /^(ipi|lapic_timer)/)
		have_intr = 1
	mv[k] = cell(field(line, "mv"), "minivisor", comment)
	kvm[k] = cell(field(line, "kvm"), "kvm", comment)
	ratio[k] = field(line, "ratio")
	if (ratio[k] == "n/a")
		ratio[k] = "-"
	next
}

# profile.tsv: exit, hv, key, value (tab-separated).
{
	split($0, t, "\t")
	if (t[1] == "-") {
		pmeta[t[3]] = t[4]
		next
	}
	prof[t[1], t[2], t[3]] = t[4]
	have_prof = 1
}

function pcell(k, h, key,    tr)
{
	tr = prof[k, h, "trace"]
	if (tr == "")
		return "?"
	if (tr != "closed")
		return prof[k, h, "status"] ~ /^unhandled/ && key == "host" ? "unhandled" : "-"
	return prof[k, h, key] + 0
}

END {
	printf "Exit cost in the emulated host (`make bench`: Bochs 2.7, host kernel %s, 1 CPU,\n", kver
	printf "commit %s). Ticks per exit round trip; the TSC counts instructions there, so\n", commit
	printf "this is the length of each software path, not silicon cycles (see\n"
	printf "[Documentation/testing.md](Documentation/testing.md)). Median of %s runs of %s\n", repeat, iters
	printf "exits minus the empty loop; lower is better.%s\n\n", have_intr ? \
		" The interrupt rows (ipi*,\nlapic_timer*) are ticks per IPI round trip and per " \
		"timer interrupt, two vCPU\nthreads time-sharing one host CPU for ipi; see the " \
		"notes below the table." : ""
	printf "| exit | minivisor | kvm-intel | ratio |\n|---|---|---|---|\n"
	for (i = 1; i <= nk; i++) {
		k = kind[i]
		printf "| %s | %s | %s | %s |\n", label(k), mv[k], kvm[k], ratio[k]
	}
	if (nn)
		printf "\nNotes (exitbench):\n\n"
	for (i = 1; i <= nn; i++)
		printf "- %s\n", note[i]
	if (!have_prof) {
		mode_table()
		exit 0
	}
	ncls = split("host|VMREAD|VMWRITE|XSAVE/XRSTOR|RDMSR|WRMSR|CPUID|VERW|FENCE|MOV CR|" \
		     "VMPTRLD/VMCLEAR/INV*|SYSCALL/SYSRET/IRET/SWAPGS", cls, "|")
	printf "\nOne round trip instruction by instruction (`make profile`, commit %s):\n", pmeta["commit"]
	printf "host instructions and the expensive ones among them, minivisor / kvm-intel.\n\n"
	printf "| exit |"
	for (c = 1; c <= ncls; c++)
		printf " %s |", head(cls[c])
	printf "\n|---|"
	for (c = 1; c <= ncls; c++)
		printf "---|"
	printf "\n"
	for (i = 1; i <= nk; i++) {
		k = kind[i]
		# rows make profile does not trace (ipi, lapic_timer)
		if (prof[k, "mv", "trace"] == "" && prof[k, "kvm", "trace"] == "")
			continue
		printf "| %s |", label(k)
		for (c = 1; c <= ncls; c++)
			printf " %s / %s |", pcell(k, "mv", cls[c]), pcell(k, "kvm", cls[c])
		printf "\n"
	}
	mode_table()
}
