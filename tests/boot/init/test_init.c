// SPDX-License-Identifier: MIT
/*
 * mmuon boot-test init: runs as PID 1 from the test initramfs and reports
 * what the guest sees, one line per check:
 *
 *     MMUON-TEST <name>: <PASS|FAIL|INFO> <detail>
 *
 * PASS/FAIL are judgements the guest can make alone (checksums, mounts);
 * INFO lines are facts only the host can judge (is EFI expected? which
 * command line was passed?), so pytest compares them. The detail is the
 * rest of the line, verbatim (the command line keeps its quotes and spaces).
 * The last line is "MMUON-TEST done: ...", then the VM powers off (or,
 * with "mmuon.reboot" on the command line, restarts).
 *
 * It must work with and without EFI (QEMU -kernel boots without it), and
 * with and without busybox in the initramfs. With "mmuon.shell" on the
 * kernel command line it starts busybox's shell after the report and powers
 * off when the shell exits; with "mmuon.vars=..." it reads and writes EFI
 * variables (efivars.c).
 *
 * Built static (aarch64-linux-gnu-gcc -static -Os) by tools/mkinitramfs.sh.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/rtc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mmuon/sha256.h>

#include "init.h"

#define PREFIX "MMUON-TEST "
#define RTC_MIN_YEAR 2024

static int n_pass, n_fail;

/*
 * One write() per report line: kernel messages printed concurrently can then
 * only land between lines, not inside one (up to the tty's chunk size).
 */
void report(const char *name, const char *status, const char *fmt, ...)
{
	static char line[8192];
	int n;
	va_list ap;

	n = snprintf(line, sizeof(line), PREFIX "%s: %s ", name, status);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDOUT_FILENO, line, n) < 0) {
		/* Nothing to report to; keep going so the VM still powers off. */
	}
	if (!strcmp(status, "PASS"))
		n_pass++;
	else if (!strcmp(status, "FAIL"))
		n_fail++;
}

/* ---- SHA-256: the firmware's own (src/lib/sha256.c), linked in ------- */

static void sha256_hex(struct sha256_ctx *s, char out[65])
{
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_final(s, digest);
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		sprintf(out + 2 * i, "%02x", digest[i]);
}

/* ---- small helpers --------------------------------------------------------- */

