// SPDX-License-Identifier: MIT
/*
 * span_count: a QEMU TCG plugin that counts the instructions the guest
 * executes from the first time it reaches one address (start=HEX) until it
 * next reaches another (stop=HEX), everything it calls included: the cost
 * of one call of a firmware function, from its entry to the instruction
 * after the call site (tools/bench_vars.py: mounting the variable store).
 *
 * Counting is one inline add per instruction, as in insn_count.c; the two
 * addresses get an instruction callback each. One vCPU (-smp 1).
 *
 * Arguments: start=HEX, stop=HEX, out=PATH (JSON: {"insns": N,
 * "started": bool, "stopped": bool}, written when the span ends, or at
 * exit if it never does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static struct qemu_plugin_scoreboard *score;
static qemu_plugin_u64 sb_insns;
static uint64_t start_addr, stop_addr;
static const char *out_path;

static GMutex lock; /* protects the three below */
static bool started, stopped;
static uint64_t at_start, span;

/* Written as soon as the span ends: the host may kill QEMU then. */
static void write_result(void)
{
	FILE *f = out_path ? fopen(out_path, "w") : NULL;

	if (!f)
		return;
	fprintf(f, "{\"insns\": %llu, \"started\": %s, \"stopped\": %s}\n",
		(unsigned long long)span, started ? "true" : "false",
		stopped ? "true" : "false");
	fclose(f);
}

static void reached_start(unsigned int vcpu_index, void *udata)
{
	(void)vcpu_index;
	(void)udata;
	g_mutex_lock(&lock);
	if (!started) {
		started = true;
		/* Before the instruction at start runs: it is counted. */
		at_start = qemu_plugin_u64_sum(sb_insns);
	}
	g_mutex_unlock(&lock);
}

static void reached_stop(unsigned int vcpu_index, void *udata)
{
	(void)vcpu_index;
	(void)udata;
	g_mutex_lock(&lock);
	if (started && !stopped) {
		stopped = true;
		span = qemu_plugin_u64_sum(sb_insns) - at_start;
		write_result();
	}
	g_mutex_unlock(&lock);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i;

	(void)id;
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t va = qemu_plugin_insn_vaddr(insn);

		/* The callbacks run before the instruction and its count. */
		if (va == start_addr)
			qemu_plugin_register_vcpu_insn_exec_cb(
				insn, reached_start, QEMU_PLUGIN_CB_NO_REGS,
				NULL);
		if (va == stop_addr)
			qemu_plugin_register_vcpu_insn_exec_cb(
				insn, reached_stop, QEMU_PLUGIN_CB_NO_REGS,
				NULL);
		qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
			insn, QEMU_PLUGIN_INLINE_ADD_U64, sb_insns, 1);
	}
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	g_mutex_lock(&lock);
	if (!stopped)
		write_result();
	g_mutex_unlock(&lock);
	qemu_plugin_scoreboard_free(score);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info, int argc,
					   char **argv)
{
	int i;

	(void)info;
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "start=", 6)) {
			start_addr = strtoull(argv[i] + 6, NULL, 16);
		} else if (!strncmp(argv[i], "stop=", 5)) {
			stop_addr = strtoull(argv[i] + 5, NULL, 16);
		} else if (!strncmp(argv[i], "out=", 4)) {
			out_path = argv[i] + 4;
		} else {
			fprintf(stderr, "span_count: bad argument '%s'\n",
				argv[i]);
			return -1;
		}
	}
	if (!start_addr || !stop_addr) {
		fprintf(stderr, "span_count: start= and stop= are needed\n");
		return -1;
	}
	score = qemu_plugin_scoreboard_new(sizeof(uint64_t));
	sb_insns = (qemu_plugin_u64){score, 0};
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
