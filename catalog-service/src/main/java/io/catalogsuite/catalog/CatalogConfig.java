package io.catalogsuite.catalog;

import io.catalogsuite.catalog.cache.NearCacheConfig;
import io.catalogsuite.catalog.cache.SharedCacheConfig;
import io.catalogsuite.catalog.events.EventsConfig;
import io.catalogsuite.catalog.imports.ImportConfig;
import io.catalogsuite.catalog.product.IdempotencyConfig;
import io.catalogsuite.common.config.ConfigException;
import io.catalogsuite.common.config.Env;
import io.vertx.pgclient.PgConnectOptions;
import java.util.Map;

/**
 * catalog-service's own configuration, read once from the environment.
 *
 * @param database          {@code PG_URL}, e.g. {@code postgresql://catalog:secret@db:5432/catalog}
 * @param poolSize          {@code PG_POOL_SIZE}: connections to Postgres per instance
 * @param sharedCache       {@code CACHE_*}: how the shared map is used (negative caching, admission)
 * @param nearCache         {@code NEAR_CACHE_*}: each instance's near cache in front of the shared map
 * @param events            change events: the outbox relay and {@code GET /events} ({@code EVENTS_*})
 * @param imports           {@code IMPORT_*}: bulk imports
 * @param idempotency       {@code IDEMPOTENCY_*}: how long {@code Idempotency-Key}s are kept
 */
public record CatalogConfig(PgConnectOptions database, int poolSize, SharedCacheConfig sharedCache,
    NearCacheConfig nearCache, EventsConfig events, ImportConfig imports, IdempotencyConfig idempotency) {
  static final String DEFAULT_PG_URL = "postgresql://catalog:catalog@127.0.0.1:5432/catalog";

  public static CatalogConfig fromEnv(Map<String, String> vars) {
    Env env = Env.of(vars);
    return new CatalogConfig(
        database(env.string("PG_URL", DEFAULT_PG_URL)),
        env.integer("PG_POOL_SIZE", 8, 1, 256),
        SharedCacheConfig.fromEnv(env),
        NearCacheConfig.fromEnv(env),
        EventsConfig.fromEnv(env),
        ImportConfig.fromEnv(env),
        IdempotencyConfig.fromEnv(env));
  }

  /** Parses a Postgres URL; the message never repeats the URL, which may hold a password. */
  public static PgConnectOptions database(String url) {
    try {
      return PgConnectOptions.fromUri(url)
          .setCachePreparedStatements(true)
          .setPipeliningLimit(256);
    } catch (RuntimeException e) {
      throw new ConfigException("PG_URL must be a postgresql://user:password@host:port/database URL");
    }
  }
}
