/* Entry point, called by the boot ROM (v1 image at 0x0) or by boot_v1.x (v2 image) after the
 * RAM segments are loaded. Runs from IRAM because flash is not mapped yet. */
#include "demo.h"
#include "rom.h"

extern uint32_t _bss_start, _bss_end;

void call_user_start(void)
{
	/* Neither the ROM nor boot_v1.x clears .bss. */
	for (uint32_t *word = &_bss_start; word < &_bss_end; word++)
		*word = 0;
	/* Without this the ROM's watchdog resets the chip a second or so after boot. */
	ets_wdt_disable();
	/* Map the first MB of flash at 0x40200000 so that .irom0.text is reachable. */
	Cache_Read_Enable(0, 0, 1);
	demo_main();
}
