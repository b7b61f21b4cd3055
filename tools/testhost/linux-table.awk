# SPDX-License-Identifier: GPL-2.0
#
# The "Linux boot to the marker" part of the bench table (bench.md), from
# the lines of tools/testhost/linuxguest/e2e and linuxboot in bench.txt:
#   bench: linux-boot hv=HV cpus=N ticks=T secs=S
#   bench: linux-boot hv=HV skipped: WHY   /   failed: WHY
#   bench: linux-kvm-stat hv=HV NAME=N        (KVM's debugfs counters)
#   bench: linux-kvm-exit hv=HV-hist reason=R count=C  (kvm_exit histogram)
#   bench: linux-wall hv=HV secs=S            (linux-wall.awk)
# Prints nothing when there is no linux-boot line.
#
# usage: awk -f linux-table.awk bench.txt
# Portable awk (mawk).

function field(s, key,    a, n, i)
{
	n = split(s, a, " ")
	for (i = 1; i <= n; i++)
		if (index(a[i], key "=") == 1)
			return substr(a[i], length(key) + 2)
	return ""
}

# VMX basic exit reasons (Intel SDM Vol. 3D, Appendix C).
function reason(r)
{
	if (r == 0) return "exception or NMI"
	if (r == 1) return "external interrupt"
	if (r == 2) return "triple fault"
	if (r == 7) return "interrupt window"
	if (r == 8) return "NMI window"
	if (r == 9) return "task switch"
	if (r == 10) return "CPUID"
	if (r == 12) return "HLT"
	if (r == 13) return "INVD"
	if (r == 14) return "INVLPG"
	if (r == 15) return "RDPMC"
	if (r == 16) return "RDTSC"
	if (r == 18) return "VMCALL"
	if (r == 28) return "control-register access"
	if (r == 29) return "MOV DR"
	if (r == 30) return "I/O instruction"
	if (r == 31) return "RDMSR"
	if (r == 32) return "WRMSR"
	if (r == 36) return "MWAIT"
	if (r == 39) return "MONITOR"
	if (r == 40) return "PAUSE"
	if (r == 43) return "TPR below threshold"
	if (r == 44) return "APIC access"
	if (r == 45) return "virtualized EOI"
	if (r == 46) return "GDTR/IDTR access"
	if (r == 47) return "LDTR/TR access"
	if (r == 48) return "EPT violation"
	if (r == 49) return "EPT misconfiguration"
	if (r == 52) return "VMX-preemption timer"
	if (r == 54) return "WBINVD"
	if (r == 55) return "XSETBV"
	if (r == 56) return "APIC write"
	if (r == 57) return "RDRAND"
	if (r == 58) return "INVPCID"
	return "reason " r
}

function label(h)
{
	if (h == "mvm") return "minivisor + mvm"
	if (h == "kvm") return "kvm-intel + QEMU -M microvm"
	if (h == "kvm-pc") return "kvm-intel + QEMU -M pc"
	return h
}

{ sub(/\r$/, "") }

/^bench: linux-boot / {
	h = field($0, "hv")
	if (!(h in seen)) {
		seen[h] = 1
		order[++nh] = h
	}
	if (match($0, / (skipped|failed): .*/)) {
		note[h] = substr($0, RSTART + 1)
		next
	}
	cpus[h] = field($0, "cpus")
	ticks[h] = field($0, "ticks")
	secs[h] = field($0, "secs")
	next
}

/^bench: linux-wall / {
	wall[field($0, "hv")] = field($0, "secs")
	next
}

/^bench: linux-kvm-stat / {
	h = field($0, "hv")
	if (field($0, "exits") != "")
		exits[h] = field($0, "exits")
	next
}

/^bench: linux-kvm-exit / {
	h = field($0, "hv")
	sub(/-hist$/, "", h)
	r = field($0, "reason") + 0
	if (!((h, r) in cnt)) {
		if (!(r in rseen)) {
			rseen[r] = 1
			rs[++nr] = r
		}
		hh[h] = 1
	}
	cnt[h, r] += field($0, "count")
	tot[h] += field($0, "count")
	next
}

END {
	if (!nh)
		exit 0
	printf "\nLinux boot to the marker: the emulated host's own kernel with a busybox\n"
	printf "initramfs (tools/testhost/linuxguest/), from the hypervisor's start to the\n"
	printf "guest's first line from /init, in the same boot. Ticks of the emulated\n"
	printf "host's TSC (instructions), the same in emulated seconds (ticks / 200 M),\n"
	printf "wall seconds of this machine, and VM exits until the marker (KVM: its\n"
	printf "debugfs `exits` counter).\n\n"
	printf "| hypervisor | vCPUs | ticks to the marker | emulated s | wall s | exits |\n|---|---|---|---|---|---|\n"
	for (i = 1; i <= nh; i++) {
		h = order[i]
		if (h ~ /-hist$/)
			continue
		if (h in note)
			printf "| %s | - | %s | - | - | - |\n", label(h), note[h]
		else
			printf "| %s | %s | %s | %s | %s | %s |\n", label(h), cpus[h], ticks[h], secs[h],
				(h in wall) ? wall[h] : "-", (h in exits) ? exits[h] : "-"
	}
	if (!nr)
		exit 0
	# Most frequent first (a simple sort: few reasons).
	for (i = 1; i <= nr; i++)
		for (j = i + 1; j <= nr; j++)
			if (cnt["kvm", rs[j]] > cnt["kvm", rs[i]]) {
				t = rs[i]; rs[i] = rs[j]; rs[j] = t
			}
	printf "\nExits by reason until the marker (a second boot with a histogram on the\n"
	printf "`kvm_exit` tracepoint, which slows that boot down; the times above come\n"
	printf "from the boot without it).\n\n"
	printf "| exit reason |"
	for (h in hh)
		printf " %s |", label(h)
	printf "\n|---|"
	for (h in hh)
		printf "---|"
	printf "\n"
	for (i = 1; i <= nr; i++) {
		printf "| %s |", reason(rs[i])
		for (h in hh)
			printf " %d |", cnt[h, rs[i]]
		printf "\n"
	}
	printf "| all |"
	for (h in hh)
		printf " %d |", tot[h]
	printf "\n"
}
