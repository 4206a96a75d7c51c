// Loads the relay's build of the core (the package's wasm plus the channel
// relay's exports, feature `relay`) for antonnia-sdk/relay. Node only: the
// browser entry never imports this file, so browsers never download it.
import { readFile } from 'node:fs/promises';
import { initSync } from './antonnia_relay.js';

initSync({ module: await readFile(new URL('./antonnia_relay_bg.wasm', import.meta.url)) });

export * from './antonnia_relay.js';
