#ifndef ESPRIG_DEMO_ROM_H
#define ESPRIG_DEMO_ROM_H

#include <stdint.h>

/* ESP8266 mask-ROM functions. Addresses are PROVIDEd in ld/rom.ld, taken from
 * espressif/ESP8266_NONOS_SDK:ld/eagle.rom.addr.v6.ld. Prototypes follow the SDK's
 * usage (espressif/ESP8266_NONOS_SDK:include/osapi.h, include/spi_flash.h). */

int ets_printf(const char *format, ...) __attribute__((format(printf, 1, 2)));
void ets_wdt_disable(void);
void ets_delay_us(uint32_t us);
/* Maps flash into the 0x40200000 window: (odd_even, mb_count, no_idea) = (0, 0, 1) maps the first MB. */
void Cache_Read_Enable(uint8_t odd_even, uint8_t mb_count, uint8_t no_idea);
/* Reads `size` bytes (a multiple of 4) of flash at `flash_address` into a 4-aligned buffer; 0 on success. */
int SPIRead(uint32_t flash_address, uint32_t *destination, uint32_t size);

#endif
