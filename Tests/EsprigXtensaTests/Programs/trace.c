/* A program with no I/O and no calls outside itself (no division, no 64-bit multiply: those are
 * libgcc helpers the ROM provides), for an instruction-trace comparison with
 * QEMU's lx106 CPU (qemu-system-xtensa -M sim -cpu lx106): branches that depend on what the
 * arithmetic, shifts, multiplies, narrow loads and stores, a jump table, function pointers and
 * recursion computed, so a wrong result anywhere changes the path. Ends in a loop at `done`. */
#include <stdint.h>

#define OPAQUE(x) (*(volatile __typeof__(x) *)&(x))

static uint8_t bytes[64];
static uint16_t halves[32];
volatile uint32_t sink;

static uint32_t rotate(uint32_t v, uint32_t n) { return (v << (n & 31)) | (v >> ((32 - n) & 31)); }
static uint32_t twice(uint32_t v) { return v * 2u + 1u; }
static uint32_t square(uint32_t v) { return (uint32_t)((uint16_t)v * (uint16_t)(v >> 16)); }
static uint32_t (*const steps[3])(uint32_t) = { twice, square, 0 };

static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static uint32_t classify(uint32_t v)
{
	/* v * inverse(7) <= (2^32 - 1) / 7 exactly when 7 divides v: no call to __umodsi3. */
	switch (v * 0xB6DB6DB7u <= 0x24924924u ? 7 : v & 7) {
	case 0: return v ^ 0x5A5A5A5Au;
	case 1: return v + 17u;
	case 2: return v << 3;
	case 3: return v >> 5;
	case 4: return (uint32_t)((int32_t)v >> 9);
	case 5: return v * 2654435761u;
	case 6: return ~v;
	default: return v - 99u;
	}
}

void run(void)
{
	uint32_t x = OPAQUE(sink) + 0x1234567u, acc = 0, step = 0;
	for (uint32_t i = 0; i < 300; i++, step = step == 2 ? 0 : step + 1) {
		x = x * 1103515245u + 12345u;
		bytes[i & 63] = (uint8_t)(x >> 11);
		halves[i & 31] = (uint16_t)(x >> 7);
		int8_t b = (int8_t)bytes[(i * 7) & 63];
		int16_t h = (int16_t)halves[(i * 5) & 31];
		if (b < 0)
			acc += (uint32_t)(int32_t)b;
		else if (h < -1000)
			acc ^= rotate(x, i);
		else
			acc = classify(acc + x);
		if (steps[step] != 0)
			acc = steps[step](acc);
		if ((acc & 0xF00u) > 0x800u)
			acc -= (x >> 16) * (acc >> 16);
	}
	acc += fib(12);
	sink = acc;
}
