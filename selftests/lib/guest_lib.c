// SPDX-License-Identifier: GPL-2.0
/*
 * Guest side of ucall and the guest's exception reporting. Compiled with the
 * guest flags (freestanding, no red zone, no SSE, no stack protector).
 */
#include "guest.h"

void guest_memset(void *dst, int c, uint64_t n)
{
	volatile uint8_t *p = dst;

	/* volatile: the compiler must not turn this loop into a memset call. */
	while (n--)
		*p++ = (uint8_t)c;
}

uint64_t guest_strlen(const char *s)
{
	uint64_t n = 0;

	while (s[n])
		n++;
	return n;
}

void ucall_fill(struct ucall *uc, uint64_t cmd, uint64_t nargs, va_list ap)
{
	uint64_t i;

	guest_memset(uc, 0, sizeof(*uc));
	uc->magic = UCALL_MAGIC;
	uc->cmd = cmd;
	uc->nargs = nargs > UCALL_MAX_ARGS ? UCALL_MAX_ARGS : nargs;
	for (i = 0; i < uc->nargs; i++)
		uc->args[i] = va_arg(ap, uint64_t);
}

void ucall_fill_abort(struct ucall *uc, const char *file, uint64_t line,
		      const char *text, uint64_t a, uint64_t b)
{
	guest_memset(uc, 0, sizeof(*uc));
	uc->magic = UCALL_MAGIC;
	uc->cmd = UCALL_ABORT;
	uc->nargs = 2;
	uc->args[0] = a;
	uc->args[1] = b;
	uc->file = (uint64_t)file;
	uc->line = line;
	uc->text = (uint64_t)text;
}

static void ucall_send(struct ucall *uc)
{
	/* "memory": the struct must be in guest memory before the exit. */
	asm volatile("outl %%eax, %%dx"
		     : : "a"((uint32_t)uc->cmd), "d"((uint16_t)UCALL_PORT), "D"(uc)
		     : "memory");
}

void ucall(uint64_t cmd, uint64_t nargs, ...)
{
	struct ucall uc;
	va_list ap;

	va_start(ap, nargs);
	ucall_fill(&uc, cmd, nargs, ap);
	va_end(ap);
	ucall_send(&uc);
}

void guest_abort(const char *file, uint64_t line, const char *text, uint64_t a, uint64_t b)
{
	struct ucall uc;

	ucall_fill_abort(&uc, file, line, text, a, b);
	/* The test fails on an abort and never resumes us; if it does, repeat. */
	for (;;)
		ucall_send(&uc);
}

/* Where the guest_entry.S trampoline goes when a guest function returns. */
__attribute__((noreturn)) void guest_return(uint64_t value);
void guest_return(uint64_t value)
{
	for (;;) {
		ucall(UCALL_DONE, 1, value);
		guest_hlt();
	}
}

/* Called by the exception stubs in guest_entry.S. */
__attribute__((noreturn)) void guest_exception(uint64_t vector, uint64_t error_code,
					       uint64_t rip, uint64_t cr2);
void guest_exception(uint64_t vector, uint64_t error_code, uint64_t rip, uint64_t cr2)
{
	for (;;) {
		ucall(UCALL_EXCEPTION, 4, vector, error_code, rip, cr2);
		guest_hlt();
	}
}
