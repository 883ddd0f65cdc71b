// Independent MQTT client for the gateway tests (MQTT.js). Usage: node publish.js '<json spec>'
// spec: {url, username, password, protocolVersion (4|5), publishes: [{topic, payload, qos}], properties (MQTT 5 CONNECT, optional),
//        clientId (optional, else a random one; "" sends none), clean (optional, default true: Clean Session / Clean Start),
//        subscribe (optional: a topic filter subscribed to, QoS 1, before the publishes; its answer is a suback event)}
// Prints one JSON object per line: connack / puback / error / close / done events.
const mqtt = require('mqtt');
const spec = JSON.parse(process.argv[2]);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const client = mqtt.connect(spec.url, {
  username: spec.username,
  password: spec.password,
  protocolVersion: spec.protocolVersion,
  clientId: spec.clientId !== undefined ? spec.clientId : 'mqttjs-' + Math.random().toString(16).slice(2, 10),
  clean: spec.clean !== false,
  reconnectPeriod: 0,
  connectTimeout: 10000,
  properties: spec.properties,
});
let pending = 0;
const finish = (code) => { out({ event: 'done' }); client.end(true, () => process.exit(code)); setTimeout(() => process.exit(code), 500); };
setTimeout(() => { out({ event: 'timeout' }); process.exit(3); }, 20000);
client.on('packetreceive', (p) => {
  if (p.cmd === 'connack') out({ event: 'connack', reasonCode: p.reasonCode ?? p.returnCode, sessionPresent: p.sessionPresent,
    maximumPacketSize: p.properties && p.properties.maximumPacketSize, sessionExpiryInterval: p.properties && p.properties.sessionExpiryInterval,
    assignedClientIdentifier: p.properties && p.properties.assignedClientIdentifier });
  if (p.cmd === 'puback') out({ event: 'puback', messageId: p.messageId, reasonCode: p.reasonCode ?? 0, reasonString: p.properties && p.properties.reasonString });
  if (p.cmd === 'suback') out({ event: 'suback', granted: p.granted, reasonString: p.properties && p.properties.reasonString });
  if (p.cmd === 'disconnect') out({ event: 'disconnect', reasonCode: p.reasonCode, reasonString: p.properties && p.properties.reasonString });
});
client.on('error', (e) => { out({ event: 'error', code: e.code, message: e.message }); finish(2); });
client.on('close', () => { out({ event: 'close' }); if (pending > 0) finish(4); });
client.on('connect', () => {
  if (spec.subscribe === undefined) publishAll();
  else client.subscribe(spec.subscribe, { qos: 1 }, (err) => {
    out({ event: 'subscribed', error: err ? { code: err.code, message: err.message } : null });
    publishAll();
  });
});
const publishAll = () => {
  pending = spec.publishes.length;
  if (pending === 0) finish(0);
  spec.publishes.forEach((p, i) => {
    client.publish(p.topic, p.payload, { qos: p.qos }, (err) => {
      out({ event: 'published', index: i, error: err ? { code: err.code, message: err.message } : null });
      if (--pending === 0) finish(0);
    });
  });
};