ssize_t read_file(const char *path, char *buf, size_t size)
{
	ssize_t n, got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((size_t)got < size - 1 &&
	       (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = 0;
	return got;
}

static void chomp(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
}

static int mount_fs(const char *type, const char *dir)
{
	mkdir(dir, 0755);
	if (mount(type, dir, type, MS_NOSUID | MS_NOEXEC, NULL) == 0 ||
	    errno == EBUSY) {
		PASS(type, "mounted on %s", dir);
		return 0;
	}
	FAIL(type, "mount on %s: %s", dir, strerror(errno));
	return -1;
}

/*
 * The kernel opens /dev/console for init only if the initramfs (or the
 * kernel's built-in one) provides it; ours is built without root rights and
 * so without device nodes. devtmpfs provides it.
 */
static void ensure_console(void)
{
	int fd;

	if (fcntl(STDOUT_FILENO, F_GETFD) >= 0)
		return;
	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, NULL);
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return;
	dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

/* ---- checks ------------------------------------------------------------- */

/* The kernel's own clock: "uptime" at init's start says how long it took. */
static void check_uptime(const char *name)
{
	char buf[128];

	if (read_file("/proc/uptime", buf, sizeof(buf)) > 0) {
		*strchrnul(buf, ' ') = 0;
		INFO(name, "%s", buf);
	} else {
		FAIL(name, "cannot read /proc/uptime");
	}
}

static void check_efi(void)
{
	char buf[64];
	struct stat st;

	/* Whether EFI is expected is the host's call: QEMU -kernel has none. */
	if (stat("/sys/firmware/efi", &st) != 0) {
		INFO("efi", "absent");
		return;
	}
	if (read_file("/sys/firmware/efi/fw_platform_size", buf, sizeof(buf)) >
	    0)
		chomp(buf);
	else
		strcpy(buf, "?");
	INFO("efi", "present fw_platform_size=%s efivars=%s", buf,
	     stat("/sys/firmware/efi/efivars", &st) == 0 ? "yes" : "no");
}

static char cmdline[8192];

static void check_cmdline(void)
{
	struct sha256_ctx s;
	char hex[65];

	if (read_file("/proc/cmdline", cmdline, sizeof(cmdline)) < 0) {
		FAIL("cmdline", "cannot read /proc/cmdline");
		return;
	}
	/* The kernel appends one newline to /proc/cmdline; the rest is verbatim. */
	if (cmdline[0] && cmdline[strlen(cmdline) - 1] == '\n')
		cmdline[strlen(cmdline) - 1] = 0;
	INFO("cmdline", "%s", cmdline);
	INFO("cmdline-length", "%zu", strlen(cmdline));
	/* A hash survives even if a kernel message splits the long line above. */
	sha256_init(&s);
	sha256_update(&s, cmdline, strlen(cmdline));
	sha256_hex(&s, hex);
	INFO("cmdline-sha256", "%s", hex);
}

static void check_payload(void)
{
	static uint8_t buf[64 * 1024];
	struct sha256_ctx s;
	char want[128], got[65];
	ssize_t n;
	size_t total = 0;
	int fd;

	if (read_file("/payload.sha256", want, sizeof(want)) < 64) {
		FAIL("payload", "cannot read /payload.sha256");
		return;
	}
	want[64] = 0; /* sha256sum format: "<hex>  <name>" */
	fd = open("/payload.bin", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		FAIL("payload", "cannot open /payload.bin: %s",
		     strerror(errno));
		return;
	}
	sha256_init(&s);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		sha256_update(&s, buf, n);
		total += n;
	}
	close(fd);
	sha256_hex(&s, got);
	if (n < 0)
		FAIL("payload", "read error after %zu bytes: %s", total,
		     strerror(errno));
	else if (strcmp(got, want))
		FAIL("payload", "size=%zu sha256=%s expected=%s", total, got,
		     want);
	else
		PASS("payload", "size=%zu sha256=%s", total, got);
}

static void check_rtc(void)
{
	struct rtc_time tm;
	char buf[64];
	int fd = open("/dev/rtc0", O_RDONLY | O_CLOEXEC);
	int year = -1;
	const char *how = "ioctl";

	memset(&tm, 0, sizeof(tm));
	if (fd >= 0 && ioctl(fd, RTC_RD_TIME, &tm) == 0) {
		year = tm.tm_year + 1900;
	} else if (read_file("/sys/class/rtc/rtc0/since_epoch", buf,
			     sizeof(buf)) > 0) {
		/* No /dev (devtmpfs missing) but the class device is there. */
		time_t t = strtoll(buf, NULL, 10);
		struct tm utc;
		gmtime_r(&t, &utc);
		tm.tm_year = utc.tm_year, tm.tm_mon = utc.tm_mon,
		tm.tm_mday = utc.tm_mday;
		tm.tm_hour = utc.tm_hour, tm.tm_min = utc.tm_min,
		tm.tm_sec = utc.tm_sec;
		year = utc.tm_year + 1900;
		how = "sysfs";
	}
	if (fd >= 0)
		close(fd);
	if (year < 0) {
		FAIL("rtc", "no rtc0 (/dev/rtc0: %s)", strerror(errno));
		return;
	}
	report("rtc", year >= RTC_MIN_YEAR ? "PASS" : "FAIL",
	       "%04d-%02d-%02dT%02d:%02d:%02dZ via %s", year, tm.tm_mon + 1,
	       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, how);
}

static void check_iomem(void)
{
	char line[256];
	FILE *f = fopen("/proc/iomem", "re");

	if (!f) {
		FAIL("iomem", "cannot read /proc/iomem");
		return;
	}
	/*
	 * Where the kernel image and RAM ended up: the firmware decides both
	 * (placement, memory map), so the host compares them across boots.
	 */
	while (fgets(line, sizeof(line), f)) {
		char *p = line;
		chomp(line);
		while (*p == ' ')
			p++;
		if (strstr(p, ": Kernel code") || strstr(p, ": Kernel data") ||
		    (p == line && strstr(p, ": System RAM")))
			INFO("iomem", "%s", p);
	}
	fclose(f);
}

/*
 * The kernel's memblock.memory: the RAM it took from the firmware's memory
 * map, nomap regions included (debugfs, CONFIG_ARCH_KEEP_MEMBLOCK). The
 * host checks that the flash at 0 is not among it.
 */
static void check_memblock(void)
{
	char line[256];
	FILE *f;

	mkdir("/sys/kernel/debug", 0755);
	if (mount("debugfs", "/sys/kernel/debug", "debugfs", MS_NOSUID, NULL) !=
		    0 &&
	    errno != EBUSY) {
		INFO("memblock", "unavailable: mount debugfs: %s",
		     strerror(errno));
		return;
	}
	f = fopen("/sys/kernel/debug/memblock/memory", "re");
	if (!f) {
		INFO("memblock", "unavailable: %s", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		chomp(line);
		INFO("memblock", "%s", line);
	}
	fclose(f);
}

/*
 * Loads /lib/modules/<release>/<name>.ko (packed by tools/mkinitramfs.sh
 * from the kernel's own package). 0, or an errno value.
 */
static int load_module(const char *name)
{
	char path[300];
	struct utsname u;
	int fd, rc;

	uname(&u);
	snprintf(path, sizeof(path), "/lib/modules/%s/%s.ko", u.release, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	rc = syscall(SYS_finit_module, fd, "", 0) ? errno : 0;
	close(fd);
	return rc == EEXIST ? 0 : rc;
}

/* The name of the first variable file in /sys/firmware/efi/efivars. */
static int first_variable(char *name, size_t size, int *count)
{
	DIR *d = opendir("/sys/firmware/efi/efivars");
	struct dirent *e;

	*count = 0;
	name[0] = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (!(*count)++)
			snprintf(name, size, "%s", e->d_name);
	}
	closedir(d);
	return 0;
}

/*
 * The names in a directory, space-separated, as one INFO line: what the
 * boot loaders left behind. efivarfs lists every variable the OS can see
 * (shim's volatile mirrors SbatLevelRT, MokListRT... among them);
 * /sys/firmware/efi/mok-variables is shim's MOKvar configuration table.
 */
static void list_names(const char *name, const char *dir)
{
	char line[8192];
	size_t len = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	line[0] = 0;
	while ((e = readdir(d)) && len < sizeof(line) - 1) {
		if (e->d_name[0] == '.')
			continue;
		len += snprintf(line + len, sizeof(line) - len, "%s%s",
				len ? " " : "", e->d_name);
	}
	closedir(d);
	INFO(name, "%s", line);
}

/*
 * The EFI runtime services after ExitBootServices, called by the kernel
 * with its own page tables, which map only what the memory map marks
 * EFI_MEMORY_RUNTIME: efivarfs lists the variables (GetNextVariableName)
 * and reads one (GetVariable); the rtc-efi device reads the time
 * (GetTime). "efi-runtime-disabled" catches a kernel that turned the
 * runtime services off after a fault in them.
 */
static void check_efi_runtime(void)
{
	char name[300], path[400], buf[4096];
	struct stat st;
	ssize_t n;
	int count, rc;
	DIR *d;
	struct dirent *e;

	if (stat("/sys/firmware/efi", &st) != 0)
		return;
	/* Debian builds efivarfs as a module. */
	if (mount("efivarfs", "/sys/firmware/efi/efivars", "efivarfs",
		  MS_NOSUID | MS_NOEXEC, NULL) != 0 &&
	    errno == ENODEV && (rc = load_module("efivarfs")) != 0) {
		FAIL("efivars", "efivarfs module: %s", strerror(rc));
	} else if (mount("efivarfs", "/sys/firmware/efi/efivars", "efivarfs",
			 MS_NOSUID | MS_NOEXEC, NULL) != 0 &&
		   errno != EBUSY) {
		FAIL("efivars", "mount efivarfs: %s", strerror(errno));
	} else if (first_variable(name, sizeof(name), &count) || !count) {
		FAIL("efivars", "no variables listed");
	} else {
		snprintf(path, sizeof(path), "/sys/firmware/efi/efivars/%s",
			 name);
		n = read_file(path, buf, sizeof(buf));
		if (n < 4)
			FAIL("efivars", "%d variables; reading %s: %zd (%s)",
			     count, name, n, n < 0 ? strerror(errno) : "short");
		else
			PASS("efivars",
			     "%d variables; %s: attributes 0x%x, %zd bytes",
			     count, name, *(uint32_t *)buf, n - 4);
	}

	d = opendir("/sys/class/rtc");
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/rtc/%s/name",
			 e->d_name);
		if (read_file(path, buf, sizeof(buf)) <= 0)
			continue;
		/* "<driver> <device>", e.g. "rtc-efi rtc-efi.0" */
		if (strncmp(buf, "rtc-efi ", 8))
			continue;
		snprintf(path, sizeof(path), "/sys/class/rtc/%s/since_epoch",
			 e->d_name);
		if (read_file(path, buf, sizeof(buf)) <= 0) {
			FAIL("efi-rtc", "%s: reading since_epoch: %s",
			     e->d_name, strerror(errno));
		} else {
			time_t t = strtoll(buf, NULL, 10);
			struct tm utc;

			gmtime_r(&t, &utc);
			report("efi-rtc",
			       utc.tm_year + 1900 >= RTC_MIN_YEAR ? "PASS"
								  : "FAIL",
			       "%s: %04d-%02d-%02dT%02d:%02d:%02dZ", e->d_name,
			       utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
			       utc.tm_hour, utc.tm_min, utc.tm_sec);
		}
		closedir(d);
		return;
	}
	if (d)
		closedir(d);
	INFO("efi-rtc", "absent (no rtc-efi device)");
}

