// SPDX-License-Identifier: MIT
/*
 * mmu_off: a QEMU TCG plugin that counts the guest's data accesses (loads
 * and stores, as QEMU performs them) made while the stage 1 MMU of the
 * current translation regime is off, from reset until QEMU exits, in three
 * phases:
 *
 *   firmware  reset .. the kernel's first instruction (see kernel_entry.h)
 *   kernel    the kernel's first instruction .. the first instruction
 *             executed at EL0 (the init: the kernel runs no user code
 *             before it when booting from an initramfs)
 *   user      from there until QEMU exits (kernel and user code)
 *
 * and, over the whole run, by the code that made them: an instruction
 * whose address is in one of the fw= ranges (the firmware's flash image and
 * its runtime code copied to RAM), executed at EL1 or above, is firmware
 * code; every other instruction (the kernel, its EFI stub, QEMU's boot
 * stub, anything at EL0) is other code. The split by code is what says who
 * made an access; the phases only say when.
 *
 * Besides loads and stores it counts block operations: instructions that
 * QEMU carries out on host memory without any memory callback (target/arm
 * helper-a64.c: DC ZVA's helper and the FEAT_MOPS set/copy steps memset or
 * memmove the host page): DC ZVA, DC GVA, DC GZVA, and the FEAT_MOPS
 * CPYP/CPYM/CPYE and SETP/SETM/SETE families, one per execution. A MOPS
 * step that QEMU splits into byte accesses may also report those as loads
 * and stores.
 *
 * It also counts the instructions executed in each phase; the firmware's
 * figure (reset to the kernel's first instruction) repeats exactly for a
 * firmware that neither waits on a timer nor randomises its work.
 * tools/plugin/insn_count.c counts it without the MMU bookkeeping, at less
 * cost.
 *
 * Arguments (-plugin mmu_off.so,arg=value,...):
 *   match=HEX  bytes the kernel's first instruction starts with (up to 4)
 *   fw=START-END  a range of firmware code, hex virtual addresses, END
 *              exclusive (up to 8; mmuon's code runs identity-mapped)
 *   out=PATH   write the result there as JSON (else a summary to QEMU's
 *              log, which needs `-d plugin`)
 *
 * How the MMU state is known without reading registers on every access:
 * loads, stores and block operations only bump per-vCPU counters (inline
 * operations, no call): one set for every instruction, a second one for
 * instructions in a fw= range (decided when the block is translated, from
 * the instruction's address). The state (EL from PSTATE, then SCTLR_ELx.M
 * of that EL's regime) is read at the few places it can change, and the
 * counters' growth since the previous read is then credited to the state
 * that held until then, and to firmware code only if that state's EL is
 * not EL0.
 *
 * ASSUMPTION: EL and SCTLR_ELx.M change only
 *  - at reset (the first block of each vCPU re-reads);
 *  - on exception entry, which lands on VBAR_ELx + a multiple of 0x80 (VBAR
 *    is 2 KiB aligned), always at the start of a block: every block that
 *    starts on a 128-byte boundary (a superset of the vectors) reads
 *    PSTATE.EL, and SCTLR only if the EL changed: an exception taken to the
 *    same EL keeps the regime and its SCTLR;
 *  - by ERET/ERETAA/ERETAB, or by an MSR to a register with op0 = 3,
 *    CRn = 1 (SCTLR_ELx, SCTLR_EL12, HCR_EL2, SCR_EL3, CPACR, ...): these
 *    mark the vCPU dirty, and the next block re-reads; if such an
 *    instruction is not the last of its block, the next instruction
 *    re-reads.
 * QEMU ends a block after ERET and after system register writes that can
 * change the translation regime, and takes interrupts only between blocks,
 * so no access of a block runs under a state other than the one read. Not
 * covered: AArch32 (MCR to SCTLR), a vCPU restarted by PSCI CPU_ON after it
 * ran, HCR_EL2.DC (stage 1 off for EL1&0 but cacheable: counted as on).
 */
