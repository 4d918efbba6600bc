package io.catalogsuite.catalog.imports;

import io.catalogsuite.common.config.Env;
import java.util.Map;

/**
 * How bulk imports ({@code POST /imports}) run on this instance, read once from the environment.
 *
 * @param batchRows    {@code IMPORT_BATCH_ROWS}: lines per batch, the unit of work (and of retry) spread over
 *                     the instances
 * @param maxBytes     {@code IMPORT_MAX_BYTES}: a larger upload gets a 413
 * @param leaseSeconds {@code IMPORT_LEASE_SECONDS}: how long a claimed batch is its worker's; after that another
 *                     instance may take it over. Also how long a stored batch may wait for its event-bus message
 *                     before any instance's sweeper claims it.
 * @param sweepMs      {@code IMPORT_SWEEP_MS}: how often each instance looks for batches left behind
 * @param concurrency  {@code IMPORT_CONCURRENCY}: batches this instance writes at once (one connection each)
 */
public record ImportConfig(int batchRows, long maxBytes, int leaseSeconds, int sweepMs, int concurrency) {

  public static ImportConfig fromEnv(Env env) {
    return new ImportConfig(
        env.integer("IMPORT_BATCH_ROWS", 500, 1, 10_000),
        env.integer("IMPORT_MAX_BYTES", 1 << 30, 1, Integer.MAX_VALUE),
        env.integer("IMPORT_LEASE_SECONDS", 30, 1, 3600),
        env.integer("IMPORT_SWEEP_MS", 1000, 10, 60_000),
        env.integer("IMPORT_CONCURRENCY", 2, 1, 64));
  }

  /** Every setting at its default. */
  public static ImportConfig defaults() {
    return fromEnv(Env.of(Map.of()));
  }
}