/*
 * mmuon's boot statistics as an EFI variable (src/boot/boot_stats.c): the
 * attributes (4 bytes), then the same text as /chosen/mmuon,boot-stats.
 * Through efivarfs (mounted by check_efi_runtime()), so it can be read
 * whether the kernel booted with a DT or with ACPI (no /proc/device-tree).
 */
#define BOOT_STATS_VARIABLE                                                    \
	"/sys/firmware/efi/efivars/"                                           \
	"MmuonBootStats-3c6f7a5e-4d1b-4e2a-9b8f-6a1d2c3e4f50"

/*
 * Where the kernel found the initrd (DT linux,initrd-start when the stub
 * put it there; the kernel's own memblock log otherwise, see the host
 * test) and what mmuon says it did (its boot statistics, from the EFI
 * variable and from /chosen/mmuon,boot-stats): the host compares them with
 * each other and with mmuon's console lines.
 */
static void check_placement(void)
{
	unsigned char be[8];
	char buf[512];
	ssize_t n;
	int fd;

	fd = open("/proc/device-tree/chosen/linux,initrd-start", O_RDONLY);
	if (fd >= 0) {
		n = read(fd, be, sizeof(be));
		close(fd);
		if (n == 8 || n == 4) {
			unsigned long long v = 0;

			for (ssize_t i = 0; i < n; i++)
				v = (v << 8) | be[i];
			INFO("initrd-start", "0x%llx", v);
		}
	}
	n = read_file("/proc/device-tree/chosen/mmuon,boot-stats", buf,
		      sizeof(buf));
	if (n > 0) {
		chomp(buf);
		INFO("bootstats", "%s", buf);
	}
	n = read_file(BOOT_STATS_VARIABLE, buf, sizeof(buf));
	if (n > 4) {
		chomp(buf + 4);
		INFO("bootstats-efivar", "%s", buf + 4);
	}
	/* With memblock=debug the kernel logs where it reserves the initrd. */
}

