declare module 'virtual:kernels' {
  const kernels: Record<string, string>;
  export default kernels;
}
