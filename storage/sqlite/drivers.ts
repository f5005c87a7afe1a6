// Which SQLite driver the adapter uses: node:sqlite where this Node has it (nothing to build,
// nothing to install), else better-sqlite3; IMS_SQLITE_DRIVER=node|better-sqlite3 forces one.
import { loadBetterSqlite3 } from './better-sqlite3.js';
import { DRIVER_NAMES, type Driver, type DriverName } from './driver.js';
import { loadNodeSqlite } from './node-sqlite.js';

const loaders: Record<DriverName, () => Driver | string> = { node: loadNodeSqlite, 'better-sqlite3': loadBetterSqlite3 };
const loaded = new Map<DriverName, Driver | string>();

/** The driver, or why it cannot be used here; each is loaded once per process. */
export function loadDriver(name: DriverName): Driver | string {
  let result = loaded.get(name);
  if (result === undefined) {
    result = loaders[name]();
    loaded.set(name, result);
  }
  return result;
}

/**
 * better-sqlite3 12.x can abort the process on Node 24 and later when a statement is garbage
 * collected (an upstream bug, seen here in the HTTP suite), and node:sqlite is there anyway:
 * on those versions better-sqlite3 is used only when IMS_SQLITE_DRIVER asks for it.
 */
function onlyWhenAsked(name: DriverName): string | null {
  const major = Number(process.versions.node.split('.')[0]);
  return name === 'better-sqlite3' && major >= 24
    ? `better-sqlite3 is not chosen on Node ${major} unless IMS_SQLITE_DRIVER=better-sqlite3 (it can abort at garbage collection there)`
    : null;
}

/** The drivers that work in this process and may be chosen without asking, first choice first. */
export function availableDrivers(): Driver[] {
  return DRIVER_NAMES.filter((n) => onlyWhenAsked(n) === null).map(loadDriver).filter((d): d is Driver => typeof d !== 'string');
}

export function parseDriverName(value: string | undefined): DriverName | undefined {
  if (value === undefined || value === '') return undefined;
  if ((DRIVER_NAMES as readonly string[]).includes(value)) return value as DriverName;
  throw new Error(`IMS_SQLITE_DRIVER must be ${DRIVER_NAMES.join(' or ')}, not ${JSON.stringify(value)}`);
}

/** No SQLite driver works in this process; the message says what to do. */
export class NoSqliteDriver extends Error {}

/**
 * The driver to open SQLite with: `name` when given (IMS_SQLITE_DRIVER), else the first that
 * works. Throws, saying what to do, when none does.
 */
export function chooseDriver(name: DriverName | undefined = parseDriverName(process.env.IMS_SQLITE_DRIVER)): Driver {
  const names = name ? [name] : DRIVER_NAMES;
  const reasons: string[] = [];
  for (const n of names) {
    const unasked = name ? null : onlyWhenAsked(n);
    if (unasked) {
      reasons.push(unasked);
      continue;
    }
    const driver = loadDriver(n);
    if (typeof driver !== 'string') return driver;
    reasons.push(driver);
  }
  throw new NoSqliteDriver(`no SQLite driver can be used: ${reasons.join('; ')}. `
    + 'Run on Node 22.16 or later (24 recommended), which has node:sqlite built in, '
    + 'or build better-sqlite3 for this Node (npm install better-sqlite3, or npm rebuild better-sqlite3 after a Node upgrade; '
    + 'it needs its install script allowed)'
    + (name ? `, or unset IMS_SQLITE_DRIVER (now ${name})` : ''));
}
