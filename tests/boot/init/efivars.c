// SPDX-License-Identifier: MIT
/*
 * The test init's EFI variable checks, through efivarfs: Linux's own
 * GetVariable/SetVariable/QueryVariableInfo calls into the firmware's
 * runtime services, after ExitBootServices. Selected with
 * mmuon.vars=MODE[,MODE...] on the kernel command line:
 *
 *   list   one "var" line per test variable (MmuonTest*-<mmuon GUID>, and
 *          Boot0042/BootOrder of the global GUID): what persisted
 *   count  list, then MmuonTestCount = previous + 1: a boot counter (the
 *          libvirt test sees it grow across virsh destroy / start)
 *   boot   writes Boot0042 (a load option) and BootOrder = {0x0042}
 *   info   QueryVariableInfo as efivarfs' statfs reports it
 *   auth   a write with an authenticated-write attribute must fail, and
 *          leave no variable
 *   fill   writes two 20000-byte variables 40 times over, reading each
 *          back (the store reclaims again and again underneath)
 *   loop   the power-loss loop: writes MmuonTestLoss0..7 in turn, forever,
 *          one "varloop" line after each write returned
 *   hold   never powers off: the host pulls the plug (virsh destroy)
 *   bench  SetVariable's latency as the OS sees it (a 64-byte variable
 *          rewritten 100 times), then fills the store: two 20000-byte
 *          variables, 87% of what the OS may use (tools/bench_vars.py)
 *   reclaim  ten rewrites of one of those: with the store that full, each
 *          reclaims the area
 *
 * It also reports the status of the DT's cfi-flash node as the kernel got
 * it ("flash-node"): mmuon disables it so that no driver of the OS drives
 * the variable bank behind the runtime services' back; in ACPI mode, the
 * driver bound to the flash's ACPI device (none).
 *
 * Values are deterministic functions of a counter, so the host can tell
 * which write a variable holds. efivarfs is mounted (its module loaded)
 * by check_efi_runtime() before.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <mmuon/sha256.h>

#include "init.h"

#define EFIVARS "/sys/firmware/efi/efivars"
#define MMUON_GUID "3c6f7a5e-4d1b-4e2a-9b8f-6a1d2c3e4f50"
#define GLOBAL_GUID "8be4df61-93ca-11d2-aa0d-00e098032b8c"

#define NV 0x1
#define BS 0x2
#define RT 0x4
#define TIME_BASED_AUTH 0x20

#define LOOP_VARIABLES 8
#define FILL_VARIABLES 2
#define FILL_SIZE 20000
#define FILL_ROUNDS 40

/* check_efi_runtime() (test_init.c) mounted it, loading the module. */
static int mount_efivarfs(void)
{
	if (mount("efivarfs", EFIVARS, "efivarfs", 0, NULL) == 0 ||
	    errno == EBUSY)
		return 0;
	FAIL("efivarfs", "mount on %s: %s", EFIVARS, strerror(errno));
	return -1;
}

/*
 * efivarfs marks the variables it finds at mount immutable unless Linux
 * knows them (its guard against "rm -rf" bricking a machine): like
 * chattr -i before a write.
 */
static void make_writable(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), flags;

	if (fd < 0)
		return;
	if (!ioctl(fd, FS_IOC_GETFLAGS, &flags) && (flags & FS_IMMUTABLE_FL)) {
		flags &= ~FS_IMMUTABLE_FL;
		ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
	close(fd);
}

/* SetVariable: one write() of attributes + data. 0 or an errno. */
static int write_var(const char *name, uint32_t attributes, const void *data,
		     size_t size)
{
	static uint8_t buf[4 + FILL_SIZE];
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), EFIVARS "/%s", name);
	memcpy(buf, &attributes, 4);
	memcpy(buf + 4, data, size);
	make_writable(path);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	n = write(fd, buf, 4 + size);
	if (n < 0) {
		int e = errno;

		close(fd);
		return e;
	}
	close(fd);
	return (size_t)n == 4 + size ? 0 : EIO;
}

