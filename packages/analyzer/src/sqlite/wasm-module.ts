// The analyzer's WebAssembly modules (packages/analyzer/wasm/*.c, built by
// scripts/build-wasm.sh), compiled once per thread and instantiated per use.
import { readFileSync } from 'node:fs';

// Node has WebAssembly; the TypeScript libraries this project uses (ES2022,
// @types/node 20) do not declare it, so the little used here is declared here.
export interface WasmModule {
  readonly brand?: 'WebAssembly.Module';
}
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
const WebAssembly = (globalThis as unknown as {
  WebAssembly: {
    Module: new (bytes: Uint8Array) => WasmModule;
    Instance: new (module: WasmModule, imports: object) => { exports: unknown };
  };
}).WebAssembly;

const compiled = new Map<string, WasmModule>();

/** A new instance of the module built from wasm/NAME.c; its exports typed as `T`. */
export function instantiate<T>(name: string): T {
  let module = compiled.get(name);
  if (!module) {
    const file = new URL(`../../wasm/${name}.wasm`, import.meta.url);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      throw new Error(`the analyzer's ${file.pathname} is missing: run npm run build (it needs clang and lld)`);
    }
    module = new WebAssembly.Module(bytes);
    compiled.set(name, module);
  }
  return new WebAssembly.Instance(module, {}).exports as T;
}
