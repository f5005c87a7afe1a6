import type { Facility, FacilityFilter } from '../../core/facility.js';
import type { Location, LocationFilter } from '../../core/location.js';
import type { Page, PageRequest } from '../../core/page.js';
import type { FacilityWriter } from '../../core/ports.js';
import type { StockStatus } from '../../core/status.js';
import type { Statements } from './database.js';
import { RecordCache } from './cache.js';
import { page, uniqueViolations, Where } from './sql.js';

const FACILITY = `SELECT id, code, name, type, is_active AS isActive, created_at AS createdAt,
  updated_at AS updatedAt, version`;
const LOCATION = `SELECT id, facility_id AS facilityId, code, name, parent_id AS parentId, type,
  is_pickable AS isPickable, depth, path, created_at AS createdAt`;

// SQLite has no boolean type: flags are stored as 0 or 1.
const LOCATION_BY_ID = `${LOCATION} FROM locations WHERE id = ?`;

/** `q` on facilities and locations: a substring of the code or the name. */
const MATCHES = '(instr(lower(code), lower(?)) > 0 OR instr(lower(name), lower(?)) > 0)';

const toFacility = (r: Facility): Facility => ({ ...r, isActive: (r.isActive as unknown) === 1 });
const toLocation = (r: Location): Location => ({ ...r, isPickable: (r.isPickable as unknown) === 1 });

export class SqliteFacilities implements FacilityWriter {
  private statuses: StockStatus[] | null = null;

  /** Locations never change once created, so the cache only ever forgets on rollback. */
  private readonly locations = new RecordCache<Location>();
  private readonly loadLocation = (id: string) => {
    const row = this.sql.get(LOCATION_BY_ID).get(id) as Location | undefined;
    return row ? toLocation(row) : undefined;
  };

  constructor(private readonly sql: Statements) {}

  /** Forgets cached records: the store calls it when a write unit rolls back. */
  forgetCached(): void {
    this.locations.clear();
  }

  async getFacility(id: string): Promise<Facility | null> {
    const row = this.sql.get(`${FACILITY} FROM facilities WHERE id = ?`).get(id) as Facility | undefined;
    return row ? toFacility(row) : null;
  }

  async findFacilityByCode(code: string): Promise<Facility | null> {
    const row = this.sql.get(`${FACILITY} FROM facilities WHERE code = ?`).get(code) as Facility | undefined;
    return row ? toFacility(row) : null;
  }

  async listFacilities(filter: FacilityFilter, p: PageRequest): Promise<Page<Facility>> {
    const w = new Where()
      .add(MATCHES, filter.q, filter.q)
      .add('type = ?', filter.type)
      .add('is_active = ?', filter.isActive === undefined ? undefined : Number(filter.isActive));
    const r = await page<Facility>(this.sql, FACILITY, 'FROM facilities', w.sql, w.args, 'code', p);
    return { items: r.items.map(toFacility), total: r.total };
  }

  async getLocation(id: string): Promise<Location | null> {
    return this.locations.get(id, this.loadLocation) ?? null;
  }

  async getLocations(ids: readonly string[]): Promise<Location[]> {
    return ids.map((id) => this.locations.get(id, this.loadLocation)).filter((l): l is Location => l !== undefined);
  }

  async findLocationByCode(facilityId: string, code: string): Promise<Location | null> {
    const row = this.sql.get(`${LOCATION} FROM locations WHERE facility_id = ? AND code = ?`).get(facilityId, code) as Location | undefined;
    return row ? toLocation(row) : null;
  }

  async listLocations(facilityId: string, filter: LocationFilter, p: PageRequest): Promise<Page<Location>> {
    const w = new Where()
      .add('facility_id = ?', facilityId)
      .add(MATCHES, filter.q, filter.q)
      .add('type = ?', filter.type)
      .add('parent_id = ?', filter.parentId);
    // Paths sort parents first; '/' is replaced by a control character so that a node's
    // children follow it directly ("A", "A/01", "A-2" rather than "A", "A-2", "A/01").
    const r = await page<Location>(this.sql, LOCATION, 'FROM locations', w.sql, w.args,
      "replace(path, '/', char(1))", p);
    return { items: r.items.map(toLocation), total: r.total };
  }

  async listStatuses(): Promise<StockStatus[]> {
    // Statuses are seeded by migration and never change at run time.
    this.statuses ??= (this.sql.get('SELECT id, name, is_available AS isAvailable FROM stock_statuses ORDER BY rowid').all() as
      StockStatus[]).map((s) => ({ ...s, isAvailable: (s.isAvailable as unknown) === 1 }));
    return this.statuses;
  }

  async insertFacility(f: Facility): Promise<void> {
    uniqueViolations(() => this.sql.get(`INSERT INTO facilities (id, code, name, type, is_active, created_at, updated_at,
      version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(f.id, f.code, f.name, f.type, f.isActive ? 1 : 0, f.createdAt, f.updatedAt, f.version));
  }

  async insertLocation(l: Location): Promise<void> {
    uniqueViolations(() => this.sql.get(`INSERT INTO locations (id, facility_id, code, name, parent_id, type, is_pickable,
      depth, path, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      l.id, l.facilityId, l.code, l.name, l.parentId, l.type, l.isPickable ? 1 : 0, l.depth, l.path, l.createdAt));
  }
}