static void check_dmesg(void)
{
	static const char *const firmware_marks[] = {
		"EFI stub: ERROR", "EFI stub: WARNING", "[Firmware Bug]",
		"FIRMWARE BUG",	   "[Firmware Warn]",
	};
	/* What Linux says when a BAR does not fit ("BAR 4 [mem size
	 * 0x4000 64bit pref]: can't assign; no space", "failed to assign"). */
	static const char *const pci_marks[] = {
		"no space",
		"failed to assign",
		"can't assign",
		"can't claim",
	};
	int pci_hits = 0;
	char *buf, *line, *next;
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	int n, hits = 0;
	size_t i;

	if (size <= 0 || !(buf = malloc(size + 1))) {
		FAIL("dmesg", "klogctl size: %s", strerror(errno));
		return;
	}
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (n < 0) {
		FAIL("dmesg", "klogctl read: %s", strerror(errno));
		free(buf);
		return;
	}
	buf[n] = 0;
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (line[0] == '<' && (line = strchr(line, '>')))
			line++; /* drop the "<level>" prefix */
		if (!line)
			break;
		for (i = 0;
		     i < sizeof(firmware_marks) / sizeof(firmware_marks[0]);
		     i++) {
			if (strstr(line, firmware_marks[i])) {
				INFO("dmesg-firmware", "%s", line);
				hits++;
				break;
			}
		}
		if (strstr(line, "BAR")) {
			for (i = 0;
			     i < sizeof(pci_marks) / sizeof(pci_marks[0]);
			     i++) {
				if (strstr(line, pci_marks[i])) {
					INFO("dmesg-pci", "%s", line);
					pci_hits++;
					break;
				}
			}
		}
		/* The kernel's own summary of the firmware it found ("EFI v2.x by"). */
		if (strstr(line, "] efi: "))
			INFO("dmesg-efi", "%s", strstr(line, "] efi: ") + 2);
	}
	free(buf);
	report("dmesg-firmware-count", hits ? "FAIL" : "PASS", "%d", hits);
	report("dmesg-pci-count", pci_hits ? "FAIL" : "PASS", "%d", pci_hits);
}

