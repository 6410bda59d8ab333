#ifndef __MQTT_CONFIG_H__
#define __MQTT_CONFIG_H__

/* The macro set of the NONOS SDK MQTT demo (examples/esp_mqtt_proj/include/mqtt_config.h,
 * SDK v2.2+ shape), so esprig's header patcher and flash planner treat this firmware exactly
 * like the SDK demo. Comments are ours. */

typedef enum {
	NO_TLS = 0,                       /* plain TCP */
	TLS_WITHOUT_AUTHENTICATION = 1,   /* TLS, no certificate checks */
	ONE_WAY_ANTHENTICATION = 2,       /* TLS, device checks the server against the CA sector */
	TWO_WAY_ANTHENTICATION = 3,       /* TLS, plus the client certificate sector */
} TLS_LEVEL;

#define CFG_HOLDER	0x00FF55A6	/* bump to make the device reload these defaults */

/* Defaults copied into the saved configuration */
#define MQTT_HOST	"localhost"	/* broker IP address or DNS name, at most 63 chars */
#define MQTT_PORT	8883	/* broker TCP port */
#define MQTT_CLIENT_ID	"esprig_%08X"	/* printf format: %08X becomes the chip id; at most 31 chars expanded */
#define MQTT_USER	"esprig-demo"	/* at most 31 chars */
#define MQTT_PASS	"Device_Passwd"	/* at most 31 chars */

#define STA_SSID	"esprig-lab"	/* at most 32 chars */
#define STA_PASS	"AP_Passwd"	/* at most 63 chars */
#define STA_TYPE	AUTH_WPA2_PSK

#define DEFAULT_SECURITY	TWO_WAY_ANTHENTICATION	/* decides which certificate sectors are used */

#define CA_CERT_FLASH_ADDRESS	0x77	/* sector number: 0x77 is flash address 0x77000 */
#define CLIENT_CERT_FLASH_ADDRESS	0x78	/* sector number of the client certificate and key */

/* Internals: leave alone unless the flash layout changes too */
#define CFG_LOCATION	0x79	/* config sectors 0x79, 0x7A and the flag sector 0x7C (+3) */
#define MQTT_BUF_SIZE	1024
#define MQTT_KEEPALIVE	120	/* seconds */
#define MQTT_RECONNECT_TIMEOUT	5	/* seconds */

#define MQTT_SSL_ENABLE

#define QUEUE_BUFFER_SIZE	2048

#define PROTOCOL_NAMEv31	/* MQTT 3.1 ("MQIsdp") */
//#define PROTOCOL_NAMEv311	/* MQTT 3.1.1 ("MQTT") */

#endif /* __MQTT_CONFIG_H__ */
