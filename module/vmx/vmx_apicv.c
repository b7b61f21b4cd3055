// SPDX-License-Identifier: GPL-2.0
/*
 * APIC virtualization (SDM Vol. 3C chapter 30) for the in-kernel local
 * APIC: TPR shadow, APIC-access page, APIC-register virtualization and
 * virtual-interrupt delivery. The LAPIC's register page (lapic.c) is the
 * virtual-APIC page, so the CPU reads registers, writes TPR, delivers
 * interrupts from IRR and performs EOIs there without exits; writes to
 * other registers exit after the write (APIC-write, 30.4.3.2) and EOIs of
 * level-triggered vectors exit (EOI-exit bitmap) so userspace's IOAPIC sees
 * them.
 *
 * It is used while the guest's APIC is enabled in xAPIC mode at the
 * default base; in x2APIC mode, disabled or moved, the vCPU falls back to
 * plain injection (core intr.c) with exits for every APIC access. The
 * module parameter apicv=0 forces the fallback for VMs created while it is
 * 0 (each VM takes the value at creation), so both paths are tested on a
 * CPU that has APICv, in the same boot.
 *
 * Another CPU that sets an IRR bit cannot make this CPU notice it in the
 * guest (no posted interrupts): it kicks the vCPU, and before the next
 * entry core injects the vector, doing what virtual-interrupt delivery
 * would (30.2.2: IRR -> ISR, SVI, RVI, PPR), since Bochs 2.7 never
 * evaluates pending virtual interrupts at VM entry (27.3.2.5). Vectors that
 * become deliverable in the guest (after a virtualized EOI, TPR write or
 * self-IPI) the CPU delivers itself.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include "vmx.h"
#include "../lapic.h"

static bool apicv = true;
module_param(apicv, bool, 0644);
MODULE_PARM_DESC(apicv,
		 "Use APIC virtualization where the CPU has it (0: plain injection); read at VM creation");

#define VMX_APICV_PROC2	(SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES | \
			 SECONDARY_EXEC_APIC_REGISTER_VIRT | \
			 SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY)

/* Whether APICv can be used at all (the CPU, and the module parameter). */
bool vmx_apicv_supported(void)
{
	return READ_ONCE(apicv) && vmx_cfg.has_apicv;
}

bool vmx_apicv_active(struct mv_vcpu *vcpu)
{
	return to_vmx(vcpu)->apicv_on;
}

static int vmx_highest_bit(const void *regs, u32 reg)
{
	int v = mv_lapic_highest(regs, reg);

	return v < 0 ? 0 : v;
}

/* EOI-exit bitmap = TMR: level-triggered vectors exit at EOI (30.1.4). */
static void vmx_apicv_eoi_bitmap(struct vmx_vcpu *vx)
{
	const u8 *regs = vx->vcpu.lapic->regs;
	unsigned int i;
	u64 bm;

	for (i = 0; i < 4; i++) {
		bm = *(const u32 *)(regs + APIC_REG_TMR + 0x20 * i) |
		     (u64)*(const u32 *)(regs + APIC_REG_TMR + 0x20 * i + 0x10) << 32;
		vmcs_write64(EOI_EXIT_BITMAP0 + 2 * i, bm);
	}
}

/* Guest interrupt status: SVI (15:8) = highest ISR, RVI (7:0) = highest IRR. */
static void vmx_apicv_status(struct vmx_vcpu *vx)
{
	const void *regs = vx->vcpu.lapic->regs;

	vmcs_write16(GUEST_INTR_STATUS, vmx_highest_bit(regs, APIC_REG_ISR) << 8 |
					vmx_highest_bit(regs, APIC_REG_IRR));
}

static void vmx_apicv_switch(struct vmx_vcpu *vx, bool on)
{
	struct vmx_vm *ev = to_vmx_vm(vx->vcpu.vm);
	u32 proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL);
	u32 proc2 = vmcs_read32(SECONDARY_VM_EXEC_CONTROL);

	if (on) {
		/* With a TPR shadow, CR8 reads and writes use VTPR (30.3). */
		proc |= CPU_BASED_TPR_SHADOW;
		proc &= ~(CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING);
		proc2 |= VMX_APICV_PROC2;
		vmcs_write64(VIRTUAL_APIC_PAGE_ADDR, virt_to_phys(vx->vcpu.lapic->regs));
		vmcs_write64(APIC_ACCESS_ADDR, page_to_phys(ev->apic_access));
		/* Ignored with virtual-interrupt delivery; 0 passes 26.2.1.1. */
		vmcs_write32(TPR_THRESHOLD, 0);
		vmx_apicv_eoi_bitmap(vx);
		vmx_apicv_status(vx);
	} else {
		proc &= ~CPU_BASED_TPR_SHADOW;
		proc |= CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING;
		proc2 &= ~VMX_APICV_PROC2;
	}
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, proc2);
	vx->apicv_on = on;
}

