/* Fixture: literal certificate sectors, as in ustccw/MQTTESP8266's mqtt.c. */
#include "mqtt.h"

bool espconn_secure_ca_enable(uint8 level, uint32 flash_sector);

static void mqtt_dns_found(const char *name, ip_addr_t *ipaddr, void *arg)
{
	//espconn_secure_set_size(0x01,3*1024);
	if (client->security) {
		espconn_secure_ca_enable(0x01,0x77);
		espconn_secure_cert_req_enable(0x01,0x78);
		espconn_secure_connect(client->pCon);
	}
}

void MQTT_Connect(MQTT_Client *mqttClient)
{
	//espconn_secure_set_size(0x01,6*1024);
	/* espconn_secure_ca_enable(0x01, 0x70); an old sector, kept for reference */
	os_printf("espconn_secure_ca_enable(0x01, 0x71) is not a call inside a string\n");
	if (mqttClient->security) {
		espconn_secure_ca_enable( 0x01 , 0x77 );
		espconn_secure_cert_req_enable(0x01, 0x78);
		espconn_secure_connect(mqttClient->pCon);
	}
}
