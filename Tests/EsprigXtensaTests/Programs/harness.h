/* Output helpers shared by the differential test programs: the same code prints on the host
 * (through putchar) and on the simulated LX106 core (through out_char, a trap address the Swift
 * test harness answers), so both outputs must match byte for byte. Only fixed-width types. */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdint.h>

#ifdef HOST
#include <stdio.h>
static __attribute__((unused)) void out_char(int c) { putchar(c); }
#else
void out_char(int c);
#endif

/* Keeps the compiler from folding a value known at compile time into a constant. */
#define OPAQUE(x) (*(volatile __typeof__(x) *)&(x))

static __attribute__((unused)) void put_s(const char *s)
{
	while (*s)
		out_char(*s++);
}

static __attribute__((unused)) void put_u64(uint64_t v)
{
	char digits[24];
	int n = 0;
	do {
		digits[n++] = (char)('0' + (int)(v % 10u));
		v /= 10u;
	} while (v != 0);
	while (n > 0)
		out_char(digits[--n]);
}

static __attribute__((unused)) void put_i64(int64_t v)
{
	if (v < 0) {
		out_char('-');
		put_u64((uint64_t)0 - (uint64_t)v);
	} else {
		put_u64((uint64_t)v);
	}
}

static __attribute__((unused)) void put_x32(uint32_t v)
{
	for (int shift = 28; shift >= 0; shift -= 4)
		out_char("0123456789abcdef"[(v >> shift) & 15u]);
}

static __attribute__((unused)) void put_x64(uint64_t v)
{
	put_x32((uint32_t)(v >> 32));
	put_x32((uint32_t)v);
}

static __attribute__((unused)) void line_x32(const char *label, uint32_t v)
{
	put_s(label);
	put_s("=0x");
	put_x32(v);
	out_char('\n');
}

static __attribute__((unused)) void line_x64(const char *label, uint64_t v)
{
	put_s(label);
	put_s("=0x");
	put_x64(v);
	out_char('\n');
}

static __attribute__((unused)) void line_i64(const char *label, int64_t v)
{
	put_s(label);
	out_char('=');
	put_i64(v);
	out_char('\n');
}

#endif