#include <stdio.h>
#include <string.h>

#include "kernel_entry.h"
#include "qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* kernel_entered() gets the pattern index in the low 2 bits of a vaddr. */
_Static_assert(KENTRY_MAX_PATTERNS <= 4, "pattern index must fit 2 bits");

enum phase {
	PH_FIRMWARE,
	PH_KERNEL,
	PH_USER,
	PH_N
};
static const char *const phase_name[PH_N] = {"firmware", "kernel", "user"};

/* Who executed the access: see the top of this file. */
enum origin {
	FIRMWARE_CODE,
	OTHER_CODE,
	ORIGIN_N
};
static const char *const origin_name[ORIGIN_N] = {"firmware", "other"};

enum kind {
	LOADS,
	STORES,
	BLOCK_OPS,
	KIND_N
};
static const char *const kind_name[KIND_N] = {"loads", "stores", "block_ops"};

/*
 * One per vCPU. all[], fw[], insns and dirty are updated by inline
 * operations in the generated code; the rest only by this vCPU's callbacks.
 */
struct vcpu {
	uint64_t all[KIND_N]; /* by every instruction */
	uint64_t fw[KIND_N];  /* by instructions in a fw= range */
	uint64_t insns;
	uint64_t dirty; /* state may have changed: re-read at the next block */
	uint64_t credited_all[KIND_N]; /* already credited */
	uint64_t credited_fw[KIND_N];
	uint64_t el;
	uint64_t mmu_off;
	uint64_t known;		    /* the state has been read once */
	uint64_t state_all[KIND_N]; /* all[] when the logged state began */
	uint64_t log_idx;	    /* its entry in logged[], + 1 (0: none) */
};

struct counts {
	uint64_t n[KIND_N];
	uint64_t transitions; /* changes to this MMU state in this phase */
};

#define MAX_LOGGED 64
#define MAX_FW_RANGES 8

struct transition {
	enum phase phase;
	unsigned int el;
	int mmu_off;
	uint64_t vaddr;	    /* of the block or instruction that re-read */
	uint64_t insns;	    /* this vCPU's instructions so far */
	uint64_t n[KIND_N]; /* made in this state, until the next entry */
};

static struct {
	uint64_t start, end; /* [start, end) */
} fw_ranges[MAX_FW_RANGES];
static int nfw_ranges;

static struct qemu_plugin_scoreboard *score;
static qemu_plugin_u64 sb_all[KIND_N], sb_fw[KIND_N], sb_insns, sb_dirty;

static struct {
	struct qemu_plugin_register *cpsr, *sctlr_el1, *sctlr_el2, *sctlr_el3;
	struct qemu_plugin_register *hcr_el2;
} reg;

static GMutex lock; /* protects everything below */
static enum phase phase;
/* [phase][mmu_off][origin]; transitions are kept in [..][OTHER_CODE] */
static struct counts counts[PH_N][2][ORIGIN_N];
static uint64_t insns_at[PH_N]; /* instructions before the phase began */
static uint64_t phase_vaddr[PH_N];
static bool reached[PH_N] = {[PH_FIRMWARE] = true};
static int entry_pattern = -1;
static int entry_el = -1;
static uint64_t state_reads, read_errors; /* full reads (EL changed or dirty) */
static struct transition logged[MAX_LOGGED];
static unsigned int nlogged;
static unsigned int nvcpus;
static const char *out_path;

/* ---- reading the state ------------------------------------------------- */

static struct qemu_plugin_register *find_reg(GArray *regs, const char *name)
{
	guint i;

	for (i = 0; i < regs->len; i++) {
		qemu_plugin_reg_descriptor *d =
			&g_array_index(regs, qemu_plugin_reg_descriptor, i);

		if (!strcmp(d->name, name))
			return d->handle;
	}
	return NULL;
}

