/* A program that lives only in RAM, for the loader's MEM_* commands (`esptool load-ram`,
 * `esprig load-ram`): code in IRAM, data in DRAM, nothing in flash. It greets through the ROM's
 * ets_printf at whatever rate the loader's UART runs, then idles. */
#include <stdint.h>

/* ESP8266 mask-ROM functions (addresses in hello.ld, from espressif/ESP8266_NONOS_SDK:ld/eagle.rom.addr.v6.ld). */
int ets_printf(const char *format, ...) __attribute__((format(printf, 1, 2)));
void ets_wdt_disable(void);
void ets_delay_us(uint32_t us);

static const char greeting[] = "hello from RAM";
static uint32_t counter = 41;

void call_user_start(void)
{
	ets_wdt_disable();
	counter++;
	ets_printf("%s: entry %p, counter %u\n", greeting, (void *)call_user_start, counter);
	for (;;)
		ets_delay_us(1000000);
}
