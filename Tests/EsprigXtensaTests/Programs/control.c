/* Switch tables, function pointers, recursion and loops with early exits. */
#include "harness.h"

static uint32_t classify(uint32_t v)
{
	switch (v) {
	case 0: return 100;
	case 1: return 101;
	case 2: return 205;
	case 3: return 31;
	case 4: return 4444;
	case 5: return 5;
	case 6: return 60;
	case 7: return 7;
	case 8: return 88;
	case 9: return 9;
	case 10: return 1010;
	case 12: return 12;
	case 13: return 1313;
	case 15: return 15;
	case 100: return 1;
	case 1000: return 2;
	default: return v * 3u + 1u;
	}
}

static int32_t add(int32_t a, int32_t b) { return a + b; }
static int32_t sub(int32_t a, int32_t b) { return a - b; }
static int32_t mul(int32_t a, int32_t b) { return a * b; }
static int32_t pick(int32_t a, int32_t b) { return a > b ? a : b; }
static int32_t (*const operations[])(int32_t, int32_t) = { add, sub, mul, pick };

static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static uint32_t ackermann(uint32_t m, uint32_t n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ackermann(m - 1, 1);
	return ackermann(m - 1, ackermann(m, n - 1));
}

static void hanoi(uint32_t n, uint32_t from, uint32_t to, uint32_t via, uint32_t *moves, uint32_t *hash)
{
	if (n == 0)
		return;
	hanoi(n - 1, from, via, to, moves, hash);
	(*moves)++;
	*hash = *hash * 7u + from * 3u + to;
	hanoi(n - 1, via, to, from, moves, hash);
}

int main(void)
{
	uint32_t total = 0;
	for (uint32_t v = 0; v < 20; v++)
		total = total * 17u + classify(OPAQUE(v));
	total = total * 17u + classify(OPAQUE(total) % 2000u) + classify(100) + classify(1000);
	line_x32("switch", total);

	int32_t x = 7;
	for (uint32_t i = 0; i < 40; i++) {
		int32_t (*op)(int32_t, int32_t) = operations[OPAQUE(i) % 4u];
		x = op(x, (int32_t)i - 13);
	}
	line_i64("fnptr", x);

	line_i64("fib20", fib(OPAQUE(x) ? 20u : 19u));
	line_i64("ack2_3", ackermann(2, 3));
	line_i64("ack3_3", ackermann(3, 3));
	uint32_t moves = 0, hash = 0;
	hanoi(10, 1, 3, 2, &moves, &hash);
	line_i64("hanoi_moves", moves);
	line_x32("hanoi_hash", hash);

	uint32_t primes = 0, last = 0;
	for (uint32_t n = 2; n < 2000; n++) {
		uint32_t d = 2;
		for (; d * d <= n; d++)
			if (n % d == 0)
				break;
		if (d * d > n) {
			primes++;
			last = n;
		}
	}
	line_i64("primes", primes);
	line_i64("last_prime", last);
	return 0;
}
