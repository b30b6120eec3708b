import mqtt from 'mqtt';
import * as net from 'node:net';
import { makeText } from './common';

import type { OnMessage, Receiver, Sender, System } from './systemBase';
import { HOST, throttleSocket } from './systemBase';

/** Mosquitto and Aedes, driven over MQTT. */
export class MqttSystem implements System {
  private readonly clients = new Set<mqtt.MqttClient>();
  private n = 0;

  constructor(
    readonly name: 'mosquitto' | 'aedes',
    private readonly port: number,
  ) {}

  private connect(): Promise<mqtt.MqttClient> {
    const client = mqtt.connect({
      host: HOST,
      port: this.port,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      keepalive: 120,
      connectTimeout: 60_000,
      clientId: `b${process.pid}-${this.n++}`,
    });
    this.clients.add(client);
    return new Promise((resolve, reject) => {
      client.once('connect', () => {
        const stream = client.stream as unknown as net.Socket;
        stream.setNoDelay?.(true);
        resolve(client);
      });
      client.once('error', reject);
      client.once('close', () => reject(new Error('closed before connack')));
    });
  }

  async receiver(group: 'pair' | 'all', on: OnMessage): Promise<Receiver> {
    const client = await this.connect();
    const topic = group === 'all' ? 'bench/all' : `bench/p/${this.n++}`;
    await client.subscribeAsync(topic, { qos: 0 });
    const receiver: Receiver = {
      target: topic,
      received: 0,
      throttle: (bps) => throttleSocket(client.stream as unknown as net.Socket, bps),
      isOpen: () => client.connected,
      close: () => client.end(true),
    };
    client.on('message', (_topic, payload) => {
      receiver.received++;
      on(payload, 0, payload.length);
    });
    return receiver;
  }

  async sender(target: string): Promise<Sender> {
    const client = await this.connect();
    const topic = target === 'all' ? 'bench/all' : target;
    const stream = client.stream as unknown as net.Socket;
    return {
      send: (stampUs) => client.publish(topic, makeText(stampUs), { qos: 0 }),
      backlog: () => stream.writableLength,
      isOpen: () => client.connected,
      close: () => client.end(true),
    };
  }

  close(): void {
    for (const c of this.clients) c.end(true);
    this.clients.clear();
  }
}
