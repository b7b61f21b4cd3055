/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM entry and exit.
 *
 * int vmx_vmenter(unsigned long *regs, unsigned long *host_rsp, bool launched)
 *
 * Loads the guest GPRs from regs[] (x86 encoding order; RSP comes from the
 * VMCS), clears CPU buffers where the host asks for it, executes VMLAUNCH or
 * VMRESUME, and on VM exit stores them back, applies the host's VM-exit
 * speculation barriers (RSB, legacy IBRS, BHB) and returns 0. Returns 1 if
 * VMLAUNCH/VMRESUME (or the HOST_RSP write) failed, 2 if they faulted.
 * VM exit loads RSP from HOST_RSP and RIP from HOST_RIP = vmx_vmexit
 * (SDM Vol. 3C 28.5.3); everything else a C caller expects (callee-saved
 * registers) is restored here from the stack.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/percpu.h>
#include <asm/ibt.h>
#include <asm/unwind_hints.h>
#include <asm/segment.h>
#include "../compat.h"

#define VMCS_HOST_RSP	0x00006c14

#define R_RAX	(0 * 8)
#define R_RCX	(1 * 8)
#define R_RDX	(2 * 8)
#define R_RBX	(3 * 8)
#define R_RBP	(5 * 8)
#define R_RSI	(6 * 8)
#define R_RDI	(7 * 8)
#define R_R8	(8 * 8)
#define R_R9	(9 * 8)
#define R_R10	(10 * 8)
#define R_R11	(11 * 8)
#define R_R12	(12 * 8)
#define R_R13	(13 * 8)
#define R_R14	(14 * 8)
#define R_R15	(15 * 8)

.section .text, "ax"

SYM_FUNC_START(vmx_vmenter)
	push %rbp
	mov  %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	/* The exit path finds @regs at the top of the stack (= HOST_RSP). */
	push %rdi

	/* HOST_RSP changes only if the caller's stack depth does. */
	cmp %rsp, (%rsi)
	je .Lhost_rsp_ok
	mov %rsp, (%rsi)
	mov $VMCS_HOST_RSP, %rax
	vmwrite %rsp, %rax
	jna .Lvmfail
.Lhost_rsp_ok:
	/*
	 * CF from @launched selects VMRESUME. Not ZF: the VERW below clears
	 * ZF (SDM Vol. 2B VERW); MOVs keep every flag.
	 */
	bt $0, %edx

	mov R_RAX(%rdi), %rax
	mov R_RCX(%rdi), %rcx
	mov R_RDX(%rdi), %rdx
	mov R_RBX(%rdi), %rbx
	mov R_RBP(%rdi), %rbp
	mov R_RSI(%rdi), %rsi
	mov R_R8(%rdi),  %r8
	mov R_R9(%rdi),  %r9
	mov R_R10(%rdi), %r10
	mov R_R11(%rdi), %r11
	mov R_R12(%rdi), %r12
	mov R_R13(%rdi), %r13
	mov R_R14(%rdi), %r14
	mov R_R15(%rdi), %r15
	mov R_RDI(%rdi), %rdi

	/*
	 * MDS, TAA, MMIO stale data, RFDS: overwrite the CPU buffers before
	 * the guest runs, where the host kernel clears them (patched in at
	 * module load, see compat.h; Intel, "Microarchitectural Data
	 * Sampling", VERW with MD_CLEAR microcode). The last memory access
	 * before the entry, so no host data can refill them.
	 */
	ALTERNATIVE_2 "jmp .Lverw_done", "", X86_FEATURE_CLEAR_CPU_BUF, \
		      "", X86_FEATURE_CLEAR_CPU_BUF_VM
	verw mv_verw_sel(%rip)
.Lverw_done:

	UNWIND_HINT_SAVE
	jc .Lvmresume
.Lvmlaunch_insn:
	vmlaunch
	jmp .Lvmfail
