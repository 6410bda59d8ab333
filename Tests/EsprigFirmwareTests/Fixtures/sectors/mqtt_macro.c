/* Fixture: sectors from the config header's macros, as in the SDK v2.2+ demo's mqtt.c. */
#include "mqtt_config.h"

#define MQTT_SSL_SIZE (5*1024)

static void mqtt_dns_found(const char *name, ip_addr_t *ipaddr, void *arg)
{
#if (DEFAULT_SECURITY >= ONE_WAY_ANTHENTICATION)
	espconn_secure_ca_enable(ESPCONN_CLIENT, CA_CERT_FLASH_ADDRESS);
#endif
#if (DEFAULT_SECURITY >= TWO_WAY_ANTHENTICATION)
	espconn_secure_cert_req_enable(ESPCONN_CLIENT,
	                               CLIENT_CERT_FLASH_ADDRESS);
#endif
	espconn_secure_set_size(ESPCONN_CLIENT, MQTT_SSL_SIZE);
}

void MQTT_Connect(MQTT_Client *mqttClient)
{
	espconn_secure_ca_enable(1, 119);
	espconn_secure_set_size(0x01, 6 * 1024);
}
