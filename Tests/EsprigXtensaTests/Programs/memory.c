/* Loads and stores of every width, signedness and alignment, through packed structs (byte
 * accesses for unaligned fields), arrays and struct copies. */
#include "harness.h"

struct __attribute__((packed)) packed {
	uint8_t tag;
	uint32_t word;
	uint16_t half;
	int16_t shalf;
	int8_t sbyte;
	uint64_t wide;
};

struct plain {
	int8_t a;
	int16_t b;
	int32_t c;
	uint8_t d[5];
	int64_t e;
};

static uint8_t bytes[64];
static struct plain items[4];

int main(void)
{
	for (uint32_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (uint8_t)(i * 37u + 11u);
	for (uint32_t offset = 0; offset < 4; offset++) {
		volatile struct packed *p = (volatile struct packed *)(bytes + offset);
		put_s("offset="); put_i64(offset);
		put_s(" tag="); put_i64(p->tag);
		put_s(" word=0x"); put_x32(p->word);
		put_s(" half="); put_i64(p->half);
		put_s(" shalf="); put_i64(p->shalf);
		put_s(" sbyte="); put_i64(p->sbyte);
		put_s(" wide=0x"); put_x64(p->wide);
		out_char('\n');
		p->word = 0xA1B2C3D4u + offset;
		p->shalf = (int16_t)-1234;
		p->wide ^= 0x0102030405060708ull;
	}
	uint32_t sum = 0;
	for (uint32_t i = 0; i < sizeof bytes; i++)
		sum = sum * 131u + bytes[i];
	line_x32("bytes", sum);

	volatile uint16_t *halves = (volatile uint16_t *)bytes;
	volatile int16_t *shalves = (volatile int16_t *)bytes;
	volatile int8_t *sbytes = (volatile int8_t *)bytes;
	volatile uint32_t *words = (volatile uint32_t *)bytes;
	int64_t total = 0;
	for (uint32_t i = 0; i < 16; i++)
		total += halves[i] - shalves[i + 1] + sbytes[i * 3] + (int64_t)words[i & 7];
	line_i64("mixed", total);

	for (int32_t i = 0; i < 4; i++) {
		items[i].a = (int8_t)(-100 + i * 70);
		items[i].b = (int16_t)(-30000 + i * 20000);
		items[i].c = (int32_t)(0x88CA6C00u + (uint32_t)i * 1333333333u);
		for (int32_t k = 0; k < 5; k++)
			items[i].d[k] = (uint8_t)(i * 50 + k);
		items[i].e = (int64_t)items[i].c * 1000003;
	}
	struct plain copy = items[OPAQUE(sum) & 3u];
	items[0] = items[3];
	put_s("copy a="); put_i64(copy.a); put_s(" b="); put_i64(copy.b); put_s(" c="); put_i64(copy.c);
	put_s(" d4="); put_i64(copy.d[4]); put_s(" e="); put_i64(copy.e); out_char('\n');
	put_s("items0 a="); put_i64(items[0].a); put_s(" e="); put_i64(items[0].e); out_char('\n');
	return 0;
}
