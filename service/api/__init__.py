"""HTTP layer: request/response schemas, routes and RFC 9457 problem details over the pipeline."""
