/* Prints the compiled configuration, then the certificate sectors it names, then a ready line.
 * Output goes through the ROM's ets_printf at the ROM's UART speed (74880 baud with a 26 MHz
 * crystal), so the boot banner and this report can be read with one monitor setting. */
#include "demo.h"
#include "rom.h"
#include "mqtt_config.h"

#define SECTOR_SIZE 4096u
/* SDK cert-sector entry: 32-byte NUL-padded name, u16 LE payload length, payload
 * (espressif/ESP8266_NONOS_SDK:tools/make_cert.py, third_party/include/ssl/app/espconn_ssl.h). */
#define ENTRY_NAME_SIZE 32u
#define ENTRY_HEAD_SIZE 34u
#define ERASED_LENGTH 0xFFFFu

/* Chip id as the SDK's system_get_chip_id() and esptool's chip_id() compute it, from OTP MAC words. */
#define OTP_MAC0 (*(volatile uint32_t *)0x3FF00050)
#define OTP_MAC1 (*(volatile uint32_t *)0x3FF00054)

/* A whole sector: SPIRead wants a 4-aligned flash address and buffer, and entries are not aligned. */
static uint32_t sector_buffer[SECTOR_SIZE / 4];

/* Writable and initialised, so the image carries a .data segment next to .rodata. */
static char firmware_name[] = "esprig-demo";

static IROM uint32_t string_length(const char *text)
{
	uint32_t length = 0;
	while (text[length] != '\0')
		length++;
	return length;
}

/* FNV-1a (32-bit): simple enough to recompute in any test or tool from the packed file. */
static IROM uint32_t fnv1a(const uint8_t *bytes, uint32_t count)
{
	uint32_t hash = 0x811C9DC5u;
	for (uint32_t i = 0; i < count; i++) {
		hash ^= bytes[i];
		hash *= 0x01000193u;
	}
	return hash;
}

static IROM void print_settings(void)
{
	uint32_t chip_id = (OTP_MAC0 >> 24) | ((OTP_MAC1 & 0xFFFFFFu) << 8);
	ets_printf("config CFG_HOLDER=0x%08x CFG_LOCATION=0x%x\n", (uint32_t)CFG_HOLDER, (uint32_t)CFG_LOCATION);
	ets_printf("config MQTT_HOST=%s MQTT_PORT=%u\n", MQTT_HOST, (uint32_t)MQTT_PORT);
	ets_printf("config MQTT_CLIENT_ID=%s chip_id=0x%08x\n", MQTT_CLIENT_ID, chip_id);
	ets_printf("config MQTT_USER=%s MQTT_PASS=<masked, %u chars>\n", MQTT_USER, string_length(MQTT_PASS));
	ets_printf("config STA_SSID=%s STA_PASS=<masked, %u chars> STA_TYPE=%u\n", STA_SSID,
		   string_length(STA_PASS), (uint32_t)STA_TYPE);
	ets_printf("config DEFAULT_SECURITY=%u CA_CERT_FLASH_ADDRESS=0x%x CLIENT_CERT_FLASH_ADDRESS=0x%x\n",
		   (uint32_t)DEFAULT_SECURITY, (uint32_t)CA_CERT_FLASH_ADDRESS, (uint32_t)CLIENT_CERT_FLASH_ADDRESS);
}

static IROM void print_entry_name(const uint8_t *name)
{
	char printable[ENTRY_NAME_SIZE + 1];
	uint32_t i = 0;
	for (; i < ENTRY_NAME_SIZE && name[i] != 0; i++)
		printable[i] = (name[i] >= 0x20 && name[i] < 0x7F) ? (char)name[i] : '?';
	printable[i] = '\0';
	ets_printf("%s", printable);
}

static IROM void scan_sector(const char *label, uint32_t sector)
{
	uint32_t address = sector * SECTOR_SIZE;
	ets_printf("cert %s sector=0x%x address=0x%08x\n", label, sector, address);
	if (SPIRead(address, sector_buffer, SECTOR_SIZE) != 0) {
		ets_printf("cert %s error=flash-read\n", label);
		return;
	}
	const uint8_t *bytes = (const uint8_t *)sector_buffer;
	uint32_t offset = 0;
	uint32_t count = 0;
	/* Each step advances at least ENTRY_HEAD_SIZE bytes, so this ends within the sector. */
	while (offset + ENTRY_HEAD_SIZE <= SECTOR_SIZE) {
		const uint8_t *head = bytes + offset;
		uint32_t length = head[ENTRY_NAME_SIZE] | ((uint32_t)head[ENTRY_NAME_SIZE + 1] << 8);
		if (length == ERASED_LENGTH)
			break;
		if (offset + ENTRY_HEAD_SIZE + length > SECTOR_SIZE) {
			ets_printf("cert %s entry=%u error=overruns-sector length=%u\n", label, count, length);
			break;
		}
		ets_printf("cert %s entry=%u name=", label, count);
		print_entry_name(head);
		ets_printf(" length=%u fnv1a=0x%08x\n", length, fnv1a(head + ENTRY_HEAD_SIZE, length));
		offset += ENTRY_HEAD_SIZE + length;
		count++;
	}
	ets_printf("cert %s entries=%u\n", label, count);
}

IROM void demo_main(void)
{
	ets_printf("\n%s: booted\n", firmware_name);
	print_settings();
	scan_sector("ca", CA_CERT_FLASH_ADDRESS);
	scan_sector("client", CLIENT_CERT_FLASH_ADDRESS);
	ets_printf("%s: ready\n", firmware_name);
	/* Nothing else to do: idle forever (the watchdog is off), as firmware must not return. */
	for (;;)
		ets_delay_us(1000000);
}
