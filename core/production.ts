// Production: BOMs and work orders. (Filled in by the production work: see API.md "Production".)

export interface ProductionReader {}

export interface ProductionWriter extends ProductionReader {}