static int read_u64(struct qemu_plugin_register *r, uint64_t *val)
{
	static __thread GByteArray *buf;
	int n;

	if (!r)
		return -1;
	if (!buf)
		buf = g_byte_array_sized_new(16);
	g_byte_array_set_size(buf, 0);
	n = qemu_plugin_read_register(r, buf);
	if (n <= 0 || n > 8)
		return -1;
	*val = 0;
	memcpy(val, buf->data, n); /* little-endian guest and host */
	return 0;
}

static int read_el(unsigned int *el)
{
	uint64_t cpsr;

	if (read_u64(reg.cpsr, &cpsr))
		return -1;
	*el = (cpsr >> 2) & 3; /* PSTATE.EL */
	return 0;
}

/*
 * Whether the stage 1 MMU of EL's regime is off. EL0 belongs to EL1&0, or
 * to EL2&0 when HCR_EL2.{E2H,TGE} = {1,1}; with TGE = 1 and E2H = 0 the
 * EL1&0 stage 1 is off whatever SCTLR_EL1 says. (The gdbstub calls
 * SCTLR_EL1 "SCTLR", its AArch32-shared name.)
 */
static int read_mmu_off(unsigned int el, int *mmu_off)
{
	uint64_t hcr = 0, sctlr;
	struct qemu_plugin_register *r;

	if (reg.hcr_el2 && read_u64(reg.hcr_el2, &hcr))
		return -1;
	switch (el) {
	case 3:
		r = reg.sctlr_el3;
		break;
	case 2:
		r = reg.sctlr_el2;
		break;
	case 1:
		r = reg.sctlr_el1;
		break;
	default:
		if ((hcr >> 27 & 1) && !(hcr >> 34 & 1)) { /* TGE, !E2H */
			*mmu_off = 1;
			return 0;
		}
		r = (hcr >> 27 & 1) ? reg.sctlr_el2 : reg.sctlr_el1;
	}
	if (read_u64(r, &sctlr))
		return -1;
	*mmu_off = !(sctlr & 1);
	return 0;
}

/* ---- crediting the counters -------------------------------------------- */

/*
 * Credit what v did since the last call to its current state: the part
 * made by instructions in a fw= range to firmware code, unless at EL0 (no
 * firmware runs there: the range may hold user code), the rest to other
 * code. Lock held.
 */
static void credit(struct vcpu *v)
{
	struct counts *c = counts[phase][v->mmu_off ? 1 : 0];
	int k;

	for (k = 0; k < KIND_N; k++) {
		uint64_t all = v->all[k] - v->credited_all[k];
		uint64_t fw = v->el ? v->fw[k] - v->credited_fw[k] : 0;

		c[FIRMWARE_CODE].n[k] += fw;
		c[OTHER_CODE].n[k] += all - fw;
		v->credited_all[k] = v->all[k];
		v->credited_fw[k] = v->fw[k];
	}
}

/* Lock held; v is the vCPU that got there. */
static void enter_phase(struct vcpu *v, enum phase p, uint64_t vaddr)
{
	if (phase >= p)
		return;
	credit(v);
	phase = p;
	reached[p] = true;
	insns_at[p] = qemu_plugin_u64_sum(sb_insns);
	phase_vaddr[p] = vaddr;
}

/* Close v's entry in logged[]: what it did in that state. Lock held. */
static void close_state(struct vcpu *v)
{
	if (v->log_idx)
		for (int k = 0; k < KIND_N; k++)
			logged[v->log_idx - 1].n[k] =
				v->all[k] - v->state_all[k];
	v->log_idx = 0;
}

/* The reset state and every MMU on/off change. Lock held. */
static void open_state(struct vcpu *v, uint64_t vaddr)
{
	close_state(v);
	memcpy(v->state_all, v->all, sizeof(v->state_all));
	if (nlogged == MAX_LOGGED)
		return;
	logged[nlogged++] = (struct transition){
		.phase = phase,
		.el = (unsigned int)v->el,
		.mmu_off = (int)v->mmu_off,
		.vaddr = vaddr,
		.insns = v->insns,
	};
	v->log_idx = nlogged;
}

