// The KV conformance suite against the real local KV in workerd: the reference `memoryKv` is held to.
import { env } from 'cloudflare:workers';
import { describeKvConformance } from '../testing/kv-conformance';

describeKvConformance('workerd local KV', () => env.CHAT_KV);
