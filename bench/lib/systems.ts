/**
 * The systems the load generator drives, one adapter each (relaySystem.ts, directSystem.ts for
 * the direct connection and the pipe() relay, mqttSystem.ts for Mosquitto and Aedes, natsSystem.ts for
 * nats-server), behind the interfaces of systemBase.ts.
 */
export * from './systemBase';
export { DirectHub, DirectSystem } from './directSystem';
export { MqttSystem } from './mqttSystem';
export { NatsSystem } from './natsSystem';
export { RelaySystem } from './relaySystem';
