import type { Facility, FacilityFilter } from '../../core/facility.js';
import type { Location, LocationFilter } from '../../core/location.js';
import type { Page, PageRequest } from '../../core/page.js';
import type { FacilityWriter } from '../../core/ports.js';
import type { StockStatus } from '../../core/status.js';
import { page, storable, Where, type Sql } from './sql.js';

const FACILITY = `SELECT id, code, name, type, is_active AS "isActive", created_at AS "createdAt",
  updated_at AS "updatedAt", version`;
const LOCATION = `SELECT id, facility_id AS "facilityId", code, name, parent_id AS "parentId", type,
  is_pickable AS "isPickable", depth, path, created_at AS "createdAt"`;

/**
 * `q` on facilities and locations: a substring of the code or the name, case-insensitively.
 * The columns are COLLATE "C", where lower() folds ASCII only, exactly like SQLite's lower().
 */
const MATCHES = `(strpos(lower(code), lower(?::text COLLATE "C")) > 0 OR strpos(lower(name), lower(?::text COLLATE "C")) > 0)`;

/** Statuses are seeded by migration and never change at run time: read once per store. */
export interface StatusCache {
  statuses: Promise<StockStatus[]> | null;
}

export class PgFacilities implements FacilityWriter {
  constructor(private readonly sql: Sql, private readonly cache: StatusCache) {}

  /**
   * Inside a write unit the facility is locked FOR KEY SHARE: it cannot go while the unit
   * relies on it, yet units that only need it to exist (a reservation, a new location) do
   * not wait for each other. No command changes a facility; one that does must lock it
   * FOR UPDATE itself.
   */
  async getFacility(id: string): Promise<Facility | null> {
    const lock = this.sql.unit ? ' FOR KEY SHARE' : '';
    return (await this.sql.rows<Facility>(`${FACILITY} FROM facilities WHERE id = ?${lock}`, [id]))[0] ?? null;
  }

  async findFacilityByCode(code: string): Promise<Facility | null> {
    return (await this.sql.rows<Facility>(`${FACILITY} FROM facilities WHERE code = ?`, [code]))[0] ?? null;
  }

  async listFacilities(filter: FacilityFilter, p: PageRequest): Promise<Page<Facility>> {
    const w = new Where()
      .add(MATCHES, filter.q, filter.q)
      .add('type = ?', filter.type)
      .add('is_active = ?', filter.isActive);
    return page<Facility>(this.sql, FACILITY, 'FROM facilities', w.sql, w.args, 'code', p);
  }

  async getLocation(id: string): Promise<Location | null> {
    return (await this.sql.rows<Location>(`${LOCATION} FROM locations WHERE id = ?`, [id]))[0] ?? null;
  }

  /** The locations of a posting; inside a write unit locked FOR SHARE, in id order. */
  async getLocations(all: readonly string[]): Promise<Location[]> {
    const ids = all.filter(storable);
    if (ids.length === 0) return [];
    const lock = this.sql.unit ? ' ORDER BY id FOR SHARE' : '';
    return this.sql.rows<Location>(`${LOCATION} FROM locations WHERE id = ANY(?::text[])${lock}`, [ids]);
  }

  async findLocationByCode(facilityId: string, code: string): Promise<Location | null> {
    return (await this.sql.rows<Location>(`${LOCATION} FROM locations WHERE facility_id = ? AND code = ?`, [facilityId, code]))[0] ?? null;
  }

  async listLocations(facilityId: string, filter: LocationFilter, p: PageRequest): Promise<Page<Location>> {
    const w = new Where()
      .add('facility_id = ?', facilityId)
      .add(MATCHES, filter.q, filter.q)
      .add('type = ?', filter.type)
      .add('parent_id = ?', filter.parentId);
    // Paths sort parents first; '/' is replaced by a control character so that a node's
    // children follow it directly ("A", "A/01", "A-2" rather than "A", "A-2", "A/01").
    return page<Location>(this.sql, LOCATION, 'FROM locations', w.sql, w.args, "replace(path, '/', chr(1))", p);
  }

  async listStatuses(): Promise<StockStatus[]> {
    this.cache.statuses ??= this.sql.rows<StockStatus>('SELECT id, name, is_available AS "isAvailable" FROM stock_statuses ORDER BY position')
      .catch((e: unknown) => {
        this.cache.statuses = null;
        throw e;
      });
    return this.cache.statuses;
  }

  async insertFacility(f: Facility): Promise<void> {
    await this.sql.rows(`INSERT INTO facilities (id, code, name, type, is_active, created_at, updated_at, version)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [f.id, f.code, f.name, f.type, f.isActive, f.createdAt, f.updatedAt, f.version]);
  }

  async insertLocation(l: Location): Promise<void> {
    await this.sql.rows(`INSERT INTO locations (id, facility_id, code, name, parent_id, type, is_pickable, depth, path,
      created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [l.id, l.facilityId, l.code, l.name, l.parentId, l.type, l.isPickable, l.depth, l.path, l.createdAt]);
  }
}
