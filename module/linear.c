// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-linear memory accesses by the kernel on the guest's behalf (string
 * I/O, descriptor-table instructions): translated through the guest's page
 * tables (common/x86_walk.c) page by page, then through the slots.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include "mv.h"
#include "../common/x86_walk.h"

static int mv_linear_read_phys(void *ctx, u64 gpa, void *buf, unsigned int len)
{
	return mv_read_guest_phys(ctx, gpa, buf, len);
}

/*
 * Reads or writes len bytes at guest-linear la. Returns 0; -EFAULT with
 * *fault_la set if an address does not translate (the caller raises #PF);
 * -EIO if guest-physical memory is missing or read-only for a write.
 */
int mv_linear_access(struct mv_vcpu *vcpu, u64 la, void *buf, unsigned int len, bool write,
		     u64 *fault_la)
{
	struct mv_fetch_state fs;
	struct x86_paging pg;
	unsigned int chunk;
	u64 gpa;
	int r;

	mv_ops->get_fetch_state(vcpu, &fs);
	pg = (struct x86_paging) { .cr0 = fs.cr0, .cr3 = fs.cr3, .cr4 = fs.cr4,
				   .efer = fs.efer };
	while (len) {
		chunk = min_t(unsigned int, len, PAGE_SIZE - offset_in_page(la));
		if (x86_linear_to_phys(&pg, la, &gpa, mv_linear_read_phys, vcpu->vm)) {
			*fault_la = la;
			return -EFAULT;
		}
		r = write ? mv_write_guest_phys(vcpu->vm, gpa, buf, chunk) :
			    mv_read_guest_phys(vcpu->vm, gpa, buf, chunk);
		if (r)
			return -EIO;
		la += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}
