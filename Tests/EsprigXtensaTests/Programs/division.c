/* Signed and unsigned 32-bit division and remainder, by constants and by variables. */
#include "harness.h"

static const int32_t values[] = {
	0, 1, -1, 2, -2, 3, 7, -7, 10, 100, -100, 12345, -12345, 65535, 65536, 0x7FFFFFFF, -0x7FFFFFFF,
	(int32_t)0x80000000u,
};
#define COUNT (sizeof values / sizeof values[0])

int main(void)
{
	uint32_t mix = 2166136261u;
	for (uint32_t i = 0; i < COUNT; i++) {
		for (uint32_t j = 0; j < COUNT; j++) {
			int32_t a = OPAQUE(values[i]), b = OPAQUE(values[j]);
			if (b == 0)
				continue;
			uint32_t ua = (uint32_t)a, ub = (uint32_t)b;
			uint32_t r = ua / ub ^ (ua % ub) << 3;
			if (!(a == INT32_MIN && b == -1))
				r ^= (uint32_t)(a / b) * 5u ^ (uint32_t)(a % b) * 7u;
			mix = (mix ^ r) * 16777619u;
		}
		int32_t a = OPAQUE(values[i]);
		uint32_t ua = (uint32_t)a;
		put_s("a="); put_i64(a);
		put_s(" /3="); put_i64(a / 3); put_s(" %3="); put_i64(a % 3);
		put_s(" /10="); put_i64(a / 10); put_s(" %10="); put_i64(a % 10);
		put_s(" /-7="); put_i64(a / -7); put_s(" %-7="); put_i64(a % -7);
		put_s(" /16="); put_i64(a / 16); put_s(" %16="); put_i64(a % 16);
		put_s(" u/10="); put_i64(ua / 10u); put_s(" u%1000="); put_i64(ua % 1000u);
		out_char('\n');
	}
	line_x32("mix", mix);
	return 0;
}
