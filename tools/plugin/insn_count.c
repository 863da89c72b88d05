// SPDX-License-Identifier: MIT
/*
 * insn_count: a QEMU TCG plugin that counts the instructions the guest
 * executes from reset to the kernel's first instruction (the firmware's
 * boot cost, as a count that does not depend on the host's speed) and
 * until QEMU exits.
 *
 * The kernel's first instruction is recognised by its bytes (match=HEX
 * arguments, see kernel_entry.h). Counting is one inline add per
 * instruction and nothing else, so it costs much less than mmu_off.so,
 * which reports the same figure next to its MMU-off counts. The count is
 * exact (an instruction that faults counts as executed); it is repeatable
 * as long as the firmware does not wait on a timer, whose progress depends
 * on the host, or under `-icount shift=0,sleep=off`, which ties the guest's
 * clock to the instruction count (tools/bench.py runs it so).
 *
 * mark=ADDR (hex, up to 8): also record the count when a block starting at
 * virtual address ADDR first runs, so that the cost of one firmware step
 * is the difference between two marks (tools/bench.py marks the entry of
 * mmuon's firmware_tables_install() and the instruction after its call).
 *
 * Arguments: match=HEX (up to 4), mark=ADDR (up to 8), out=PATH (JSON
 * result; else a line to QEMU's log, which needs `-d plugin`). The result is written as soon as
 * the kernel is entered ("complete": false, the total so far), so a caller
 * that only wants the count before the kernel can stop QEMU then, and again
 * at exit with the total ("complete": true).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_entry.h"
#include "qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static struct qemu_plugin_scoreboard *score;
static qemu_plugin_u64 sb_insns;

static GMutex lock; /* protects the three below */
static bool entered;
static uint64_t insns_before_kernel;
static uint64_t kernel_vaddr;
static const char *out_path;

#define MAX_MARKS 8
static struct mark {
	uint64_t vaddr;
	bool reached;
	uint64_t insns; /* executed before the block at vaddr first ran */
} marks[MAX_MARKS];
static unsigned n_marks;

/* Write the JSON result to out_path (replaced whole: renamed into place). */
static void write_result(uint64_t total, bool complete)
{
	char *tmp;
	FILE *f;

	if (!out_path)
		return;
	tmp = g_strconcat(out_path, ".tmp", NULL);
	f = fopen(tmp, "w");
	if (f) {
		fprintf(f,
			"{\"kernel_entered\": %s, \"kernel_vaddr\": %llu, "
			"\"insns_before_kernel\": %llu, \"insns_total\": %llu, "
			"\"complete\": %s, \"marks\": [",
			entered ? "true" : "false",
			(unsigned long long)kernel_vaddr,
			(unsigned long long)insns_before_kernel,
			(unsigned long long)total, complete ? "true" : "false");
		for (unsigned i = 0; i < n_marks; i++) {
			fprintf(f, "%s{\"vaddr\": %llu, \"insns\": ",
				i ? ", " : "",
				(unsigned long long)marks[i].vaddr);
			if (marks[i].reached)
				fprintf(f, "%llu}",
					(unsigned long long)marks[i].insns);
			else
				fprintf(f, "null}");
		}
		fprintf(f, "]}\n");
		if (fclose(f) == 0)
			rename(tmp, out_path);
	}
	g_free(tmp);
}

static void kernel_entered(unsigned int vcpu_index, void *udata)
{
	(void)vcpu_index;
	g_mutex_lock(&lock);
	if (!entered) {
		entered = true;
		/* Block callbacks run before the block's first instruction. */
		insns_before_kernel = qemu_plugin_u64_sum(sb_insns);
		kernel_vaddr = (uint64_t)(uintptr_t)udata;
		write_result(insns_before_kernel, false);
	}
	g_mutex_unlock(&lock);
}

static void mark_reached(unsigned int vcpu_index, void *udata)
{
	struct mark *m = udata;

	(void)vcpu_index;
	g_mutex_lock(&lock);
	if (!m->reached) {
		m->reached = true;
		m->insns = qemu_plugin_u64_sum(sb_insns);
	}
	g_mutex_unlock(&lock);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);
	size_t i;

	(void)id;
	for (i = 0; i < n_marks; i++)
		if (marks[i].vaddr == qemu_plugin_tb_vaddr(tb))
			qemu_plugin_register_vcpu_tb_exec_cb(
				tb, mark_reached, QEMU_PLUGIN_CB_NO_REGS,
				&marks[i]);
	if (kentry_tb_match(tb) >= 0)
		qemu_plugin_register_vcpu_tb_exec_cb(
			tb, kernel_entered, QEMU_PLUGIN_CB_NO_REGS,
			(void *)(uintptr_t)qemu_plugin_tb_vaddr(tb));
	for (i = 0; i < n; i++)
		qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
			qemu_plugin_tb_get_insn(tb, i),
			QEMU_PLUGIN_INLINE_ADD_U64, sb_insns, 1);
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	uint64_t total = qemu_plugin_u64_sum(sb_insns);
	char line[160];

	(void)id;
	(void)udata;
	g_mutex_lock(&lock);
	write_result(total, true);
	g_mutex_unlock(&lock);
	snprintf(line, sizeof(line),
		 "insn_count: %llu instructions before the kernel (%s), "
		 "%llu in all\n",
		 (unsigned long long)insns_before_kernel,
		 entered ? "entered" : "never entered",
		 (unsigned long long)total);
	qemu_plugin_outs(line);
	qemu_plugin_scoreboard_free(score);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info, int argc,
					   char **argv)
{
	int i;

	(void)info;
	for (i = 0; i < argc; i++) {
		int r = kentry_parse_arg(argv[i]);

		if (r > 0)
			continue;
		if (r == 0 && !strncmp(argv[i], "out=", 4)) {
			out_path = argv[i] + 4;
			continue;
		}
		if (r == 0 && !strncmp(argv[i], "mark=", 5) &&
		    n_marks < MAX_MARKS) {
			char *end;

			marks[n_marks].vaddr = strtoull(argv[i] + 5, &end, 16);
			if (*end == 0 && end != argv[i] + 5) {
				n_marks++;
				continue;
			}
		}
		fprintf(stderr, "insn_count: bad argument '%s'\n", argv[i]);
		return -1;
	}
	score = qemu_plugin_scoreboard_new(sizeof(uint64_t));
	sb_insns = (qemu_plugin_u64){score, 0};
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
