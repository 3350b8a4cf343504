/** A WebAssembly text file, imported as its compiled bytes (scripts/wat.js, at build and in tests). */
declare module "*.wat" {
  const bytes: Uint8Array;
  export default bytes;
}