/* ---- disks (mmuon.disks=N) ------------------------------------------------- */

/*
 * In dependency order. Debian's cloud kernels build these as modules, the
 * virtio core too in 6.1 (built in in 6.12: no .ko was packed for it).
 */
static const char *const disk_modules[] = {
	"scsi_common",
	"scsi_mod",
	"cdrom",
	"sd_mod",
	"sr_mod",
	"virtio_ring",
	"virtio",
	"virtio_pci_modern_dev",
	"virtio_pci_legacy_dev",
	"virtio_pci",
	"virtio_scsi",
	"virtio_blk",
	"virtio_mmio",
};

/* Whether the initramfs has this kernel's @name.ko. */
static int module_packed(const char *name)
{
	char path[300];
	struct utsname u;

	uname(&u);
	snprintf(path, sizeof(path), "/lib/modules/%s/%s.ko", u.release, name);
	return access(path, R_OK) == 0;
}

static int is_disk(const char *name)
{
	return strncmp(name, "loop", 4) && strncmp(name, "ram", 3) &&
	       strncmp(name, "zram", 4) && name[0] != '.';
}

static int count_disks(void)
{
	DIR *d = opendir("/sys/block");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += is_disk(e->d_name);
	if (d)
		closedir(d);
	return n;
}

static long sysfs_long(const char *fmt, const char *a, const char *b)
{
	char path[300], buf[64];

	snprintf(path, sizeof(path), fmt, a, b);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

/* SHA-256 of the disk's first MiB (all of it, if smaller). */
static void disk_sha256(const char *name, char out[65])
{
	static unsigned char buf[1 << 20];
	struct sha256_ctx s;
	char path[300];
	ssize_t n = 0, r;
	int fd;

	snprintf(path, sizeof(path), "/dev/%s", name);
	strcpy(out, "-");
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	while (n < (ssize_t)sizeof(buf) &&
	       (r = read(fd, buf + n, sizeof(buf) - n)) > 0)
		n += r;
	close(fd);
	sha256_init(&s);
	sha256_update(&s, buf, n);
	sha256_hex(&s, out);
}

/* Each partition as name:start:size (512-byte sectors). */
static void disk_partitions(const char *disk, char *out, size_t size)
{
	char path[300];
	struct dirent *e;
	size_t used = 0;
	DIR *d;

	out[0] = 0;
	snprintf(path, sizeof(path), "/sys/block/%s", disk);
	d = opendir(path);
	while (d && (e = readdir(d))) {
		long start, len;

		if (strncmp(e->d_name, disk, strlen(disk)))
			continue;
		start = sysfs_long("/sys/block/%s/%s/start", disk, e->d_name);
		len = sysfs_long("/sys/block/%s/%s/size", disk, e->d_name);
		used += snprintf(out + used, used < size ? size - used : 0,
				 "%s%s:%ld:%ld", used ? "," : "", e->d_name,
				 start, len);
	}
	if (d)
		closedir(d);
}

/*
 * With mmuon.disks=N on the command line: the storage drivers loaded,
 * then (once N disks are there, or after 10 s) one line per disk --
 * what Linux sees of the disks the firmware saw: size, block size,
 * read-only, its partitions and the SHA-256 of its first MiB.
 */
static void check_disks(void)
{
	const char *arg = strstr(cmdline, "mmuon.disks=");
	int want, i, rc;
	DIR *d;
	struct dirent *e;

	if (!arg)
		return;
	want = atoi(arg + strlen("mmuon.disks="));
	for (i = 0; i < (int)(sizeof(disk_modules) / sizeof(disk_modules[0]));
	     i++) {
		if (!module_packed(disk_modules[i]))
			continue; /* built in */
		rc = load_module(disk_modules[i]);
		if (rc)
			FAIL("disk-modules", "%s: %s", disk_modules[i],
			     strerror(rc));
	}
	/* SCSI scans and probes finish after the modules load. */
	for (i = 0; i < 100 && count_disks() < want; i++)
		usleep(100000);
	d = opendir("/sys/block");
	while (d && (e = readdir(d))) {
		char sha[65], parts[1024];

		if (!is_disk(e->d_name))
			continue;
		disk_sha256(e->d_name, sha);
		disk_partitions(e->d_name, parts, sizeof(parts));
		INFO("disk", "%s size=%ld lbs=%ld ro=%ld sha256=%s parts=%s",
		     e->d_name,
		     sysfs_long("/sys/block/%s/size%s", e->d_name, ""),
		     sysfs_long("/sys/block/%s/queue/logical_block_size%s",
				e->d_name, ""),
		     sysfs_long("/sys/block/%s/ro%s", e->d_name, ""), sha,
		     parts);
	}
	if (d)
		closedir(d);
	report("disk-count", count_disks() == want ? "PASS" : "FAIL",
	       "%d (want %d)", count_disks(), want);
}

static void check_cpus(void)
{
	char buf[64] = "?";

	if (read_file("/sys/devices/system/cpu/online", buf, sizeof(buf)) > 0)
		chomp(buf);
	INFO("cpus", "%ld (online: %s)", sysconf(_SC_NPROCESSORS_ONLN), buf);
}

/* ---- ACPI, DT and SMBIOS: what the firmware told the kernel ----------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ACPI tables the kernel found, or "absent" (DT mode). */
static void check_acpi_tables(void)
{
	char *names[64], list[1024] = "";
	struct dirent *d;
	size_t n = 0;
	DIR *dir = opendir("/sys/firmware/acpi/tables");

	if (!dir) {
		INFO("acpi-tables", "absent");
		return;
	}
	while ((d = readdir(dir)) && n < 64)
		if (d->d_type == DT_REG)
			names[n++] = strdup(d->d_name);
	closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (size_t i = 0; i < n; i++) {
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", i ? " " : "", names[i]);
		free(names[i]);
	}
	INFO("acpi-tables", "%s", list);
}

/* Whether the kernel runs on a DT (it unflattens none in ACPI mode). */
static void check_devicetree(void)
{
	char compatible[128] = "";
	ssize_t n;

	n = read_file("/proc/device-tree/compatible", compatible,
		      sizeof(compatible));
	if (n < 0 && access("/proc/device-tree", F_OK) != 0) {
		INFO("devicetree", "absent");
		return;
	}
	INFO("devicetree", "present compatible=%s", n > 0 ? compatible : "");
}

/* One structure's raw bytes from /sys/firmware/dmi/entries/T-I/raw. */
static ssize_t dmi_raw(const char *entry, char *buf, size_t size)
{
	char path[320];

	snprintf(path, sizeof(path), "/sys/firmware/dmi/entries/%s/raw", entry);
	return read_file(path, buf, size);
}

/*
 * DMI as userspace sees it (dmidecode, systemd, cloud-init): the id
 * fields, which structure types exist, the OEM strings (type 11) and the
 * BIOS characteristics of type 0.
 */
static void check_dmi(void)
{
	static const char *const fields[] = {
		"bios_vendor",	  "bios_version",   "bios_date",
		"sys_vendor",	  "product_name",   "product_version",
		"product_serial", "chassis_vendor", "board_vendor",
	};
	char buf[1024], path[96], types[512] = "";
	unsigned char raw[512];
	int present[256] = {0};
	struct dirent *d;
	DIR *dir;
	ssize_t n;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		snprintf(path, sizeof(path), "/sys/class/dmi/id/%s", fields[i]);
		if (read_file(path, buf, sizeof(buf)) >= 0) {
			char name[64];

			chomp(buf);
			snprintf(name, sizeof(name), "dmi-%s", fields[i]);
			INFO(name, "%s", buf);
		}
	}
	dir = opendir("/sys/firmware/dmi/entries");
	if (!dir) {
		INFO("dmi-types", "absent");
		return;
	}
	while ((d = readdir(dir))) {
		unsigned t;

		if (sscanf(d->d_name, "%u-", &t) == 1 && t < 256)
			present[t] = 1;
		/* Type 11, OEM strings: the strings after the 5-byte header. */
		if (!strncmp(d->d_name, "11-", 3) &&
		    (n = dmi_raw(d->d_name, (char *)raw, sizeof(raw))) > 5) {
			for (ssize_t p = raw[1]; p < n && raw[p];
			     p += strlen((char *)raw + p) + 1)
				INFO("dmi-oem-string", "%s", (char *)raw + p);
		}
	}
	closedir(dir);
	for (int t = 0; t < 256; t++)
		if (present[t])
			snprintf(types + strlen(types),
				 sizeof(types) - strlen(types), "%s%d",
				 types[0] ? " " : "", t);
	INFO("dmi-types", "%s", types);
	/* Type 0: characteristics (u64 at 0x0a), extension bytes 0x12, 0x13. */
	n = dmi_raw("0-0", (char *)raw, sizeof(raw));
	if (n >= 0x14) {
		unsigned long long c = 0;

		for (int i = 7; i >= 0; i--)
			c = c << 8 | raw[0x0a + i];
		INFO("dmi-bios-characteristics",
		     "0x%llx ext1=0x%02x ext2=0x%02x", c, raw[0x12], raw[0x13]);
	}
}

