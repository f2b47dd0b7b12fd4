// Tests run on the compiled output (`npm test` builds first): piscina loads the real
// dist/worker/codec.js, exactly as a user's process does.
export default {
  files: ['dist/test/**/*.test.js'],
  // Each test file is its own process, with its own redis-server children.
  workerThreads: false,
  timeout: '90s',
  concurrency: 2,
};