/* GetVariable: the data's size, or -1. */
static ssize_t read_var(const char *name, uint32_t *attributes, void *data,
			size_t size)
{
	static uint8_t buf[4 + FILL_SIZE];
	char path[256];
	ssize_t n = 0, got;
	int fd;

	snprintf(path, sizeof(path), EFIVARS "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((size_t)n < sizeof(buf) &&
	       (got = read(fd, buf + n, sizeof(buf) - n)) > 0)
		n += got;
	close(fd);
	if (n < 4 || (size_t)(n - 4) > size)
		return -1;
	if (attributes)
		memcpy(attributes, buf, 4);
	memcpy(data, buf + 4, n - 4);
	return n - 4;
}

static void hex(char *out, const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < size; i++)
		sprintf(out + 2 * i, "%02x", data[i]);
}

/* "var: INFO Name-GUID attributes=0x7 size=N data=HEX" (or sha256=). */
static void list_one(const char *name)
{
	static uint8_t data[FILL_SIZE];
	static char text[2 * 64 + 1];
	uint32_t attributes;
	ssize_t size = read_var(name, &attributes, data, sizeof(data));

	if (size < 0)
		return;
	if (size <= 64) {
		hex(text, data, size);
		INFO("var", "%s attributes=0x%x size=%zd data=%s", name,
		     attributes, size, text);
	} else {
		struct sha256_ctx s;
		uint8_t digest[SHA256_DIGEST_SIZE];

		sha256_init(&s);
		sha256_update(&s, data, size);
		sha256_final(&s, digest);
		hex(text, digest, sizeof(digest));
		INFO("var", "%s attributes=0x%x size=%zd sha256=%s", name,
		     attributes, size, text);
	}
}

static int is_test_variable(const char *name)
{
	return (!strncmp(name, "MmuonTest", 9) &&
		strstr(name, "-" MMUON_GUID)) ||
	       !strcmp(name, "Boot0042-" GLOBAL_GUID) ||
	       !strcmp(name, "BootOrder-" GLOBAL_GUID);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_variables(void)
{
	static char names[256][128];
	static char *sorted[256];
	struct dirent *e;
	size_t n = 0, i;
	DIR *d = opendir(EFIVARS);

	if (!d) {
		FAIL("var", "cannot list %s: %s", EFIVARS, strerror(errno));
		return;
	}
	while ((e = readdir(d)) && n < 256)
		if (is_test_variable(e->d_name) &&
		    strlen(e->d_name) < sizeof(names[0])) {
			strcpy(names[n], e->d_name);
			sorted[n] = names[n];
			n++;
		}
	closedir(d);
	/* Sorted: the host sees a stable order. */
	qsort(sorted, n, sizeof(sorted[0]), compare_names);
	for (i = 0; i < n; i++)
		list_one(sorted[i]);
	INFO("var-count", "%zu", n);
}

/* The boot counter: what the previous boot left, plus one. */
static void count_boot(void)
{
	const char *name = "MmuonTestCount-" MMUON_GUID;
	uint32_t count = 0;
	int err;

	if (read_var(name, NULL, &count, sizeof(count)) != sizeof(count))
		count = 0;
	count++;
	err = write_var(name, NV | BS | RT, &count, sizeof(count));
	if (err)
		FAIL("var-count-write", "%s: %s", name, strerror(err));
	else
		PASS("var-count-write", "%s=%u", name, count);
}

/*
 * A load option (UEFI 2.10 3.1.3): attributes ACTIVE, a 4-byte file path
 * list holding only the end node, the description "mmuon test". Linux
 * checks the format of Boot#### and BootOrder before it writes them.
 */
static void write_boot_entries(void)
{
	static const char desc[] = "mmuon test";
	uint8_t option[6 + 2 * sizeof(desc) + 4] = {1, 0, 0, 0, 4, 0};
	uint16_t order = 0x0042;
	size_t i;
	int err;

	for (i = 0; i < sizeof(desc); i++)
		option[6 + 2 * i] = desc[i];
	memcpy(option + 6 + 2 * sizeof(desc), "\x7f\xff\x04\x00", 4);
	err = write_var("Boot0042-" GLOBAL_GUID, NV | BS | RT, option,
			sizeof(option));
	if (!err)
		err = write_var("BootOrder-" GLOBAL_GUID, NV | BS | RT, &order,
				sizeof(order));
	if (err)
		FAIL("var-boot-write", "%s", strerror(err));
	else
		PASS("var-boot-write", "Boot0042 and BootOrder=0042");
}

/* EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS: not supported. */
static void write_authenticated(void)
{
	const char *name = "MmuonTestAuth-" MMUON_GUID;
	uint8_t data[64] = {0};
	uint32_t attributes;
	int err = write_var(name, NV | BS | RT | TIME_BASED_AUTH, data,
			    sizeof(data));

	if (!err)
		FAIL("var-auth", "the write was accepted");
	else if (read_var(name, &attributes, data, sizeof(data)) >= 0)
		FAIL("var-auth", "refused (%s), but %s exists", strerror(err),
		     name);
	else
		PASS("var-auth", "refused: %s", strerror(err));
}

/*
 * ACPI mode: each flash device the ACPI tables describe (LNRO0015, as
 * older QEMUs' DSDTs had it) and the driver bound to it, or that there is
 * none (QEMU 10 describes no flash).
 */
static void report_flash_acpi_devices(void)
{
	DIR *d = opendir("/sys/bus/acpi/devices");
	struct dirent *e;
	char path[512], target[256];
	int found = 0;
	ssize_t n;

	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, "LNRO0015:", 9))
			continue;
		snprintf(path, sizeof(path),
			 "/sys/bus/acpi/devices/%s/physical_node/driver",
			 e->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = 0;
		INFO("flash-node", "acpi %s driver=%s", e->d_name,
		     n > 0 ? strrchr(target, '/') + 1 : "none");
		found++;
	}
	if (d)
		closedir(d);
	if (!found)
		INFO("flash-node", "acpi: no flash device described");
}

