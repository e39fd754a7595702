// No tracer at all: the baseline every overhead is measured against.

/** @type {import('./types.js').Runner} */
export const bareRunner = {
  name: 'bare',
  label: 'no tracer (baseline)',
  command: '(nothing attached)',
  async check() { return { ok: true }; },
  async start() {
    return {
      async stop() { return { captured: null, toolLost: null, bytesOnDisk: null, toolCpuSeconds: 0 }; },
      decode: null,
    };
  },
};
