// SPDX-License-Identifier: MIT
/*
 * Every exception mmuon takes is fatal: print what happened, decoded, and
 * power off. Called from vectors.S with the saved registers.
 */
#include <mmuon/console.h>
#include <mmuon/esr.h>
#include <mmuon/layout.h>
#include <mmuon/power.h>

struct frame {
	uint64_t x[30];
	uint64_t lr, sp_el0;
};

struct syndrome {
	uint64_t esr, elr, far, spsr;
};

#define READ_SYSREG(name)                                                      \
	({                                                                     \
		uint64_t v_;                                                   \
		asm volatile("mrs %0, " #name : "=r"(v_));                     \
		v_;                                                            \
	})

static unsigned current_el(void)
{
	return (READ_SYSREG(CurrentEL) >> 2) & 3;
}

static struct syndrome read_syndrome(unsigned el)
{
	if (el == 1)
		return (struct syndrome){
			READ_SYSREG(esr_el1), READ_SYSREG(elr_el1),
			READ_SYSREG(far_el1), READ_SYSREG(spsr_el1)};
	if (el == 2)
		return (struct syndrome){
			READ_SYSREG(esr_el2), READ_SYSREG(elr_el2),
			READ_SYSREG(far_el2), READ_SYSREG(spsr_el2)};
	return (struct syndrome){READ_SYSREG(esr_el3), READ_SYSREG(elr_el3),
				 READ_SYSREG(far_el3), READ_SYSREG(spsr_el3)};
}

static const char *const kinds[] = {"synchronous exception", "IRQ", "FIQ",
				    "SError"};
static const char *const origins[] = {"", " (nested, in the exception handler)",
				      " from a lower EL",
				      " from a lower EL in AArch32"};

void exception_report(unsigned vector, const struct frame *f);
__attribute__((noreturn)) void exception_report(unsigned vector,
						const struct frame *f)
{
	unsigned el = current_el(), i;
	struct syndrome s = read_syndrome(el);
	char reason[96];

	if (!console_present())
		console_use_pl011(EARLY_CRASH_UART);
	esr_describe(s.esr, reason, sizeof(reason));
	printf("\nmmuon: %s at EL%u%s: %s\n", kinds[vector & 3], el,
	       origins[(vector >> 2) & 3],
	       (vector & 3) ? kinds[vector & 3] : reason);
	printf("  ESR  0x%016llx  ELR  0x%016llx\n"
	       "  FAR  0x%016llx  SPSR 0x%016llx\n",
	       (unsigned long long)s.esr, (unsigned long long)s.elr,
	       (unsigned long long)s.far, (unsigned long long)s.spsr);
	for (i = 0; i < 30; i += 2)
		printf("  x%-2u  0x%016llx  x%-2u  0x%016llx\n", i,
		       (unsigned long long)f->x[i], i + 1,
		       (unsigned long long)f->x[i + 1]);
	printf("  lr   0x%016llx  sp   0x%016llx\n", (unsigned long long)f->lr,
	       (unsigned long long)f->sp_el0);
	printf("mmuon: powering off\n");
	power_off();
}