/* Every cfi-flash node the kernel got, and its status (DT mode). */
static void report_flash_nodes(void)
{
	DIR *d = opendir("/proc/device-tree");
	struct dirent *e;
	char path[512], buf[64];

	if (!d) {
		report_flash_acpi_devices();
		return;
	}
	while ((e = readdir(d))) {
		snprintf(path, sizeof(path), "/proc/device-tree/%s/compatible",
			 e->d_name);
		if (read_file(path, buf, sizeof(buf)) <= 0 ||
		    strcmp(buf, "cfi-flash"))
			continue;
		snprintf(path, sizeof(path), "/proc/device-tree/%s/status",
			 e->d_name);
		if (read_file(path, buf, sizeof(buf)) <= 0)
			strcpy(buf, "okay");
		INFO("flash-node", "cfi-flash status=%s", buf);
	}
	closedir(d);
}

/* QueryVariableInfo(NV|BS|RT), as efivarfs' statfs passes it on. */
static void query_info(void)
{
	struct statfs st;

	if (statfs(EFIVARS, &st)) {
		FAIL("var-info", "statfs: %s", strerror(errno));
		return;
	}
	INFO("var-info", "bsize=%ld blocks=%llu bfree=%llu", (long)st.f_bsize,
	     (unsigned long long)st.f_blocks, (unsigned long long)st.f_bfree);
}

/* The value write number `i` puts in a variable: i, then bytes of i + j. */
static size_t counter_value(uint64_t i, uint8_t *data, size_t size)
{
	size_t j;

	memcpy(data, &i, 8);
	for (j = 8; j < size; j++)
		data[j] = (uint8_t)(i + j);
	return size;
}

static void fill(void)
{
	static uint8_t data[FILL_SIZE], back[FILL_SIZE];
	char name[128];
	unsigned round, v;
	int err;

	for (round = 0; round < FILL_ROUNDS; round++)
		for (v = 0; v < FILL_VARIABLES; v++) {
			uint64_t i = round * FILL_VARIABLES + v;

			snprintf(name, sizeof(name), "MmuonTestFill%u-%s", v,
				 MMUON_GUID);
			counter_value(i, data, FILL_SIZE);
			err = write_var(name, NV | BS | RT, data, FILL_SIZE);
			if (err) {
				FAIL("var-fill", "write %llu of %s: %s",
				     (unsigned long long)i, name,
				     strerror(err));
				return;
			}
			if (read_var(name, NULL, back, sizeof(back)) !=
				    FILL_SIZE ||
			    memcmp(back, data, FILL_SIZE)) {
				FAIL("var-fill",
				     "%s reads back wrong after "
				     "write %llu",
				     name, (unsigned long long)i);
				return;
			}
		}
	PASS("var-fill", "%u writes of %u bytes, each read back",
	     FILL_ROUNDS * FILL_VARIABLES, FILL_SIZE);
}