/*
 * fw_cfg through its MMIO registers, from user space (/dev/mem): the
 * selector at +8 (16-bit big-endian), the data at +0, byte by byte. Where
 * it is comes from /proc/iomem (the ACPI device QEMU0002, or the DT's
 * fw-cfg node).
 */
static volatile uint8_t *fw_cfg_map(void)
{
	char line[256];
	unsigned long long base = 0;
	volatile uint8_t *regs;
	FILE *f = fopen("/proc/iomem", "r");
	int fd;

	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "QEMU0002") || strstr(line, "fw-cfg"))
			sscanf(line, " %llx", &base);
	fclose(f);
	fd = base ? open("/dev/mem", O_RDWR | O_SYNC) : -1;
	if (fd < 0)
		return NULL;
	regs = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    base & ~4095ull);
	close(fd);
	return regs == MAP_FAILED ? NULL : regs + (base & 4095);
}

static void fw_cfg_read(volatile uint8_t *regs, uint16_t key, void *buf,
			size_t len)
{
	*(volatile uint16_t *)(regs + 8) = (uint16_t)(key << 8 | key >> 8);
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = regs[0];
}

/* The contents of fw_cfg file name (up to len bytes); -1 if absent. */
static int fw_cfg_file(volatile uint8_t *regs, const char *name, void *buf,
		       size_t len)
{
	struct {
		uint32_t size;
		uint16_t select, reserved;
		char name[56];
	} e;
	uint32_t count;

	fw_cfg_read(regs, 0x19, &count, 4);
	count = __builtin_bswap32(count);
	for (uint32_t i = 0; i < count; i++) {
		for (size_t b = 0; b < sizeof(e); b++)
			((uint8_t *)&e)[b] = regs[0];
		if (!strcmp(e.name, name)) {
			fw_cfg_read(regs, __builtin_bswap16(e.select), buf,
				    len);
			return 0;
		}
	}
	return -1;
}

