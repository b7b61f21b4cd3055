# SPDX-License-Identifier: GPL-2.0
#
# Wall seconds of this machine from a hypervisor's start to the Linux
# guest's marker, per hypervisor: when the lines "# HV: running ..." and
# "# HV: marker" (tools/testhost/linuxguest/linuxboot.c) reached the
# emulated host's console, from serial.timeline (wall seconds and console
# size every half second, tools/testhost/boot). Prints
#   bench: linux-wall hv=HV secs=S
# usage: awk -f linux-wall.awk serial.timeline serial.log
# Portable awk (mawk). Byte offsets count the lines' "\n" (and "\r").

FNR == NR { nt++; tt[nt] = $1; ts[nt] = $2; next }

# The first timeline sample whose console size holds OFF bytes.
function at(off,    i)
{
	for (i = 1; i <= nt; i++)
		if (ts[i] + 0 >= off)
			return tt[i]
	return ""
}

{
	off += length($0) + 1
	line = $0
	sub(/\r$/, "", line)
	if (match(line, /^(    )?# [^ :]+: running /)) {
		h = line
		sub(/^ *# /, "", h)
		sub(/:.*/, "", h)
		start[h] = off
		if (!(h in seen)) { seen[h] = 1; order[++nh] = h }
	} else if (match(line, /^(    )?# [^ :]+: marker$/)) {
		h = line
		sub(/^ *# /, "", h)
		sub(/:.*/, "", h)
		mark[h] = off
	}
}

END {
	for (i = 1; i <= nh; i++) {
		h = order[i]
		if (!(h in mark))
			continue
		a = at(start[h])
		b = at(mark[h])
		if (a != "" && b != "")
			printf "bench: linux-wall hv=%s secs=%.1f\n", h, b - a
	}
}