.Lvmresume:
.Lvmresume_insn:
	vmresume
	jmp .Lvmfail
	/* Outside VMX operation (VMX turned off for reboot) they #UD. */
	_ASM_EXTABLE(.Lvmlaunch_insn, .Lvmfault)
	_ASM_EXTABLE(.Lvmresume_insn, .Lvmfault)

SYM_INNER_LABEL(vmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	push %rdi
	mov 8(%rsp), %rdi
	mov %rax, R_RAX(%rdi)
	mov %rcx, R_RCX(%rdi)
	mov %rdx, R_RDX(%rdi)
	mov %rbx, R_RBX(%rdi)
	mov %rbp, R_RBP(%rdi)
	mov %rsi, R_RSI(%rdi)
	mov %r8,  R_R8(%rdi)
	mov %r9,  R_R9(%rdi)
	mov %r10, R_R10(%rdi)
	mov %r11, R_R11(%rdi)
	mov %r12, R_R12(%rdi)
	mov %r13, R_R13(%rdi)
	mov %r14, R_R14(%rdi)
	mov %r15, R_R15(%rdi)
	popq R_RDI(%rdi)
	xor %ebx, %ebx			/* return value: VM exit */
	jmp .Lclear_regs

.Lvmfault:
	mov $2, %ebx
	jmp .Lclear_regs

.Lvmfail:
	mov $1, %ebx

.Lclear_regs:
	/*
	 * Leave no guest value in any register, not even in callee-saved ones
	 * reloaded from the stack below (speculation could use them first).
	 * RBX holds the return value, RSP came from HOST_RSP.
	 */
	xor %eax, %eax
	xor %ecx, %ecx
	xor %edx, %edx
	xor %ebp, %ebp
	xor %esi, %esi
	xor %edi, %edi
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d
	xor %r12d, %r12d
	xor %r13d, %r13d
	xor %r14d, %r14d
	xor %r15d, %r15d

	/*
	 * The guest may have trained the return stack buffer: refill it before
	 * the first unbalanced RET (Spectre-RSB; Intel, "Retpoline: A Branch
	 * Target Injection Mitigation", RSB stuffing).
	 */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE

	/*
	 * Legacy IBRS (the host sets IBRS at kernel entry): IBRS protects only
	 * if written after the transition to the more privileged predictor
	 * mode, and a VM exit is such a transition (Intel, "Speculative
	 * Execution Side Channel Mitigations", IBRS). Rewrite the host's value
	 * before the first RET (retbleed); LFENCE so no RET runs before it.
	 */
	ALTERNATIVE "jmp .Lspec_ctrl_done", "", X86_FEATURE_KERNEL_IBRS
	mov $MSR_IA32_SPEC_CTRL, %ecx
	mov PER_CPU_VAR(x86_spec_ctrl_current), %eax
	mov PER_CPU_VAR(x86_spec_ctrl_current + 4), %edx
	wrmsr
	lfence
.Lspec_ctrl_done:

	/*
	 * Branch History Injection: where the host clears the branch history
	 * after a VM exit (X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT), do the same
	 * before any indirect branch the guest's history could steer (Intel,
	 * "Branch History Injection and Intra-mode Branch Target Injection").
	 */
	MV_CLEAR_BRANCH_HISTORY_VMEXIT

	mov %ebx, %eax
	add $8, %rsp
	pop %rbx
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	pop %rbp
	RET
SYM_FUNC_END(vmx_vmenter)

/*
 * The VERW operand: any writable data-segment selector (Intel, "Deep Dive:
 * Intel Analysis of Microarchitectural Data Sampling", VERW with a memory
 * operand). The module's own copy of the kernel's x86_verw_sel, which 7.2
 * exports to KVM only.
 */
	.pushsection .rodata
	.balign 2
SYM_DATA_LOCAL(mv_verw_sel, .word __KERNEL_DS)
	.popsection