static void reread(unsigned int vcpu_index, void *udata)
{
	struct vcpu *v = qemu_plugin_scoreboard_find(score, vcpu_index);
	uint64_t vaddr = (uint64_t)(uintptr_t)udata;
	unsigned int el;
	int mmu_off;
	int err;

	err = read_el(&el);
	/*
	 * Most re-reads are blocks on a 128-byte boundary that no exception
	 * entered, or exceptions taken to the same EL: neither changes the
	 * regime or its SCTLR (only MSR can, and it marks the vCPU dirty).
	 */
	if (!err && v->known && !v->dirty && el == v->el)
		return;
	v->dirty = 0;
	g_mutex_lock(&lock);
	state_reads++;
	if (err || read_mmu_off(el, &mmu_off)) {
		read_errors++; /* keep the previous state; reported at exit */
		g_mutex_unlock(&lock);
		return;
	}
	credit(v);
	if (entry_el < 0)
		entry_el = (int)el;
	if (!v->known || (int)v->mmu_off != mmu_off) {
		if (v->known)
			counts[phase][mmu_off][OTHER_CODE].transitions++;
		v->el = el;
		v->mmu_off = mmu_off;
		v->known = 1;
		open_state(v, vaddr);
	}
	v->el = el;
	if (el == 0)
		enter_phase(v, PH_USER, vaddr);
	g_mutex_unlock(&lock);
}

static void kernel_entered(unsigned int vcpu_index, void *udata)
{
	struct vcpu *v = qemu_plugin_scoreboard_find(score, vcpu_index);
	uintptr_t u = (uintptr_t)udata;

	g_mutex_lock(&lock);
	if (phase == PH_FIRMWARE)
		entry_pattern = (int)(u & 3);
	enter_phase(v, PH_KERNEL, u & ~(uintptr_t)3);
	g_mutex_unlock(&lock);
}

/* ---- instrumentation --------------------------------------------------- */

static bool is_eret(uint32_t insn)
{
	/* ERET, ERETAA, ERETAB */
	return insn == 0xd69f03e0 || insn == 0xd69f0bff || insn == 0xd69f0fff;
}

static bool is_msr_crn1(uint32_t insn)
{
	/* MSR <sysreg>, Xt with op0 = 3 and CRn = 1 */
	return (insn & 0xfff8f000) == 0xd5181000;
}

/*
 * Instructions whose memory writes (or copies) QEMU performs without a
 * memory callback; see the top of this file.
 */
static bool is_block_op(uint32_t insn)
{
	uint32_t sys = insn & 0xffffffe0; /* SYS #op1, Cn, Cm, #op2, Xt */

	/* DC ZVA (op1 3, C7, C4, op2 1), DC GVA (op2 3), DC GZVA (op2 4) */
	if (sys == 0xd50b7420 || sys == 0xd50b7460 || sys == 0xd50b7480)
		return true;
	/* FEAT_MOPS, the "memory copy and memory set" class (CPYF*, CPY*,
	 * SET*, SETG*): bits 29:27 = 011, 25:24 = 01, 21 = 0, 11:10 = 01;
	 * bit 26 and bits 23:22 pick the instruction and its step. */
	return (insn & 0x3b200c00) == 0x19000400;
}

static bool in_firmware(uint64_t vaddr)
{
	for (int i = 0; i < nfw_ranges; i++)
		if (vaddr >= fw_ranges[i].start && vaddr < fw_ranges[i].end)
			return true;
	return false;
}

/* Inline adds to one set of counters (sb: all[] or fw[]). */
static void count_accesses(struct qemu_plugin_insn *insn,
			   const qemu_plugin_u64 *sb, bool block_op)
{
	qemu_plugin_register_vcpu_mem_inline_per_vcpu(
		insn, QEMU_PLUGIN_MEM_R, QEMU_PLUGIN_INLINE_ADD_U64, sb[LOADS],
		1);
	qemu_plugin_register_vcpu_mem_inline_per_vcpu(
		insn, QEMU_PLUGIN_MEM_W, QEMU_PLUGIN_INLINE_ADD_U64, sb[STORES],
		1);
	if (block_op)
		qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
			insn, QEMU_PLUGIN_INLINE_ADD_U64, sb[BLOCK_OPS], 1);
}

