#ifndef __MQTT_CONFIG_H__
#define __MQTT_CONFIG_H__

typedef enum{
  NO_TLS = 0,                       // plain TCP, no certificates
  TLS_WITHOUT_AUTHENTICATION = 1,   // TLS, nothing verified
  ONE_WAY_ANTHENTICATION = 2,       // TLS, the device checks the broker
  TWO_WAY_ANTHENTICATION = 3,       // TLS, both sides check each other
}TLS_LEVEL;

/*IMPORTANT: the values below are the ones a user edits*/
/*****************************************************************/
#define CFG_HOLDER    0x00FF55A4    /* change to make the board reload these defaults */

/*DEFAULT CONFIGURATIONS*/
#define MQTT_HOST            "192.168.1.100" // broker address, e.g. "mqtt.example.org"
#define MQTT_PORT            1883    // broker port
#define MQTT_CLIENT_ID        "Device_ID"    // printf format; %08X becomes the chip id
#define MQTT_USER            "Device_Name" // login name
#define MQTT_PASS            "Device_Passwd" // login password
#define STA_SSID "AP_SSID"    // Wi-Fi network
#define STA_PASS "AP_Passwd" // Wi-Fi password
#define STA_TYPE AUTH_WPA2_PSK

#define DEFAULT_SECURITY    NO_TLS      // which TLS level to use

#define CA_CERT_FLASH_ADDRESS 0x77           // CA sector: 0x77 is flash 0x77000
#define CLIENT_CERT_FLASH_ADDRESS 0x78       // client cert + key sector
/*****************************************************************/

/* Internals. An old alternative, kept for reference:
#define CFG_LOCATION    0x3C
*/
#define CFG_LOCATION    0x79    /* three sectors from here */
#define MQTT_BUF_SIZE        1024
#define MQTT_KEEPALIVE        120     /*second*/
#define MQTT_RECONNECT_TIMEOUT     5    /*second*/

#define MQTT_SSL_ENABLE

#define QUEUE_BUFFER_SIZE             2048

#define PROTOCOL_NAMEv31    /*MQTT version 3.1*/
//PROTOCOL_NAMEv311            /*MQTT version 3.1.1*/

#endif // __MQTT_CONFIG_H__