/*
 * The table loader's WRITE_POINTER, seen from the guest: with ras=on, the
 * firmware writes the address of QEMU's error blocks back into the fw_cfg
 * file etc/hardware_errors_addr; the HEST (ACPI 6.5 18.3.2.8, GHESv2) the
 * firmware linked points at the same place. The two must agree.
 */
static void check_write_pointer(void)
{
	unsigned char hest[4096];
	unsigned long long table = 0, written = 0;
	volatile uint8_t *regs;
	ssize_t n = read_file("/sys/firmware/acpi/tables/HEST", (char *)hest,
			      sizeof(hest));

	if (n < 0)
		return; /* no ras=on */
	/* Structures from offset 40; the GHESv2 error status address GAS
	 * is at +20, its address at +24. */
	if (n >= 40 + 32 && hest[40] == 10)
		memcpy(&table, hest + 40 + 24, 8);
	regs = fw_cfg_map();
	if (!regs) {
		FAIL("write-pointer", "no fw_cfg registers via /dev/mem: %s",
		     strerror(errno));
		return;
	}
	if (fw_cfg_file(regs, "etc/hardware_errors_addr", &written, 8)) {
		FAIL("write-pointer",
		     "no fw_cfg file etc/hardware_errors_addr");
		return;
	}
	report("write-pointer", table && table == written ? "PASS" : "FAIL",
	       "fw_cfg etc/hardware_errors_addr=0x%llx HEST GHESv2 error "
	       "status address=0x%llx",
	       written, table);
}

static void check_firmware_tables(void)
{
	check_acpi_tables();
	check_devicetree();
	check_dmi();
	check_write_pointer();
}

/* ---- shell mode ------------------------------------------------------------ */

static volatile sig_atomic_t stop_cmd;

/* busybox's halt/poweroff/reboot signal PID 1 as its own init expects. */
static void on_signal(int sig)
{
	stop_cmd = sig == SIGTERM ? RB_AUTOBOOT : RB_POWER_OFF;
}

static int has_param(const char *name)
{
	size_t len = strlen(name);
	const char *p = cmdline;

	while ((p = strstr(p, name))) {
		if ((p == cmdline || p[-1] == ' ') &&
		    (p[len] == 0 || p[len] == ' ' || p[len] == '='))
			return 1;
		p += len;
	}
	return 0;
}

