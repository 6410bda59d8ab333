/* 32-bit arithmetic, comparisons and bit tricks over a table of edge values. */
#include "harness.h"

static const uint32_t values[] = {
	0u, 1u, 2u, 3u, 7u, 0x7Fu, 0x80u, 0xFFu, 0x100u, 0x7FFFu, 0x8000u, 0xFFFFu, 0x10000u,
	0x12345678u, 0x7FFFFFFFu, 0x80000000u, 0x80000001u, 0xFFFFFFFEu, 0xFFFFFFFFu, 0xDEADBEEFu,
};
#define COUNT (sizeof values / sizeof values[0])

static uint32_t clz32(uint32_t v)
{
	return v == 0 ? 32u : (uint32_t)__builtin_clz(v);
}

int main(void)
{
	uint32_t sum = 0, mix = 0x9E3779B9u;
	for (uint32_t i = 0; i < COUNT; i++) {
		for (uint32_t j = 0; j < COUNT; j++) {
			uint32_t a = OPAQUE(values[i]), b = OPAQUE(values[j]);
			int32_t sa = (int32_t)a, sb = (int32_t)b;
			uint32_t r = a + b;
			r ^= (a - b) * 3u;
			r ^= a * b;
			r ^= (uint32_t)(sa < sb) << 1 | (uint32_t)(a < b) << 2 | (uint32_t)(sa >= sb) << 3 | (uint32_t)(a == b) << 4;
			r ^= (a & b) ^ (a | ~b);
			r ^= (uint32_t)((int16_t)a * (int16_t)b);
			r ^= (uint32_t)((uint16_t)a * (uint16_t)b);
			mix = (mix ^ r) * 0x01000193u;
			sum += r;
		}
		uint32_t a = OPAQUE(values[i]);
		int32_t sa = (int32_t)a;
		put_s("v=0x"); put_x32(a);
		put_s(" neg=0x"); put_x32(0u - a);
		put_s(" abs=0x"); put_x32(sa < 0 ? 0u - a : a);
		put_s(" clz="); put_i64(clz32(a));
		put_s(" ctz="); put_i64(a ? (uint32_t)__builtin_ctz(a) : 32u);
		put_s(" pop="); put_i64(__builtin_popcount(a));
		put_s(" bswap=0x"); put_x32(__builtin_bswap32(a));
		put_s(" sext8="); put_i64((int8_t)a);
		put_s(" sext16="); put_i64((int16_t)a);
		put_s(" min="); put_i64(sa < -5 ? sa : -5);
		put_s(" maxu=0x"); put_x32(a > 1000u ? a : 1000u);
		out_char('\n');
	}
	line_x32("sum", sum);
	line_x32("mix", mix);
	return 0;
}
