/* 64-bit add, subtract, multiply, compare, shifts and division (libgcc helpers). */
#include "harness.h"

static const uint64_t values[] = {
	0u, 1u, 2u, 10u, 0xFFFFFFFFu, 0x100000000u, 0x123456789ABCDEFull, 0x7FFFFFFFFFFFFFFFull,
	0x8000000000000000ull, 0xFFFFFFFFFFFFFFFFull, 0xFEDCBA9876543210ull, 1000000007u,
};
#define COUNT (sizeof values / sizeof values[0])

int main(void)
{
	uint64_t mix = 0xCBF29CE484222325ull;
	for (uint32_t i = 0; i < COUNT; i++) {
		for (uint32_t j = 0; j < COUNT; j++) {
			uint64_t a = OPAQUE(values[i]), b = OPAQUE(values[j]);
			int64_t sa = (int64_t)a, sb = (int64_t)b;
			uint64_t r = a + b;
			r ^= a - b;
			r ^= a * b;
			r ^= (uint64_t)(sa < sb) | (uint64_t)(a < b) << 1 | (uint64_t)(a == b) << 2;
			if (b != 0) {
				r ^= a / b;
				r ^= a % b;
				if (!(sa == INT64_MIN && sb == -1)) {
					r ^= (uint64_t)(sa / sb);
					r ^= (uint64_t)(sa % sb);
				}
			}
			mix = (mix ^ r) * 0x100000001B3ull;
		}
		uint64_t a = OPAQUE(values[i]);
		put_s("v=0x"); put_x64(a);
		put_s(" dec="); put_u64(a);
		put_s(" sdec="); put_i64((int64_t)a);
		put_s(" shl13=0x"); put_x64(a << 13);
		put_s(" shr45=0x"); put_x64(a >> 45);
		put_s(" sar7=0x"); put_x64((uint64_t)((int64_t)a >> 7));
		put_s(" wide=0x"); put_x64((uint64_t)(uint32_t)a * (uint32_t)(a >> 32));
		put_s(" swide=0x"); put_x64((uint64_t)((int64_t)(int32_t)a * (int32_t)(a >> 32)));
		out_char('\n');
	}
	for (uint32_t k = 0; k < 64; k += 7) {
		uint64_t v = OPAQUE(values[6]);
		uint32_t n = OPAQUE(k);
		put_s("k="); put_i64(n);
		put_s(" shl=0x"); put_x64(v << n);
		put_s(" shr=0x"); put_x64(v >> n);
		put_s(" sar=0x"); put_x64((uint64_t)((int64_t)(v | 0x8000000000000000ull) >> n));
		out_char('\n');
	}
	line_x64("mix", mix);
	return 0;
}
