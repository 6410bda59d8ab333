/* Variable and constant shifts, rotates and bit-field extraction of 32-bit values. */
#include "harness.h"

struct fields {
	uint32_t a : 3;
	uint32_t b : 7;
	int32_t c : 5;
	uint32_t d : 17;
};

int main(void)
{
	uint32_t seeds[] = { 0x80000001u, 0x12345678u, 0xFFFFFFFFu, 0x00000001u, 0xA5A5A5A5u };
	uint32_t acc = 0;
	for (uint32_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
		uint32_t v = OPAQUE(seeds[i]);
		for (uint32_t n = 0; n < 32; n++) {
			uint32_t k = OPAQUE(n);
			uint32_t shl = v << k, shr = v >> k;
			uint32_t sar = (uint32_t)((int32_t)v >> k);
			uint32_t rot = (v << k) | (v >> ((32 - k) & 31));
			acc = (acc * 31u) ^ shl ^ (shr << 1) ^ (sar << 2) ^ rot;
			if (n % 8 == 3) {
				put_s("v=0x"); put_x32(v); put_s(" n="); put_i64(k);
				put_s(" shl=0x"); put_x32(shl); put_s(" shr=0x"); put_x32(shr);
				put_s(" sar=0x"); put_x32(sar); put_s(" rot=0x"); put_x32(rot);
				out_char('\n');
			}
		}
		put_s("const v=0x"); put_x32(v);
		put_s(" <<1=0x"); put_x32(v << 1); put_s(" <<31=0x"); put_x32(v << 31);
		put_s(" >>1=0x"); put_x32(v >> 1); put_s(" >>31=0x"); put_x32(v >> 31);
		put_s(" >>>17=0x"); put_x32((uint32_t)((int32_t)v >> 17));
		put_s(" ext=0x"); put_x32((v >> 5) & 0x3FFu);
		out_char('\n');
		struct fields f;
		f.a = v; f.b = v >> 3; f.c = (int32_t)(v >> 10); f.d = v >> 15;
		struct fields g = OPAQUE(f);
		put_s("fields a="); put_i64(g.a); put_s(" b="); put_i64(g.b);
		put_s(" c="); put_i64(g.c); put_s(" d="); put_i64(g.d); out_char('\n');
	}
	line_x32("acc", acc);
	return 0;
}
