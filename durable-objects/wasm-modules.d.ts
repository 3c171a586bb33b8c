// wrangler and the vitest pool import `.wasm` files as compiled modules (Workers cannot compile Wasm at run time).
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
