// Modules made by the esbuild plugins of tools/esbuild-kernels.ts: { file name without .wgsl: WGSL text }.
declare module 'virtual:kernels' {
  const kernels: Record<string, string>;
  export default kernels;
}

declare module 'virtual:shaders' {
  const shaders: Record<string, string>;
  export default shaders;
}