static void instrument_insn(struct qemu_plugin_tb *tb, size_t i, size_t n)
{
	struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
	uint32_t op = 0;
	bool have_op =
		qemu_plugin_insn_data(insn, &op, sizeof(op)) == sizeof(op);
	bool block_op = have_op && is_block_op(op);

	qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
		insn, QEMU_PLUGIN_INLINE_ADD_U64, sb_insns, 1);
	count_accesses(insn, sb_all, block_op);
	if (in_firmware(qemu_plugin_insn_vaddr(insn)))
		count_accesses(insn, sb_fw, block_op);

	if (!have_op || (!is_eret(op) && !is_msr_crn1(op)))
		return;
	/* Before it runs (it may trap instead: a spare re-read is harmless). */
	qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
		insn, QEMU_PLUGIN_INLINE_STORE_U64, sb_dirty, 1);
	if (i + 1 < n) {
		struct qemu_plugin_insn *next =
			qemu_plugin_tb_get_insn(tb, i + 1);

		qemu_plugin_register_vcpu_insn_exec_cb(
			next, reread, QEMU_PLUGIN_CB_R_REGS,
			(void *)(uintptr_t)qemu_plugin_insn_vaddr(next));
	}
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	void *udata = (void *)(uintptr_t)vaddr;
	size_t n = qemu_plugin_tb_n_insns(tb);
	size_t i;
	int k;

	(void)id;
	if (vaddr % 0x80 == 0)
		qemu_plugin_register_vcpu_tb_exec_cb(
			tb, reread, QEMU_PLUGIN_CB_R_REGS, udata);
	else
		qemu_plugin_register_vcpu_tb_exec_cond_cb(
			tb, reread, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_COND_NE,
			sb_dirty, 0, udata);

	/* After reread(): the kernel's first block may also be a vector's. */
	k = kentry_tb_match(tb);
	if (k >= 0) {
		/* Blocks are 4-byte aligned: the pattern (< 4) fits below. */
		void *entry = (void *)(uintptr_t)(vaddr | (unsigned int)k);

		qemu_plugin_register_vcpu_tb_exec_cb(
			tb, kernel_entered, QEMU_PLUGIN_CB_NO_REGS, entry);
	}

	for (i = 0; i < n; i++)
		instrument_insn(tb, i, n);
}

static void vcpu_init(qemu_plugin_id_t id, unsigned int vcpu_index)
{
	struct vcpu *v;

	(void)id;
	g_mutex_lock(&lock);
	if (!reg.cpsr) {
		GArray *regs = qemu_plugin_get_registers();

		reg.cpsr = find_reg(regs, "cpsr");
		reg.sctlr_el1 = find_reg(regs, "SCTLR");
		reg.sctlr_el2 = find_reg(regs, "SCTLR_EL2");
		reg.sctlr_el3 = find_reg(regs, "SCTLR_EL3");
		reg.hcr_el2 = find_reg(regs, "HCR_EL2");
		g_array_free(regs, TRUE);
	}
	if (vcpu_index + 1 > nvcpus)
		nvcpus = vcpu_index + 1;
	v = qemu_plugin_scoreboard_find(score, vcpu_index);
	v->dirty = 1; /* the first block reads the reset state */
	v->mmu_off = 1;
	g_mutex_unlock(&lock);
}

/* ---- the result -------------------------------------------------------- */

/* Instructions before the next phase that was reached, or all of them. */
static uint64_t phase_end(int p, uint64_t total_insns)
{
	for (p++; p < PH_N; p++)
		if (reached[p])
			return insns_at[p];
	return total_insns;
}