/* Enabled, xAPIC mode, at the address the APIC-access page is mapped at. */
static bool vmx_apicv_wanted(struct mv_vcpu *vcpu)
{
	u64 base = vcpu->lapic->base;

	return (base & (MV_APIC_BASE_EN | MV_APIC_BASE_EXTD)) == MV_APIC_BASE_EN &&
	       (base & PAGE_MASK) == MV_APIC_DEFAULT_BASE;
}

void vmx_lapic_sync(struct mv_vcpu *vcpu, bool irr)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);
	struct mv_lapic *apic = vcpu->lapic;
	bool want = to_vmx_vm(vcpu->vm)->apic_access && vmx_apicv_wanted(vcpu);

	if (unlikely(want != vx->apicv_on)) {
		vmx_apicv_switch(vx, want);
		return;
	}
	if (!want)
		return;
	if (unlikely(READ_ONCE(apic->tmr_dirty))) {
		WRITE_ONCE(apic->tmr_dirty, false);
		/* Read TMR after clearing the flag: a later change sets it again. */
		smp_mb();
		vmx_apicv_eoi_bitmap(vx);
	}
	/* New IRR bits, or a vector core moved to ISR: RVI and SVI follow the page. */
	if (irr)
		vmx_apicv_status(vx);
}

/*
 * The APIC-access page of a VM, allocated when the VM is created with
 * APICv (its presence is the VM's "APICv on"). The guest never reads or
 * writes it while accesses are virtualized, but EPT must map the APIC
 * page's GPA to it for the CPU to recognise the accesses (SDM Vol. 3C 30.4: with EPT, an access
 * is to the APIC-access page if its guest-physical address translates to
 * the APIC-access address).
 */
int vmx_apicv_vm_init(struct mv_vm *vm)
{
	struct vmx_vm *ev = to_vmx_vm(vm);

	if (!vmx_apicv_supported())
		return 0;
	ev->apic_access = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	return ev->apic_access ? 0 : -ENOMEM;
}

void vmx_apicv_vm_destroy(struct mv_vm *vm)
{
	struct vmx_vm *ev = to_vmx_vm(vm);

	if (ev->apic_access)
		__free_page(ev->apic_access);
}

/* EPT violation on the APIC page while APICv is on: map the access page. */
bool vmx_apicv_ept_fault(struct vmx_vcpu *vx, u64 gpa)
{
	struct vmx_vm *ev = to_vmx_vm(vx->vcpu.vm);

	if (!vx->apicv_on || (gpa & PAGE_MASK) != MV_APIC_DEFAULT_BASE)
		return false;
	return !mv_mmu_map_private(vx->vcpu.vm, MV_APIC_DEFAULT_BASE,
				   page_to_pfn(ev->apic_access));
}

/*
 * APIC-access exit (30.4, exit qualification table 28-6): a linear read
 * or write that is not virtualized (e.g. the timer's current count) is
 * emulated like MMIO, with the LAPIC in the kernel; other access types
 * (instruction fetch, event delivery, page walks) are not.
 */
void vmx_handle_apic_access(struct vmx_vcpu *vx)
{
	unsigned long qual = vmcs_readl(EXIT_QUALIFICATION);
	unsigned int type = (qual >> 12) & 0xf;
	struct mv_exit *e = &vx->vcpu.exit;

	if (type > 1 || !vx->vcpu.lapic) {
		vmx_exit_unhandled(vx, EXIT_REASON_APIC_ACCESS);
		return;
	}
	e->reason = MV_NEXIT_MEMFAULT;
	e->mem.gpa = MV_APIC_DEFAULT_BASE + (qual & 0xfff);
	e->mem.write = type == 1;
}

/* APIC-write exit: trap-like, the value is already in the page (30.4.3.3). */
void vmx_handle_apic_write(struct vmx_vcpu *vx)
{
	mv_lapic_write_trap(&vx->vcpu, vmcs_readl(EXIT_QUALIFICATION) & 0xff0);
}

/* EOI-induced exit: the CPU has done the EOI; only its side effects remain (30.1.4). */
void vmx_handle_eoi_induced(struct vmx_vcpu *vx)
{
	mv_lapic_eoi_vector(&vx->vcpu, vmcs_readl(EXIT_QUALIFICATION) & 0xff);
}
