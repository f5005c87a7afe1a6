// A stand-in SQLite driver for the checkpoint worker's tests: opened with a JSON list of
// numbers instead of a file name, each `PRAGMA wal_checkpoint` run answers that the WAL holds
// the next number of frames, all of them copied.
module.exports = class ScriptedDatabase {
  constructor(script) {
    this.logs = JSON.parse(script);
  }
  exec() {}
  prepare() {
    return { get: () => {
      const log = this.logs.length > 1 ? this.logs.shift() : this.logs[0];
      return { busy: 0, log, checkpointed: log };
    } };
  }
  close() {}
};