const char *param_value(const char *name)
{
	static char value[256];
	size_t len = strlen(name), n;
	const char *p = cmdline;

	while ((p = strstr(p, name))) {
		if ((p == cmdline || p[-1] == ' ') && p[len] == '=') {
			p += len + 1;
			n = strcspn(p, " ");
			if (n >= sizeof(value))
				n = sizeof(value) - 1;
			memcpy(value, p, n);
			value[n] = 0;
			return value;
		}
		p += len;
	}
	return NULL;
}

static void run_shell(void)
{
	static char *const argv[] = {"/bin/sh", NULL};
	static char *const envp[] = {"PATH=/bin:/sbin:/usr/bin:/usr/sbin",
				     "HOME=/", "TERM=vt100", "PS1=mmuon# ",
				     NULL};
	struct sigaction sa = {.sa_handler = on_signal};
	char tty[64], path[80];
	const char *name = "console";
	pid_t pid;

	if (access("/bin/busybox", X_OK) != 0) {
		INFO("shell", "no /bin/busybox in this initramfs "
			      "(mkinitramfs.sh --with-busybox)");
		return;
	}
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/*
	 * /dev/console cannot be a controlling terminal; the real console
	 * device (ttyAMA0) can, so job control and ^C work in the shell.
	 */
	if (read_file("/sys/class/tty/console/active", tty, sizeof(tty)) > 0) {
		chomp(tty);
		/* The last one listed is the one behind /dev/console (sysfs-tty ABI). */
		name = strrchr(tty, ' ') ? strrchr(tty, ' ') + 1 : tty;
	}
	snprintf(path, sizeof(path), "/dev/%s", name);

	pid = fork();
	if (pid == 0) {
		static char *const install[] = {"/bin/busybox", "--install",
						"-s", NULL};
		pid_t p;

		/* Applet symlinks are made here: the host cannot run arm64 busybox. */
		if ((p = fork()) == 0) {
			execve(install[0], install, envp);
			_exit(127);
		}
		waitpid(p, NULL, 0);
		setsid();
		int fd = open(path, O_RDWR);
		if (fd >= 0) {
			ioctl(fd, TIOCSCTTY, 1);
			dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		execve(argv[0], argv, envp);
		_exit(127);
	}
	INFO("shell", "started on %s; exit or poweroff to stop the VM", path);
	while (!stop_cmd) {
		pid_t w = waitpid(-1, NULL, 0);
		if (w == pid || (w < 0 && errno == ECHILD))
			break;
	}
}

int main(void)
{
	ensure_console();
	/* Before mounting /proc there is no uptime to read: mount it first. */
	mount_fs("proc", "/proc");
	check_uptime("uptime");
	mount_fs("sysfs", "/sys");
	/* The kernel may have mounted devtmpfs already (CONFIG_DEVTMPFS_MOUNT). */
	mkdir("/dev", 0755);
	if (mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, NULL) == 0 ||
	    errno == EBUSY)
		PASS("devtmpfs", "mounted on /dev");
	else
		FAIL("devtmpfs", "mount on /dev: %s", strerror(errno));

	check_efi();
	check_cmdline();
	check_payload();
	check_rtc();
	check_iomem();
	check_memblock();
	check_efi_runtime();
	list_names("efivar-names", "/sys/firmware/efi/efivars");
	list_names("mok-variables", "/sys/firmware/efi/mok-variables");
	check_placement();
	check_disks();
	check_dmesg();
	check_cpus();
	if (param_value("mmuon.vars"))
		check_efi_variables(param_value("mmuon.vars"));
	check_firmware_tables();
	check_uptime("uptime-report");
	report("done", n_fail ? "FAIL" : "PASS", "%d passed, %d failed", n_pass,
	       n_fail);

	if (has_param("mmuon.shell"))
		run_shell();

	sync();
	/*
	 * mmuon.reboot: restart instead of powering off. On arm64 the kernel
	 * restarts through the EFI ResetSystem runtime service when it has
	 * one (machine_restart() -> efi_reboot()); QEMU's -no-reboot then
	 * ends the VM.
	 */
	if (has_param("mmuon.reboot"))
		stop_cmd = RB_AUTOBOOT;
	reboot(stop_cmd == RB_AUTOBOOT ? RB_AUTOBOOT : RB_POWER_OFF);
	/* Returning from PID 1 would panic the kernel; say why we are stuck. */
	FAIL("poweroff", "reboot(): %s", strerror(errno));
	for (;;)
		pause();
}
