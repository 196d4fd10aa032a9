#!/usr/bin/env node
/**
 * A small RabbitMQ helper for scripts/smoke-distributed.sh.
 *
 *   node scripts/amqp-watch.mjs watch <amqp-url> <exchange> <out-file> <binding-key>...
 *     Declares the topic exchange (as the services do), an exclusive queue of its own bound to the
 *     given keys (e.g. `parking.#`), prints `ready` once bound, then appends every event it gets to
 *     <out-file> as one JSON line: {"routing_key": ..., "event": <the CloudEvent>}. Runs until killed;
 *     the queue goes away with the connection.
 *
 *   node scripts/amqp-watch.mjs cleanup <amqp-url> <exchange> <queue>...
 *     Deletes the named queues (missing ones are fine) and then the exchange.
 */
import { appendFileSync } from 'node:fs';
import amqp from 'amqplib';

const [command, url, exchange, ...rest] = process.argv.slice(2);

function usage() {
  console.error('usage: amqp-watch.mjs watch <amqp-url> <exchange> <out-file> <binding-key>...');
  console.error('       amqp-watch.mjs cleanup <amqp-url> <exchange> <queue>...');
  process.exit(2);
}

async function watch() {
  const [outFile, ...keys] = rest;
  if (!outFile || keys.length === 0) usage();
  const connection = await amqp.connect(url);
  connection.on('error', (err) => {
    console.error(`amqp-watch: connection error: ${err.message}`);
    process.exit(1);
  });
  connection.on('close', () => {
    console.error('amqp-watch: connection closed');
    process.exit(1);
  });
  const channel = await connection.createChannel();
  await channel.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
  for (const key of keys) await channel.bindQueue(queue, exchange, key);
  await channel.consume(
    queue,
    (msg) => {
      if (!msg) return;
      let event;
      try {
        event = JSON.parse(msg.content.toString('utf8'));
      } catch {
        event = { unparsable: msg.content.toString('utf8') };
      }
      appendFileSync(outFile, `${JSON.stringify({ routing_key: msg.fields.routingKey, event })}\n`);
    },
    { noAck: true },
  );
  console.log('ready');
  const stop = async () => {
    connection.removeAllListeners('close');
    await connection.close().catch(() => {});
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function cleanup() {
  const connection = await amqp.connect(url);
  connection.on('error', () => {});
  // A failed operation closes its channel, so each gets a fresh one.
  const attempt = async (what, work) => {
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    try {
      await work(channel);
      await channel.close();
    } catch (err) {
      console.error(`amqp-watch: ${what}: ${err.message}`);
    }
  };
  for (const queue of rest) await attempt(`delete queue ${queue}`, (ch) => ch.deleteQueue(queue));
  await attempt(`delete exchange ${exchange}`, (ch) => ch.deleteExchange(exchange));
  await connection.close();
}

if (!url || !exchange) usage();
if (command === 'watch') await watch();
else if (command === 'cleanup') await cleanup();
else usage();
