package io.catalogsuite.cache;

import io.catalogsuite.common.ServiceNode;

/** Runs one cache-service instance, configured from the environment (see README, "Configuration"). */
public final class CacheMain {
  private CacheMain() {
  }

  public static void main(String[] args) {
    ServiceNode.main(CacheService.NAME, 0, env -> new CacheService(CacheConfig.fromEnv(env)));
  }
}
