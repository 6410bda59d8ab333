#ifndef ESPRIG_DEMO_H
#define ESPRIG_DEMO_H

#include <stdint.h>

/* Code placed in flash (the image's irom segment) instead of the 32 KB of IRAM. */
#define IROM __attribute__((section(".irom0.text")))

/* Wi-Fi auth modes, same values as the SDK's AUTH_MODE (include/user_interface.h), so that
 * mqtt_config.h's STA_TYPE compiles unchanged. */
typedef enum {
	AUTH_OPEN = 0,
	AUTH_WEP = 1,
	AUTH_WPA_PSK = 2,
	AUTH_WPA2_PSK = 3,
	AUTH_WPA_WPA2_PSK = 4,
} AUTH_MODE;

/* Runs from flash once call_user_start has mapped it; never returns. */
void demo_main(void);

#endif
