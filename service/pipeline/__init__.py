"""Pipeline stages, one module each; every stage is a pure function over the types in ``types``."""
