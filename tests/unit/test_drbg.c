// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/efi/drbg.c (HMAC_DRBG, SHA-256) against known-answer
 * vectors of NIST's CAVP HMAC_DRBG.rsp, [SHA-256], PredictionResistance =
 * False, 256-bit entropy, 128-bit nonce, 1024 returned bits: instantiate,
 * (reseed,) generate 1024 bits, generate 1024 bits, compare the second
 * output. Each vector was also cross-checked against an independent
 * implementation built on Python's hmac module. Plus the SP 800-90A limits
 * and state handling.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <mmuon/drbg.h>

#define RETURNED_BYTES 128

static size_t unhex(uint8_t *out, const char *hex)
{
	size_t i, n = strlen(hex) / 2;

	for (i = 0; i < n; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
	return n;
}

struct vector {
	const char *entropy, *nonce, *personalization;
	const char *reseed_entropy, *reseed_additional;
	const char *additional1, *additional2;
	const char *returned;
};

static void run_vector(const struct vector *v)
{
	uint8_t entropy[64], nonce[32], pers[64], reseed[64], reseed_add[64];
	uint8_t add1[64], add2[64], expected[RETURNED_BYTES];
	uint8_t out[RETURNED_BYTES];
	size_t entropy_len, nonce_len, pers_len = 0, add1_len = 0, add2_len = 0;
	struct hmac_drbg d;

	entropy_len = unhex(entropy, v->entropy);
	nonce_len = unhex(nonce, v->nonce);
	if (v->personalization)
		pers_len = unhex(pers, v->personalization);
	if (v->additional1)
		add1_len = unhex(add1, v->additional1);
	if (v->additional2)
		add2_len = unhex(add2, v->additional2);
	assert_int_equal(unhex(expected, v->returned), RETURNED_BYTES);

	hmac_drbg_instantiate(&d, entropy, entropy_len, nonce, nonce_len, pers,
			      pers_len);
	if (v->reseed_entropy) {
		size_t reseed_len = unhex(reseed, v->reseed_entropy);
		size_t reseed_add_len = 0;

		if (v->reseed_additional)
			reseed_add_len =
				unhex(reseed_add, v->reseed_additional);
		assert_int_equal(hmac_drbg_reseed(&d, reseed, reseed_len,
						  reseed_add, reseed_add_len),
				 DRBG_OK);
	}
	assert_int_equal(
		hmac_drbg_generate(&d, out, sizeof(out), add1, add1_len),
		DRBG_OK);
	assert_int_equal(
		hmac_drbg_generate(&d, out, sizeof(out), add2, add2_len),
		DRBG_OK);
	assert_memory_equal(out, expected, sizeof(out));
	assert_int_equal(d.reseed_counter, 3);
}

/* No reseed, no personalization string, no additional input: COUNT 0, 1. */
static void test_cavp_plain(void **state)
{
	static const struct vector vectors[] = {
		{
			.entropy = "ca851911349384bffe89de1cbdc46e68"
				   "31e44d34a4fb935ee285dd14b71a7488",
			.nonce = "659ba96c601dc69fc902940805ec0ca8",
			.returned = "e528e9abf2dece54d47c7e75e5fe3021"
				    "49f817ea9fb4bee6f4199697d04d5b89"
				    "d54fbb978a15b5c443c9ec21036d2460"
				    "b6f73ebad0dc2aba6e624abf07745bc1"
				    "07694bb7547bb0995f70de25d6b29e2d"
				    "3011bb19d27676c07162c8b5ccde0668"
				    "961df86803482cb37ed6d5c0bb8d50cf"
				    "1f50d476aa0458bdaba806f48be9dcb8",
		},
		{
			.entropy = "79737479ba4e7642a221fcfd1b820b13"
				   "4e9e3540a35bb48ffae29c20f5418ea3",
			.nonce = "3593259c092bef4129bc2c6c9e19f343",
			.returned = "cf5ad5984f9e43917aa9087380dac46e"
				    "410ddc8a7731859c84e9d0f31bd43655"
				    "b924159413e2293b17610f211e09f770"
				    "f172b8fb693a35b85d3b9e5e63b1dc25"
				    "2ac0e115002e9bedfb4b5b6fd43f33b8"
				    "e0eafb2d072e1a6fee1f159df9b51e6c"
				    "8da737e60d5032dd30544ec51558c6f0"
				    "80bdbdab1de8a939e961e06b5f1aca37",
		},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		run_vector(&vectors[i]);
}

/* With a 256-bit personalization string. */
static void test_cavp_personalization(void **state)
{
	static const struct vector v = {
		.entropy = "5cacc68165a2e2ee20812f35ec73a79d"
			   "bf30fd475476ac0c44fc6174cdac2b55",
		.nonce = "6f885496c1e63af620becd9e71ecb824",
		.personalization = "e72dd8590d4ed5295515c35ed6199e9d"
				   "211b8f069b3058caa6670b96ef1208d0",
		.returned = "f1012cf543f94533df27fedfbf58e5b7"
			    "9a3dc517a9c402bdbfc9a0c0f721f9d5"
			    "3faf4aafdc4b8f7a1b580fcaa52338d4"
			    "bd95f58966a243cdcd3f446ed4bc546d"
			    "9f607b190dd69954450d16cd0e2d6437"
			    "067d8b44d19a6af7a7cfa8794e5fbd72"
			    "8e8fb2f2e8db5dd4ff1aa275f3588609"
			    "8e80ff844886060da8b1e7137846b23b",
	};

	(void)state;
	run_vector(&v);
}

/* The reseed variant: instantiate, reseed, generate twice. */
static void test_cavp_reseed(void **state)
{
	static const struct vector v = {
		.entropy = "06032cd5eed33f39265f49ecb142c511"
			   "da9aff2af71203bffaf34a9ca5bd9c0d",
		.nonce = "0e66f71edc43e42a45ad3c6fc6cdc4df",
		.reseed_entropy = "01920a4e669ed3a85ae8a33b35a74ad7"
				  "fb2a6bb4cf395ce00334a9c9a5a5d552",
		.returned = "76fc79fe9b50beccc991a11b5635783a"
			    "83536add03c157fb30645e611c2898bb"
			    "2b1bc215000209208cd506cb28da2a51"
			    "bdb03826aaf2bd2335d576d519160842"
			    "e7158ad0949d1a9ec3e66ea1b1a064b0"
			    "05de914eac2e9d4f2d72a8616a802254"
			    "22918250ff66a41bd2f864a6a38cc5b6"
			    "499dc43f7f2bd09e1e0f8f5885935124",
	};

	(void)state;
	run_vector(&v);
}

/* Reseed and both generates with 256-bit additional input. */
static void test_cavp_additional_input(void **state)
{
	static const struct vector v = {
		.entropy = "05ac9fc4c62a02e3f90840da5616218c"
			   "6de5743d66b8e0fbf833759c5928b53d",
		.nonce = "2b89a17904922ed8f017a63044848545",
		.reseed_entropy = "2791126b8b52ee1fd9392a0a13e0083b"
				  "ed4186dc649b739607ac70ec8dcecf9b",
		.reseed_additional = "43bac13bae715092cf7eb280a2e10a96"
				     "2faf7233c41412f69bc74a35a584e54c",
		.additional1 = "3f2fed4b68d506ecefa21f3f5bb907be"
			       "b0f17dbc30f6ffbba5e5861408c53a1e",
		.additional2 = "529030df50f410985fde068df82b935e"
			       "c23d839cb4b269414c0ede6cffea5b68",
		.returned = "02ddff5173da2fcffa10215b030d660d"
			    "61179e61ecc22609b1151a75f1cbcbb4"
			    "363c3a89299b4b63aca5e581e73c8604"
			    "91010aa35de3337cc6c09ebec8c91a62"
			    "87586f3a74d9694b462d2720ea2e11bb"
			    "d02af33adefb4a16e6b370fa0effd57d"
			    "607547bdcfbb7831f54de7073ad2a7da"
			    "987a0016a82fa958779a168674b56524",
	};

	(void)state;
	run_vector(&v);
}

static void instantiate_zero(struct hmac_drbg *d)
{
	uint8_t seed[48] = {0};

	hmac_drbg_instantiate(d, seed, 32, seed + 32, 16, NULL, 0);
}

/* Output does not depend on how it is requested only through the state:
 * two requests of n give different bytes than one of 2n, but a DRBG
 * replayed from the same seed gives the same sequence. */
static void test_deterministic_and_advancing(void **state)
{
	struct hmac_drbg a, b;
	uint8_t x[40], y[40];

	(void)state;
	instantiate_zero(&a);
	instantiate_zero(&b);
	assert_int_equal(hmac_drbg_generate(&a, x, sizeof(x), NULL, 0),
			 DRBG_OK);
	assert_int_equal(hmac_drbg_generate(&b, y, sizeof(y), NULL, 0),
			 DRBG_OK);
	assert_memory_equal(x, y, sizeof(x));
	assert_int_equal(hmac_drbg_generate(&a, y, sizeof(y), NULL, 0),
			 DRBG_OK);
	assert_memory_not_equal(x, y, sizeof(x));
}

/* Output of length n is a prefix of the V blocks: odd lengths work and
 * the first bytes match a longer request from the same state. */
static void test_partial_block(void **state)
{
	struct hmac_drbg a, b;
	uint8_t short_out[33], long_out[64];

	(void)state;
	instantiate_zero(&a);
	instantiate_zero(&b);
	assert_int_equal(
		hmac_drbg_generate(&a, short_out, sizeof(short_out), NULL, 0),
		DRBG_OK);
	assert_int_equal(
		hmac_drbg_generate(&b, long_out, sizeof(long_out), NULL, 0),
		DRBG_OK);
	assert_memory_equal(short_out, long_out, sizeof(short_out));
}

static void test_limits(void **state)
{
	static uint8_t big[HMAC_DRBG_MAX_REQUEST + 1];
	struct hmac_drbg d, copy;

	(void)state;
	memset(&d, 0, sizeof(d));
	assert_int_equal(hmac_drbg_generate(&d, big, 1, NULL, 0),
			 DRBG_NOT_INSTANTIATED);
	assert_int_equal(hmac_drbg_reseed(&d, big, 32, NULL, 0),
			 DRBG_NOT_INSTANTIATED);

	instantiate_zero(&d);
	/* 2^19 bits is the most one request may return. */
	assert_int_equal(
		hmac_drbg_generate(&d, big, HMAC_DRBG_MAX_REQUEST, NULL, 0),
		DRBG_OK);
	copy = d;
	assert_int_equal(hmac_drbg_generate(&d, big, sizeof(big), NULL, 0),
			 DRBG_REQUEST_TOO_LARGE);
	assert_memory_equal(&d, &copy, sizeof(d)); /* no state change */

	/* After reseed_interval requests a reseed is required, and works. */
	d.reseed_counter = HMAC_DRBG_RESEED_INTERVAL;
	assert_int_equal(hmac_drbg_generate(&d, big, 16, NULL, 0), DRBG_OK);
	assert_int_equal(hmac_drbg_generate(&d, big, 16, NULL, 0),
			 DRBG_RESEED_REQUIRED);
	assert_int_equal(hmac_drbg_reseed(&d, big, 32, NULL, 0), DRBG_OK);
	assert_int_equal(d.reseed_counter, 1);
	assert_int_equal(hmac_drbg_generate(&d, big, 16, NULL, 0), DRBG_OK);
	assert_int_equal(hmac_drbg_generate(&d, big, 0, NULL, 0), DRBG_OK);
}

static void test_uninstantiate_wipes(void **state)
{
	struct hmac_drbg d, zero;
	uint8_t out[8];

	(void)state;
	instantiate_zero(&d);
	hmac_drbg_uninstantiate(&d);
	memset(&zero, 0, sizeof(zero));
	assert_memory_equal(&d, &zero, sizeof(d));
	assert_int_equal(hmac_drbg_generate(&d, out, sizeof(out), NULL, 0),
			 DRBG_NOT_INSTANTIATED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cavp_plain),
		cmocka_unit_test(test_cavp_personalization),
		cmocka_unit_test(test_cavp_reseed),
		cmocka_unit_test(test_cavp_additional_input),
		cmocka_unit_test(test_deterministic_and_advancing),
		cmocka_unit_test(test_partial_block),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_uninstantiate_wipes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
