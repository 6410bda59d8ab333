/* The interpreter benchmark's workload: integer code of the kind firmware runs (hashing, table
 * walks, sorting, calls, byte and word memory traffic), about 200 million LX106 instructions.
 * No division, so it needs no libgcc helpers: only the harness's out_char and exit traps. */
#include <stdint.h>

void out_char(int c);
void bench_exit(uint32_t code);

static uint8_t buffer[4096];
static uint32_t words[512];

static uint32_t fnv1a(const uint8_t *p, uint32_t n)
{
	uint32_t h = 0x811C9DC5u;
	for (uint32_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x01000193u;
	return h;
}

static void sort(uint32_t *v, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		uint32_t x = v[i], j = i;
		while (j > 0 && v[j - 1] > x) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

static uint32_t sieve(uint8_t *flags, uint32_t n)
{
	uint32_t count = 0;
	for (uint32_t i = 0; i < n; i++)
		flags[i] = 1;
	for (uint32_t i = 2; i < n; i++) {
		if (!flags[i])
			continue;
		count++;
		for (uint32_t k = i + i; k < n; k += i)
			flags[k] = 0;
	}
	return count;
}

static void put_x32(uint32_t v)
{
	for (int shift = 28; shift >= 0; shift -= 4)
		out_char("0123456789abcdef"[(v >> shift) & 15u]);
}

int main(void)
{
	uint32_t acc = 0, seed = 12345;
	for (uint32_t round = 0; round < 360; round++) {
		for (uint32_t i = 0; i < sizeof buffer; i++) {
			seed = seed * 1103515245u + 12345u;
			buffer[i] = (uint8_t)(seed >> 16);
		}
		acc ^= fnv1a(buffer, sizeof buffer);
		for (uint32_t i = 0; i < 512; i++)
			words[i] = ((const uint32_t *)buffer)[i] ^ acc;
		sort(words, 512);
		acc += words[round] + sieve(buffer, sizeof buffer);
	}
	put_x32(acc);
	out_char('\n');
	bench_exit(0);
	return 0;
}
