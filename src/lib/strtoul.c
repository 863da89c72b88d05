// SPDX-License-Identifier: MIT
/* strtoul for libfdt (it parses unit addresses and alias indices). */
#include <stdbool.h>
#include <stdlib.h>

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	unsigned long value = 0;
	bool negative = false;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '+' || *s == '-')
		negative = *s++ == '-';
	if ((base == 0 || base == 16) && s[0] == '0' &&
	    (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
	} else if (base == 0) {
		base = s[0] == '0' ? 8 : 10;
	}
	for (; digit_value(*s) < base; s++)
		value = value * base + digit_value(*s);
	if (end)
		*end = (char *)s;
	return negative ? -value : value;
}
