// SPDX-License-Identifier: MIT
/*
 * Entropy sources: RNDR (Arm ARM, FEAT_RNG), the SMCCC TRNG service (Arm
 * DEN0098) and the DT's /chosen/rng-seed. See include/mmuon/entropy.h.
 */
#include <string.h>

#include <libfdt.h>

#include <mmuon/entropy.h>
#include <mmuon/power.h>

/* ID_AA64ISAR0_EL1.RNDR, bits [63:60]: 1 = RNDR and RNDRRS exist. */
#define ISAR0_RNDR_SHIFT 60

#define PSCI_FEATURES 0x8400000a
#define SMCCC_TRNG_FEATURES 0x84000051
#define SMCCC_VERSION_1_1 0x10001
#define PSCI_VERSION_1_0 0x10000
#define TRNG_VERSION_1_0 0x10000
#define TRNG_NO_ENTROPY (-3)
/* TRNG_RND64 returns up to 192 bits, in x1 (high) .. x3 (low). */
#define TRNG_RND64_BITS 192

/*
 * RNDR reports a failure (Z set) when the hardware cannot produce a value
 * in reasonable time; it is expected to be transient (Arm ARM, RNDR), as is
 * TRNG_RND64's NO_ENTROPY. Retry, but not forever.
 */
#define RETRIES 32

static bool probed, have_rndr, have_trng;

static bool cpu_has_rndr(void)
{
	uint64_t isar0;

	asm volatile("mrs %0, id_aa64isar0_el1" : "=r"(isar0));
	return ((isar0 >> ISAR0_RNDR_SHIFT) & 0xf) >= 1;
}

/* One RNDR read (s3_3_c2_c4_0, so no assembler support is needed). NZCV
 * is 0b0000 on success and 0b0100 (Z) on failure. */
static bool rndr_read(uint64_t *value)
{
	uint64_t v;
	uint32_t ok;

	asm volatile("mrs %0, s3_3_c2_c4_0\n\t"
		     "cset %w1, ne"
		     : "=r"(v), "=r"(ok)
		     :
		     : "cc");
	*value = v;
	return ok;
}

static int32_t smccc_status(uint64_t a0)
{
	return (int32_t)(uint32_t)a0;
}

/*
 * The discovery sequence of SMCCC (DEN0028) and the TRNG (DEN0098): only
 * PSCI >= 1.0 has PSCI_FEATURES, which says whether SMCCC_VERSION may be
 * called; SMCCC >= 1.1 guarantees NOT_SUPPORTED for unknown calls, so
 * TRNG_VERSION is then safe to try. No call is made that an older
 * implementation could treat as undefined.
 */
static bool trng_present(void)
{
	struct smccc_result r;

	if (power_conduit() == PSCI_NONE)
		return false;
	r = smccc_call(PSCI_VERSION, 0, 0, 0);
	if (smccc_status(r.a0) < PSCI_VERSION_1_0)
		return false;
	r = smccc_call(PSCI_FEATURES, SMCCC_VERSION, 0, 0);
	if (smccc_status(r.a0) < 0)
		return false;
	r = smccc_call(SMCCC_VERSION, 0, 0, 0);
	if (smccc_status(r.a0) < SMCCC_VERSION_1_1)
		return false;
	r = smccc_call(SMCCC_TRNG_VERSION, 0, 0, 0);
	if (smccc_status(r.a0) < TRNG_VERSION_1_0)
		return false;
	r = smccc_call(SMCCC_TRNG_FEATURES, SMCCC_TRNG_RND64, 0, 0);
	return smccc_status(r.a0) >= 0;
}

void entropy_probe(void)
{
	if (probed)
		return;
	probed = true;
	have_rndr = cpu_has_rndr();
	have_trng = trng_present();
}

bool entropy_have_rndr(void)
{
	return have_rndr;
}

bool entropy_have_trng(void)
{
	return have_trng;
}

bool entropy_get_rndr(void *buf, size_t len)
{
	uint8_t *p = buf;

	if (!have_rndr)
		return false;
	while (len) {
		size_t n = len < 8 ? len : 8;
		uint64_t v;
		int tries = 0;

		while (!rndr_read(&v))
			if (++tries == RETRIES)
				return false;
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
	return true;
}

bool entropy_get_trng(void *buf, size_t len)
{
	uint8_t *p = buf;

	if (!have_trng)
		return false;
	while (len) {
		struct smccc_result r;
		uint64_t bits[3];
		size_t n = len < sizeof(bits) ? len : sizeof(bits);
		int tries = 0;

		for (;;) {
			r = smccc_call(SMCCC_TRNG_RND64, TRNG_RND64_BITS, 0, 0);
			if (smccc_status(r.a0) == 0)
				break;
			if (smccc_status(r.a0) != TRNG_NO_ENTROPY ||
			    ++tries == RETRIES)
				return false;
		}
		bits[0] = r.a3;
		bits[1] = r.a2;
		bits[2] = r.a1;
		memcpy(p, bits, n);
		p += n;
		len -= n;
	}
	return true;
}

bool entropy_get_raw(void *buf, size_t len)
{
	return entropy_get_rndr(buf, len) || entropy_get_trng(buf, len);
}

size_t entropy_take_dt_seed(const struct platform *p, void *buf, size_t max)
{
	/* The DTB is in RAM, mapped writable: it was const only to readers. */
	void *fdt = (void *)(uintptr_t)p->fdt;
	void *seed;
	int node, len;
	size_t n;

	if (!fdt)
		return 0;
	node = fdt_path_offset(fdt, "/chosen");
	if (node < 0)
		return 0;
	seed = fdt_getprop_w(fdt, node, "rng-seed", &len);
	if (!seed || len <= 0)
		return 0;
	n = (size_t)len < max ? (size_t)len : max;
	memcpy(buf, seed, n);
	memset(seed, 0, len);
	fdt_nop_property(fdt, node, "rng-seed");
	return n;
}

uint64_t entropy_timestamp(void)
{
	uint64_t t;

	asm volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(t));
	return t;
}
