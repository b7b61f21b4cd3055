// SPDX-License-Identifier: GPL-2.0
/*
 * The VMX backend's operations table, the only thing core sees of it.
 */
#include "vmx.h"

static int vmx_vm_init(struct mv_vm *vm)
{
	int r = vmx_ept_vm_init(vm);

	if (!r) {
		r = vmx_apicv_vm_init(vm);
		if (r)
			vmx_ept_vm_destroy(vm);
	}
	return r;
}

static void vmx_vm_destroy(struct mv_vm *vm)
{
	if (vm->arch) {
		vmx_apicv_vm_destroy(vm);
	}
	vmx_ept_vm_destroy(vm);
}

static const struct mv_backend_ops vmx_ops = {
	.name		 = "vmx",
	.exit_reason_name = vmx_exit_reason_name,
	.enable		 = vmx_hw_enable,
	.disable	 = vmx_hw_disable,
	.linger_ms	 = vmx_share_linger,
	.cap		 = vmx_cap,
	.vm_init	 = vmx_vm_init,
	.vm_destroy	 = vmx_vm_destroy,
	.map_page	 = vmx_ept_map_page,
	.zap		 = vmx_ept_zap,
	.flush		 = vmx_ept_flush,
	.mmu_stats	 = vmx_ept_stats,
	.vcpu_create	 = vmx_vcpu_create,
	.vcpu_destroy	 = vmx_vcpu_destroy,
	.vcpu_load	 = vmx_vcpu_load,
	.vcpu_put	 = vmx_vcpu_put,
	.vcpu_run	 = vmx_vcpu_run,
	.get_regs	 = vmx_get_regs,
	.set_regs	 = vmx_set_regs,
	.get_sregs	 = vmx_get_sregs,
	.set_sregs	 = vmx_set_sregs,
	.get_gpr	 = vmx_get_gpr,
	.set_gpr	 = vmx_set_gpr,
	.get_fetch_state = vmx_get_fetch_state,
	.skip_insn	 = vmx_skip_insn,
	.get_events	 = vmx_get_events,
	.set_events	 = vmx_set_events,
	.inject_exception = vmx_inject_exception,
	.queue_gp	 = vmx_queue_gp,
	.queue_exception = vmx_queue_exception_op,
	.get_msr	 = vmx_get_msr,
	.set_msr	 = vmx_set_msr,
	.set_guest_debug = vmx_set_guest_debug,
	.desc_complete	 = vmx_desc_complete,
	.get_rflags	 = vmx_get_rflags,
	.set_rflags	 = vmx_set_rflags,
	.vcpu_run_begin	 = vmx_vcpu_run_begin,
	.vcpu_run_end	 = vmx_vcpu_run_end,
	.irq_allowed	 = vmx_irq_allowed,
	.nmi_allowed	 = vmx_nmi_allowed,
	.inject_irq	 = vmx_inject_irq,
	.inject_nmi	 = vmx_inject_nmi,
	.set_windows	 = vmx_set_windows,
	.init_vcpu	 = vmx_init_vcpu,
	.sipi		 = vmx_sipi,
	.apicv_active	 = vmx_apicv_active,
	.lapic_sync	 = vmx_lapic_sync,
};

int mv_vmx_init(const struct mv_backend_ops **ops)
{
	int r;

	r = vmx_config_setup();
	if (r)
		return r;
	r = vmx_msr_setup();
	if (r)
		return r;
	r = vmx_mitigate_setup();
	if (r)
		goto out_msr;
	r = vmx_cpu_setup();
	if (r)
		goto out_mitigate;
	*ops = &vmx_ops;
	return 0;

out_mitigate:
	vmx_mitigate_teardown();
out_msr:
	vmx_msr_teardown();
	return r;
}

void mv_vmx_exit(void)
{
	vmx_cpu_teardown();
	vmx_mitigate_teardown();
	vmx_msr_teardown();
}