/* {"loads": n, "stores": n, "block_ops": n} */
static void write_kinds(FILE *f, const uint64_t n[KIND_N])
{
	fprintf(f, "{");
	for (int k = 0; k < KIND_N; k++)
		fprintf(f, "\"%s\": %llu%s", kind_name[k],
			(unsigned long long)n[k], k + 1 < KIND_N ? ", " : "}");
}

/* Both origins' counts of a phase and MMU state, summed into n[]. */
static void sum_origins(int p, int mmu_off, uint64_t n[KIND_N])
{
	for (int k = 0; k < KIND_N; k++)
		n[k] = counts[p][mmu_off][FIRMWARE_CODE].n[k] +
		       counts[p][mmu_off][OTHER_CODE].n[k];
}

static void write_json(FILE *f, uint64_t total_insns)
{
	uint64_t n[KIND_N];
	int p, i, o;

	fprintf(f, "{\n  \"entry_el\": %d,\n", entry_el);
	fprintf(f,
		"  \"kernel_entered\": %s,\n  \"kernel_entry_pattern\": %d,\n",
		reached[PH_KERNEL] ? "true" : "false", entry_pattern);
	fprintf(f, "  \"el0_reached\": %s,\n",
		reached[PH_USER] ? "true" : "false");
	fprintf(f, "  \"state_reads\": %llu,\n  \"read_errors\": %llu,\n",
		(unsigned long long)state_reads,
		(unsigned long long)read_errors);
	fprintf(f, "  \"fw_ranges\": [");
	for (i = 0; i < nfw_ranges; i++)
		fprintf(f, "[%llu, %llu]%s",
			(unsigned long long)fw_ranges[i].start,
			(unsigned long long)fw_ranges[i].end,
			i + 1 < nfw_ranges ? ", " : "");
	fprintf(f, "],\n  \"vcpus\": %u,\n  \"phases\": {\n", nvcpus);
	for (p = 0; p < PH_N; p++) {
		uint64_t insns =
			reached[p] ? phase_end(p, total_insns) - insns_at[p]
				   : 0;

		fprintf(f,
			"    \"%s\": {\"reached\": %s, \"start_vaddr\": %llu, "
			"\"insns\": %llu, \"to_mmu_off\": %llu, "
			"\"to_mmu_on\": %llu, \"mmu_off\": ",
			phase_name[p], reached[p] ? "true" : "false",
			(unsigned long long)phase_vaddr[p],
			(unsigned long long)insns,
			(unsigned long long)counts[p][1][OTHER_CODE]
				.transitions,
			(unsigned long long)counts[p][0][OTHER_CODE]
				.transitions);
		sum_origins(p, 1, n);
		write_kinds(f, n);
		fprintf(f, ", \"mmu_on\": ");
		sum_origins(p, 0, n);
		write_kinds(f, n);
		fprintf(f, "}%s\n", p + 1 < PH_N ? "," : "");
	}
	/* code[origin][phase]: who made the accesses of each phase. */
	fprintf(f, "  },\n  \"code\": {\n");
	for (o = 0; o < ORIGIN_N; o++) {
		fprintf(f, "    \"%s\": {", origin_name[o]);
		for (p = 0; p < PH_N; p++) {
			fprintf(f, "\"%s\": {\"mmu_off\": ", phase_name[p]);
			write_kinds(f, counts[p][1][o].n);
			fprintf(f, ", \"mmu_on\": ");
			write_kinds(f, counts[p][0][o].n);
			fprintf(f, "}%s", p + 1 < PH_N ? ", " : "");
		}
		fprintf(f, "}%s\n", o + 1 < ORIGIN_N ? "," : "");
	}
	fprintf(f, "  },\n  \"transitions\": [\n");
	for (i = 0; i < (int)nlogged; i++) {
		const struct transition *t = &logged[i];

		fprintf(f,
			"    {\"phase\": \"%s\", \"el\": %u, \"mmu\": \"%s\", "
			"\"vaddr\": %llu, \"insns\": %llu, \"accesses\": ",
			phase_name[t->phase], t->el, t->mmu_off ? "off" : "on",
			(unsigned long long)t->vaddr,
			(unsigned long long)t->insns);
		write_kinds(f, t->n);
		fprintf(f, "}%s\n", i + 1 < (int)nlogged ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
}

/* MMU-off accesses (all kinds) of one origin over the whole run. */
static uint64_t mmu_off_total(enum origin o)
{
	uint64_t total = 0;

	for (int p = 0; p < PH_N; p++)
		for (int k = 0; k < KIND_N; k++)
			total += counts[p][1][o].n[k];
	return total;
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	uint64_t total_insns = qemu_plugin_u64_sum(sb_insns);
	unsigned int i;
	char line[256];

	(void)id;
	(void)udata;
	g_mutex_lock(&lock);
	for (i = 0; i < nvcpus; i++) {
		struct vcpu *v = qemu_plugin_scoreboard_find(score, i);

		credit(v);
		close_state(v);
	}
	if (out_path) {
		FILE *f = fopen(out_path, "w");

		if (f) {
			write_json(f, total_insns);
			fclose(f);
		} else {
			qemu_plugin_outs(
				"mmu_off: cannot write the out= file\n");
		}
	}
	snprintf(line, sizeof(line),
		 "mmu_off: MMU-off accesses by firmware code %llu, by other "
		 "code %llu; kernel entered %s, EL0 reached %s\n",
		 (unsigned long long)mmu_off_total(FIRMWARE_CODE),
		 (unsigned long long)mmu_off_total(OTHER_CODE),
		 reached[PH_KERNEL] ? "yes" : "no",
		 reached[PH_USER] ? "yes" : "no");
	qemu_plugin_outs(line);
	g_mutex_unlock(&lock);
	qemu_plugin_scoreboard_free(score);
}

/* fw=START-END, hex, END exclusive. 0 on success. */
static int parse_range(const char *arg)
{
	char *end;
	uint64_t start, stop;

	if (nfw_ranges == MAX_FW_RANGES)
		return -1;
	start = g_ascii_strtoull(arg, &end, 16);
	if (end == arg || *end != '-')
		return -1;
	arg = end + 1;
	stop = g_ascii_strtoull(arg, &end, 16);
	if (end == arg || *end || stop <= start)
		return -1;
	fw_ranges[nfw_ranges].start = start;
	fw_ranges[nfw_ranges].end = stop;
	nfw_ranges++;
	return 0;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info, int argc,
					   char **argv)
{
	int i;

	if (!info->system_emulation || strcmp(info->target_name, "aarch64")) {
		qemu_plugin_outs("mmu_off: needs qemu-system-aarch64\n");
		return -1;
	}
	for (i = 0; i < argc; i++) {
		int r = kentry_parse_arg(argv[i]);

		if (r > 0)
			continue;
		if (r == 0 && !strncmp(argv[i], "out=", 4)) {
			out_path = argv[i] + 4;
			continue;
		}
		if (r == 0 && !strncmp(argv[i], "fw=", 3) &&
		    !parse_range(argv[i] + 3))
			continue;
		fprintf(stderr, "mmu_off: bad argument '%s'\n", argv[i]);
		return -1;
	}
	score = qemu_plugin_scoreboard_new(sizeof(struct vcpu));
	for (i = 0; i < KIND_N; i++) {
		sb_all[i] =
			(qemu_plugin_u64){score, offsetof(struct vcpu, all) +
							 i * sizeof(uint64_t)};
		sb_fw[i] =
			(qemu_plugin_u64){score, offsetof(struct vcpu, fw) +
							 i * sizeof(uint64_t)};
	}
	sb_insns =
		qemu_plugin_scoreboard_u64_in_struct(score, struct vcpu, insns);
	sb_dirty =
		qemu_plugin_scoreboard_u64_in_struct(score, struct vcpu, dirty);
	qemu_plugin_register_vcpu_init_cb(id, vcpu_init);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
