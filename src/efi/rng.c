// SPDX-License-Identifier: MIT
/*
 * EFI_RNG_PROTOCOL (UEFI 2.10, section 37.5).
 *
 * Algorithms:
 *   EFI_RNG_ALGORITHM_SP800_90_HMAC_256 (the default, RNGAlgorithm NULL):
 *     an HMAC_DRBG seeded at install from every source there is -- RNDR,
 *     the SMCCC TRNG and the DT's rng-seed -- and reseeded from RNDR or the
 *     TRNG before each request when one of them exists.
 *   EFI_RNG_ALGORITHM_RAW: the output of RNDR, else of the TRNG; listed
 *     only when one of them exists (cortex-a57 under TCG has neither, and
 *     then only the DRBG, seeded from rng-seed, is offered).
 * Linux's stub asks for RAW first and falls back to the default.
 *
 * Boot services only: nothing here runs after ExitBootServices.
 */
#include <string.h>

#include <mmuon/console.h>
#include <mmuon/drbg.h>
#include <mmuon/efi_core.h>
#include <mmuon/entropy.h>

/* Bytes taken from each source at instantiation: the entropy input plus a
 * nonce of half the security strength (SP 800-90A, 8.6.7). */
#define SEED_PER_SOURCE (HMAC_DRBG_SECURITY_STRENGTH * 3 / 2)
#define MAX_DT_SEED 256
#define SEED_MAX (2 * SEED_PER_SOURCE + MAX_DT_SEED)

static const char personalization[] = "mmuon EFI_RNG_PROTOCOL";

static struct hmac_drbg drbg;
static const EFI_GUID algorithm_raw = EFI_RNG_ALGORITHM_RAW;
static const EFI_GUID algorithm_hmac = EFI_RNG_ALGORITHM_SP800_90_HMAC_256_GUID;

static bool offers_raw(void)
{
	return entropy_have_raw();
}

static EFI_STATUS EFIAPI rng_get_info(EFI_RNG_PROTOCOL *this, UINTN *list_size,
				      EFI_RNG_ALGORITHM *list)
{
	UINTN needed = (offers_raw() ? 2 : 1) * sizeof(EFI_GUID);

	if (!this || !list_size)
		return EFI_INVALID_PARAMETER;
	if (*list_size < needed) {
		*list_size = needed;
		return EFI_BUFFER_TOO_SMALL;
	}
	if (!list)
		return EFI_INVALID_PARAMETER;
	/* The default algorithm first. */
	list[0] = algorithm_hmac;
	if (offers_raw())
		list[1] = algorithm_raw;
	*list_size = needed;
	return EFI_SUCCESS;
}

/* Fresh entropy before each request when a live source exists: the
 * output then does not depend on the seed alone. */
static void reseed_if_possible(void)
{
	uint8_t fresh[HMAC_DRBG_SECURITY_STRENGTH];

	if (entropy_have_raw() && entropy_get_raw(fresh, sizeof(fresh)))
		hmac_drbg_reseed(&drbg, fresh, sizeof(fresh), NULL, 0);
	secure_wipe(fresh, sizeof(fresh));
}

static EFI_STATUS drbg_output(UINT8 *out, UINTN len)
{
	reseed_if_possible();
	while (len) {
		size_t n = len < HMAC_DRBG_MAX_REQUEST ? len
						       : HMAC_DRBG_MAX_REQUEST;

		/* Only DRBG_RESEED_REQUIRED can fail here: after 2^48
		 * requests with no live source to reseed from. */
		if (hmac_drbg_generate(&drbg, out, n, NULL, 0) != DRBG_OK)
			return EFI_NOT_READY;
		out += n;
		len -= n;
	}
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI rng_get_rng(EFI_RNG_PROTOCOL *this,
				     EFI_RNG_ALGORITHM *algorithm, UINTN length,
				     UINT8 *value)
{
	if (!this || !value || !length)
		return EFI_INVALID_PARAMETER;
	if (!algorithm || efi_guid_equal(algorithm, &algorithm_hmac))
		return drbg_output(value, length);
	if (efi_guid_equal(algorithm, &algorithm_raw)) {
		if (!offers_raw())
			return EFI_UNSUPPORTED;
		/* A source that keeps failing has nothing for us now. */
		return entropy_get_raw(value, length) ? EFI_SUCCESS
						      : EFI_NOT_READY;
	}
	return EFI_UNSUPPORTED;
}

static EFI_RNG_PROTOCOL rng_protocol = {
	.GetInfo = rng_get_info,
	.GetRNG = rng_get_rng,
};

struct seed {
	uint8_t bytes[SEED_MAX];
	size_t len;
	bool rndr, trng, dt;
};

/* Seed material from every source there is: independent sources add up. */
static void gather_seed(const struct platform *p, struct seed *s)
{
	size_t dt_bytes;

	s->rndr = entropy_get_rndr(s->bytes + s->len, SEED_PER_SOURCE);
	if (s->rndr)
		s->len += SEED_PER_SOURCE;
	s->trng = entropy_get_trng(s->bytes + s->len, SEED_PER_SOURCE);
	if (s->trng)
		s->len += SEED_PER_SOURCE;
	dt_bytes = entropy_take_dt_seed(p, s->bytes + s->len, MAX_DT_SEED);
	s->dt = dt_bytes != 0;
	s->len += dt_bytes;
}

void efi_rng_install(const struct platform *p)
{
	static struct seed seed;
	uint64_t nonce;
	EFI_HANDLE handle = NULL;
	EFI_STATUS status;

	entropy_probe();
	gather_seed(p, &seed);
	if (!seed.len) {
		printf("mmuon: warning: no entropy source (no RNDR, SMCCC "
		       "TRNG or DT rng-seed): no EFI_RNG_PROTOCOL, so no "
		       "KASLR\n");
		return;
	}
	if (seed.len < HMAC_DRBG_SECURITY_STRENGTH)
		printf("mmuon: warning: only %u bytes of seed for the RNG\n",
		       (unsigned)seed.len);

	/* The counter makes the nonce unique; the sources make it random. */
	nonce = entropy_timestamp();
	hmac_drbg_instantiate(&drbg, seed.bytes, seed.len, &nonce,
			      sizeof(nonce), personalization,
			      sizeof(personalization) - 1);
	secure_wipe(seed.bytes, sizeof(seed.bytes));

	status = efi_install_multiple_protocol_interfaces(
		&handle, &(EFI_GUID)EFI_RNG_PROTOCOL_GUID, &rng_protocol, NULL);
	if (status != EFI_SUCCESS) {
		printf("mmuon: cannot install EFI_RNG_PROTOCOL: 0x%llx\n",
		       (unsigned long long)status);
		hmac_drbg_uninstantiate(&drbg);
		return;
	}
	printf("mmuon: RNG: HMAC_DRBG seeded from%s%s%s%s\n",
	       seed.rndr ? " RNDR" : "", seed.trng ? " SMCCC-TRNG" : "",
	       seed.dt ? " DT-rng-seed" : "",
	       offers_raw() ? "; raw output available" : "");
}