static uint64_t now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Microseconds of each write of `size` bytes to `name`, `n` times. */
static int time_writes(const char *name, size_t size, unsigned n, uint64_t *us)
{
	static uint8_t data[FILL_SIZE];
	unsigned i;

	for (i = 0; i < n; i++) {
		uint64_t t = now_us();
		int err;

		counter_value(i, data, size);
		err = write_var(name, NV | BS | RT, data, size);
		us[i] = now_us() - t;
		if (err) {
			FAIL("var-bench", "write %u of %s: %s", i, name,
			     strerror(err));
			return -1;
		}
	}
	return 0;
}

static void bench(void)
{
	static uint64_t us[100];
	char name[128];
	unsigned i;

	if (time_writes("MmuonTestBench-" MMUON_GUID, 64, 100, us))
		return;
	qsort(us, 100, sizeof(us[0]), compare_u64);
	INFO("var-bench-set", "writes=100 size=64 median_us=%llu p90_us=%llu",
	     (unsigned long long)us[50], (unsigned long long)us[90]);
	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "MmuonTestBig%u-%s", i,
			 MMUON_GUID);
		if (time_writes(name, FILL_SIZE, 1, us))
			return;
	}
	query_info();
}

/* With the store full (bench, the boot before): rewrites that reclaim. */
static void bench_reclaim(void)
{
	static uint64_t us[10];

	if (time_writes("MmuonTestBig0-" MMUON_GUID, FILL_SIZE, 10, us))
		return;
	qsort(us, 10, sizeof(us[0]), compare_u64);
	INFO("var-bench-reclaim",
	     "writes=10 size=%u median_us=%llu min_us=%llu max_us=%llu",
	     FILL_SIZE, (unsigned long long)us[5], (unsigned long long)us[0],
	     (unsigned long long)us[9]);
}

/* Never returns: the host kills the VM somewhere in here. */
static void power_loss_loop(void)
{
	static uint8_t data[8 + 300];
	char name[128];
	uint64_t i;
	int err;

	for (i = 0;; i++) {
		unsigned k = i % LOOP_VARIABLES;
		size_t size = counter_value(i, data, 8 + (i * 37) % 300);

		snprintf(name, sizeof(name), "MmuonTestLoss%u-%s", k,
			 MMUON_GUID);
		err = write_var(name, NV | BS | RT, data, size);
		if (err) {
			FAIL("varloop", "write %llu: %s", (unsigned long long)i,
			     strerror(err));
			for (;;)
				pause();
		}
		INFO("varloop", "MmuonTestLoss%u %llu", k,
		     (unsigned long long)i);
	}
}

void check_efi_variables(const char *modes)
{
	char list[128], *mode, *save;

	if (access(EFIVARS, F_OK)) {
		FAIL("efivarfs", "no %s: no EFI runtime services?", EFIVARS);
		return;
	}
	report_flash_nodes();
	if (mount_efivarfs())
		return;
	snprintf(list, sizeof(list), "%s", modes);
	for (mode = strtok_r(list, ",", &save); mode;
	     mode = strtok_r(NULL, ",", &save)) {
		if (!strcmp(mode, "list"))
			list_variables();
		else if (!strcmp(mode, "count"))
			list_variables(), count_boot();
		else if (!strcmp(mode, "boot"))
			write_boot_entries();
		else if (!strcmp(mode, "info"))
			query_info();
		else if (!strcmp(mode, "auth"))
			write_authenticated();
		else if (!strcmp(mode, "fill"))
			fill();
		else if (!strcmp(mode, "loop"))
			power_loss_loop();
		else if (!strcmp(mode, "bench"))
			bench();
		else if (!strcmp(mode, "reclaim"))
			bench_reclaim();
		else if (!strcmp(mode, "hold")) {
			INFO("var-hold",
			     "waiting for the host to pull the plug");
			for (;;)
				pause();
		} else
			FAIL("vars", "unknown mode %s", mode);
	}
}
