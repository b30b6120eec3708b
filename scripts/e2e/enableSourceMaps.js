// Loaded by test/e2e/.mocharc.json before the compiled tests, so their stack traces point at the .ts
// sources. (mocha's `enable-source-maps` option is a node flag: mocha would then run the tests in a
// child process, which its parent does not pass SIGTERM to, and the harness's cleanup would not run.)
process.setSourceMapsEnabled(true);
