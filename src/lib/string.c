// SPDX-License-Identifier: MIT
/*
 * String and memory functions for the firmware (the host tests use libc's).
 * Kernel and initrd arrive by DMA, but LoadImage copies the images a loader
 * hands over in a buffer (GRUB's or systemd-stub's kernel, tens of MiB):
 * memcpy and memset move 16 bytes per iteration once the destination is
 * aligned. Only on Normal memory (RAM), where unaligned accesses are fine
 * (SCTLR_ELx.A = 0): never on devices.
 */
#include <stdint.h>
#include <string.h>

/* 16 bytes at a time: two 64-bit words, an ldp/stp pair. */
struct chunk {
	uint64_t lo, hi;
};

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n && ((uintptr_t)d & 15)) {
		*d++ = *s++;
		n--;
	}
	for (; n >= 16; n -= 16, d += 16, s += 16) {
		struct chunk c;

		__builtin_memcpy(&c, s, 16); /* unaligned load, inlined */
		*(volatile struct chunk *)d = c;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t w = 0x0101010101010101ull * (unsigned char)c;

	while (n && ((uintptr_t)d & 15)) {
		*d++ = (unsigned char)c;
		n--;
	}
	for (; n >= 16; n -= 16, d += 16)
		*(volatile struct chunk *)d = (struct chunk){w, w};
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack; haystack++)
		if (!strncmp(haystack, needle, n))
			return (char *)haystack;
	return n ? NULL : (char *)haystack;
}

size_t strcspn(const char *s, const char *reject)
{
	size_t n = 0;

	while (s[n] && !strchr(reject, s[n]))
		n++;
	return n;
}
